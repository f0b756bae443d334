"""The complaints' own log of personal-data views moves into the app's one access log
(organization.AccessLog): every row is copied, then the old table is dropped (its
triggers go with it)."""

from django.db import migrations

BATCH = 2000


def copy_to_access_log(apps, schema_editor):
    old = apps.get_model("complaints", "PersonalDataAccess")
    access_log = apps.get_model("organization", "AccessLog")
    db = schema_editor.connection.alias
    rows = []
    for access in old.objects.using(db).order_by("id").iterator(chunk_size=BATCH):
        view = access.view if ":" in access.view else "complaints:" + access.view
        rows.append(
            access_log(
                at=access.at,
                user_id=access.user_id,
                kind="read",
                object_type="complaints.complaint",
                object_id=str(access.complaint_id),
                view=view,
            )
        )
        if len(rows) == BATCH:
            access_log.objects.using(db).bulk_create(rows)
            rows = []
    access_log.objects.using(db).bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0003_kpi_fields"),
        ("organization", "0002_access_log"),
    ]

    operations = [
        migrations.RunPython(copy_to_access_log, migrations.RunPython.noop),
        migrations.DeleteModel(name="PersonalDataAccess"),
    ]
