"""The complaint timeline is append-only in the database, not only in Python.

Triggers refuse every UPDATE and DELETE of ``complaints_complaintevent`` and of the
personal-data access log, so neither a bug, the admin nor a raw SQL statement can
rewrite history. One change is allowed: the retention job may blank the text of an
entry marked personal (a reply quoting the citizen), changing nothing else. The
triggers are (re)created after every migrate, because SQLite drops a table's triggers
when Django rebuilds the table for a schema change.
"""

from django.db import connections

EVENTS = "complaints_complaintevent"
ACCESSES = "complaints_personaldataaccess"
TABLES = (EVENTS, ACCESSES)

# The one update allowed on the timeline: a personal entry's text blanked, all else equal.
_SQLITE_REDACTION = (
    "OLD.personal = 1 AND NEW.text = '' AND NEW.id = OLD.id AND NEW.kind = OLD.kind "
    "AND NEW.at = OLD.at AND NEW.actor_id IS OLD.actor_id "
    "AND NEW.complaint_id = OLD.complaint_id AND NEW.personal = OLD.personal"
)
_OLD_SQLITE_TRIGGERS = ["%s_no_update" % t for t in TABLES] + ["%s_no_delete" % t for t in TABLES]


def _sqlite_statements() -> list[str]:
    statements = ["DROP TRIGGER IF EXISTS %s" % name for name in _OLD_SQLITE_TRIGGERS]
    for table in TABLES:
        statements.append(
            "CREATE TRIGGER IF NOT EXISTS %s_append_only_delete BEFORE DELETE ON %s "
            "BEGIN SELECT RAISE(ABORT, '%s is append-only'); END" % (table, table, table)
        )
    statements.append(
        "CREATE TRIGGER IF NOT EXISTS %s_append_only_update BEFORE UPDATE ON %s "
        "WHEN NOT (%s) BEGIN SELECT RAISE(ABORT, '%s is append-only'); END"
        % (EVENTS, EVENTS, _SQLITE_REDACTION, EVENTS)
    )
    statements.append(
        "CREATE TRIGGER IF NOT EXISTS %s_append_only_update BEFORE UPDATE ON %s "
        "BEGIN SELECT RAISE(ABORT, '%s is append-only'); END" % (ACCESSES, ACCESSES, ACCESSES)
    )
    return statements


POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION madoguchi_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'complaints_complaintevent'
       AND OLD.personal AND NEW.text = ''
       AND (NEW.id, NEW.kind, NEW.at, NEW.actor_id, NEW.complaint_id, NEW.personal)
           IS NOT DISTINCT FROM (OLD.id, OLD.kind, OLD.at, OLD.actor_id, OLD.complaint_id,
                                 OLD.personal) THEN
        RETURN NEW;  -- the retention job blanking a personal entry
    END IF;
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql
"""


def _postgres_statements(table: str) -> list[str]:
    return [
        "DROP TRIGGER IF EXISTS %s_append_only ON %s" % (table, table),
        "CREATE TRIGGER %s_append_only BEFORE UPDATE OR DELETE ON %s "
        "FOR EACH ROW EXECUTE FUNCTION madoguchi_append_only()" % (table, table),
    ]


def ensure_append_only(using: str = "default") -> None:
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for statement in _sqlite_statements():
                cursor.execute(statement)
        elif connection.vendor == "postgresql":
            cursor.execute(POSTGRES_FUNCTION)
            for table in TABLES:
                for statement in _postgres_statements(table):
                    cursor.execute(statement)


def drop_append_only(using: str = "default") -> None:
    """Remove the triggers: only for a test database about to be flushed (SQLite empties
    tables with DELETE, which the triggers refuse). ``ensure_append_only`` restores them."""
    connection = connections[using]
    with connection.cursor() as cursor:
        for table in TABLES:
            if connection.vendor == "sqlite":
                for name in ("delete", "update"):
                    cursor.execute("DROP TRIGGER IF EXISTS %s_append_only_%s" % (table, name))
            elif connection.vendor == "postgresql":
                cursor.execute("DROP TRIGGER IF EXISTS %s_append_only ON %s" % (table, table))
