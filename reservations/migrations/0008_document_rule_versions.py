"""A change of a document rule's wording always makes a new version, whatever writes it.

The model's ``save()`` gives the new number; these triggers hold the line for writes
that bypass it (``QuerySet.update()``, raw SQL, another program): an UPDATE that changes
``text`` or ``text_en`` without raising ``version`` gets the next version, and the
version never goes back. A consent records the version the citizen was shown, so the
same number can never stand for two wordings.
"""

from django.db import migrations

_CHANGED = "(NEW.text IS NOT OLD.text OR NEW.text_en IS NOT OLD.text_en)"

SQLITE_FORWARD = [
    f"""
    CREATE TRIGGER document_rule_new_version
    AFTER UPDATE OF text, text_en, version ON reservations_documentrule
    WHEN ({_CHANGED} AND NEW.version <= OLD.version)
      OR (NOT {_CHANGED} AND NEW.version < OLD.version)
    BEGIN
      UPDATE reservations_documentrule
         SET version = OLD.version + (CASE WHEN {_CHANGED} THEN 1 ELSE 0 END)
       WHERE id = NEW.id;
    END
    """,
]
SQLITE_BACKWARD = ["DROP TRIGGER IF EXISTS document_rule_new_version"]

POSTGRES_FORWARD = [
    """
    CREATE OR REPLACE FUNCTION document_rule_new_version() RETURNS trigger AS $$
    BEGIN
      IF NEW.text IS DISTINCT FROM OLD.text OR NEW.text_en IS DISTINCT FROM OLD.text_en THEN
        IF NEW.version <= OLD.version THEN
          NEW.version := OLD.version + 1;
        END IF;
      ELSIF NEW.version < OLD.version THEN
        NEW.version := OLD.version;
      END IF;
      RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER document_rule_new_version
    BEFORE UPDATE ON reservations_documentrule
    FOR EACH ROW EXECUTE FUNCTION document_rule_new_version()
    """,
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS document_rule_new_version ON reservations_documentrule",
    "DROP FUNCTION IF EXISTS document_rule_new_version()",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("reservations", "0007_counter_location_en")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        )
    ]
