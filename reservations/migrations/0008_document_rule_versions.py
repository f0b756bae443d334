"""A change of a document rule's wording always makes a new version, whatever writes it.

The model's ``save()`` gives the new number; these triggers hold the line for writes
that bypass it (``QuerySet.update()``, raw SQL, another program): an UPDATE that changes
``text`` or ``text_en`` without raising ``version`` gets the next version, and the
version never goes back. A consent records the version the citizen was shown, so the
same number can never stand for two wordings. The SQL: config/db_guards.py.
"""

from django.db import migrations

from config.db_guards import guard_operations


class Migration(migrations.Migration):
    dependencies = [("reservations", "0007_counter_location_en")]

    # Its first form, over ``text`` and ``text_en``; 0011 replaces it.
    operations = [migrations.RunPython(*guard_operations("document_rule_new_version_0008"))]
