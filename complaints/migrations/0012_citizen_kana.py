"""The reading of the citizen's name, recorded with the complaint (optional), and the
knowledge index made again: the redaction now also takes out a name of one-character
parts (李 明), a name recorded without a space, and the name's readings in kana and
romaji, which the index of closed cases still held."""

import importlib

from django.db import migrations, models


def forwards(apps, schema_editor):
    # The index is made again exactly as 0011 made it, with today's redaction.
    earlier = importlib.import_module(
        "complaints.migrations.0011_knowledge_index_without_personal_data"
    )
    earlier.forwards(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("complaints", "0011_knowledge_index_without_personal_data")]

    operations = [
        migrations.AddField(
            model_name="complaint",
            name="citizen_kana",
            field=models.CharField(
                blank=True,
                help_text=(
                    "In kana, e.g. やまだ たろう: it is taken out of what departments without "
                    "the need to know read, like the name."
                ),
                max_length=100,
                verbose_name="reading of the citizen's name",
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
