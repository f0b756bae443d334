"""The database refuses two overlapping holding reservations of one clerk
(config/db_guards.py, NO_OVERLAP).

PostgreSQL: an exclusion constraint over (staff, time range) with btree_gist.
SQLite: triggers that abort such an insert or update. Both treat every status but
cancelled and expired as holding the clerk's time, so statuses added later hold it too.
"""

from django.db import migrations

from config.db_guards import guard_operations


class Migration(migrations.Migration):
    dependencies = [("reservations", "0001_initial")]

    operations = [migrations.RunPython(*guard_operations("reservation_staff_no_overlap"))]
