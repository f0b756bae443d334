"""The database refuses two overlapping holding reservations of one clerk.

PostgreSQL: an exclusion constraint over (staff, time range) with btree_gist.
SQLite: triggers that abort such an insert or update. Both treat every status but
cancelled and expired as holding the clerk's time, so statuses added later hold it too.
"""

from django.db import migrations

RELEASED = "('cancelled', 'expired')"

POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    f"""
    ALTER TABLE reservations_reservation
      ADD CONSTRAINT reservation_staff_no_overlap
      EXCLUDE USING gist (staff_id WITH =, tstzrange(start_at, end_at, '[)') WITH &&)
      WHERE (status NOT IN {RELEASED})
    """,
]
POSTGRES_BACKWARD = [
    "ALTER TABLE reservations_reservation DROP CONSTRAINT reservation_staff_no_overlap",
]

_OVERLAP = f"""
    SELECT RAISE(ABORT, 'reservation_staff_no_overlap') WHERE EXISTS (
      SELECT 1 FROM reservations_reservation r
       WHERE r.staff_id = NEW.staff_id AND r.id IS NOT NEW.id
         AND r.status NOT IN {RELEASED}
         AND r.start_at < NEW.end_at AND NEW.start_at < r.end_at
    );
"""
SQLITE_FORWARD = [
    f"""
    CREATE TRIGGER reservation_staff_no_overlap_insert
    BEFORE INSERT ON reservations_reservation
    WHEN NEW.status NOT IN {RELEASED}
    BEGIN {_OVERLAP} END
    """,
    f"""
    CREATE TRIGGER reservation_staff_no_overlap_update
    BEFORE UPDATE OF staff_id, start_at, end_at, status ON reservations_reservation
    WHEN NEW.status NOT IN {RELEASED}
    BEGIN {_OVERLAP} END
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS reservation_staff_no_overlap_insert",
    "DROP TRIGGER IF EXISTS reservation_staff_no_overlap_update",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("reservations", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        )
    ]
