"""The complaint timeline refuses UPDATE and DELETE in the database, but for the
retention job blanking a personal entry's text (config/db_guards.py).

Its triggers used to exist only through a post-migrate handler; now this migration makes
them, and the one post-migrate check (``guards_check``) makes them again where SQLite
dropped them with a rebuilt table. The triggers of earlier versions on SQLite (a "no
update" one on the timeline would refuse the retention job's redaction, and those of
the complaints' own access log, whose table migration 0004 dropped) were dropped on
every migrate; they are dropped here, once. On PostgreSQL the old timeline trigger is
dropped by the guard itself, and the old log table's triggers went with its table.
"""

from django.db import migrations

from config.db_guards import guard_operations

OLD_SQLITE_TRIGGERS = [
    "%s_%s" % (table, suffix)
    for table in ("complaints_complaintevent", "complaints_personaldataaccess")
    for suffix in ("no_update", "no_delete")
]


def drop_old_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for name in OLD_SQLITE_TRIGGERS:
            schema_editor.execute("DROP TRIGGER IF EXISTS %s" % name)


class Migration(migrations.Migration):
    dependencies = [("complaints", "0006_translated_texts")]

    operations = [
        migrations.RunPython(drop_old_triggers, migrations.RunPython.noop),
        migrations.RunPython(*guard_operations("complaints_complaintevent_append_only_0007")),
    ]
