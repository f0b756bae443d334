"""The access log refuses UPDATE and DELETE in the database (config/db_guards.py).

Its triggers used to exist only through a post-migrate handler; now this migration makes
them, and the one post-migrate check (``guards_check``) makes them again where SQLite
dropped them with a rebuilt table. A later migration that must rewrite the log drops the
guard first (``guard_drop``) and applies it again after.
"""

from django.db import migrations

from config.db_guards import guard_operations


class Migration(migrations.Migration):
    dependencies = [("organization", "0007_merge_0006_reading_correction_0006_translated_texts")]

    operations = [migrations.RunPython(*guard_operations("organization_accesslog_append_only"))]
