"""The complaint timeline is append-only in the database, not only in Python.

Triggers refuse every UPDATE and DELETE of ``complaints_complaintevent`` (and of the
personal-data access log), so neither a bug, the admin nor a raw SQL statement can
rewrite history. They are (re)created after every migrate, because SQLite drops a
table's triggers when Django rebuilds the table for a schema change.
"""

from django.db import connections

TABLES = ("complaints_complaintevent", "complaints_personaldataaccess")


def _sqlite_statements(table: str) -> list[str]:
    return [
        "CREATE TRIGGER IF NOT EXISTS %s_no_%s BEFORE %s ON %s "
        "BEGIN SELECT RAISE(ABORT, '%s is append-only'); END"
        % (table, op.lower(), op, table, table)
        for op in ("UPDATE", "DELETE")
    ]


POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION madoguchi_append_only() RETURNS trigger AS $$
BEGIN
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
            for table in TABLES:
                for statement in _sqlite_statements(table):
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
                for op in ("update", "delete"):
                    cursor.execute("DROP TRIGGER IF EXISTS %s_no_%s" % (table, op))
            elif connection.vendor == "postgresql":
                cursor.execute("DROP TRIGGER IF EXISTS %s_append_only ON %s" % (table, table))
