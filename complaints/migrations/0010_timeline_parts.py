"""The timeline keeps what the system writes as parts, so each reader reads it in their
own language (complaints/timeline.py); the append-only triggers now let the retention
job blank a personal entry's parts with its text, and nothing else.
"""

from django.db import migrations, models

from config.db_guards import COMPLAINT_TIMELINE, COMPLAINT_TIMELINE_0007, guard_apply


def new_triggers(apps, schema_editor):
    guard_apply(COMPLAINT_TIMELINE, schema_editor.connection.alias)


def old_triggers(apps, schema_editor):
    guard_apply(COMPLAINT_TIMELINE_0007, schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0009_complaint_submission_key"),
    ]

    operations = [
        migrations.AddField(
            model_name="complaintevent",
            name="parts",
            field=models.JSONField(blank=True, default=dict, verbose_name="parts"),
        ),
        # Replaces the triggers of 0007 (the same names) with ones that know ``parts``.
        migrations.RunPython(new_triggers, old_triggers),
    ]
