"""The knowledge base searches only its index, made without the citizen's personal data.

Until now a query also matched the stored texts as written, so typing a citizen's name
found the cases whose summary or answer named them, although the cases shown had the
name taken out. The index now also holds the texts as written, folded and redacted
(``complaints.textsearch.complaint_index``): it is made again for every closed case.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    from complaints.textsearch import complaint_index

    alias = schema_editor.connection.alias
    Complaint = apps.get_model("complaints", "Complaint")
    for complaint in Complaint.objects.using(alias).filter(status="closed").iterator():
        index = complaint_index(complaint)
        if index != complaint.search_index:
            complaint.search_index = index
            complaint.save(update_fields=["search_index"])


class Migration(migrations.Migration):
    dependencies = [("complaints", "0010_timeline_parts")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
