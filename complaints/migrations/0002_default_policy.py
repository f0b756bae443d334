"""A default severity policy and categories, to be adjusted in the admin."""

from django.db import migrations

from complaints import defaults


def seed(apps, schema_editor):
    defaults.ensure(
        apps.get_model("complaints", "SeverityWeight"),
        apps.get_model("complaints", "SeverityLevel"),
        apps.get_model("complaints", "Category"),
    )


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
