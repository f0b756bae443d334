"""Staff's own texts about a case may name or quote the citizen: mark them personal.

Until now only replies to the citizen were personal. Notes, reports, the reasons of a
pause, a change of level, a closing, its approval or refusal, a reopening and the
citizen's state were shown to departments asked for information only, and the retention
job could not blank them. Entries of these kinds (``QUOTING_KINDS``) become personal; the
timeline's append-only triggers refuse that change, so they are dropped for it and made
again. The knowledge search no longer indexes the first response, which it never shows.
"""

from django.db import migrations

from config.db_guards import COMPLAINT_TIMELINE_0007, guard_apply, guard_drop

KINDS = [
    "note",
    "reply",
    "report",
    "level_changed",
    "paused",
    "closing_requested",
    "approval_refused",
    "approved",
    "reopened",
    "citizen_state",
]


def forwards(apps, schema_editor):
    from complaints.textsearch import complaint_index

    alias = schema_editor.connection.alias
    ComplaintEvent = apps.get_model("complaints", "ComplaintEvent")
    if ComplaintEvent.objects.using(alias).filter(kind__in=KINDS, personal=False).exists():
        guard = COMPLAINT_TIMELINE_0007
        guard_drop(guard, alias)
        ComplaintEvent.objects.using(alias).filter(kind__in=KINDS).update(personal=True)
        guard_apply(guard, alias)
    Complaint = apps.get_model("complaints", "Complaint")
    for complaint in Complaint.objects.using(alias).filter(status="closed").iterator():
        index = complaint_index(complaint)
        if index != complaint.search_index:
            complaint.search_index = index
            complaint.save(update_fields=["search_index"])


class Migration(migrations.Migration):
    dependencies = [("complaints", "0007_timeline_guard")]

    # Backwards leaves the entries personal: shown to fewer people, never to more.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
