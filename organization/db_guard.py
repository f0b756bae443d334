"""Append-only tables: the database itself refuses UPDATE and DELETE of their rows.

Python-level refusals (a model's ``save``/``delete``) stop honest mistakes; these
triggers stop the rest — a queryset ``.update()``, the admin, a raw SQL statement. Each
app registers its append-only tables in its ``AppConfig.ready`` (the access log here,
the complaint timeline in complaints); the triggers of every registered table are
(re)created after every migrate, because SQLite drops a table's triggers when Django
rebuilds the table for a schema change.

A table may allow one kind of UPDATE (the complaint timeline lets the retention job
blank a personal entry's text): a condition on ``OLD`` and ``NEW`` per database. Both
databases get the same two triggers per table, ``<table>_append_only_delete`` and
``<table>_append_only_update`` (the latter with ``WHEN NOT (allowed update)``).
"""

from dataclasses import dataclass, field

from django.db import connections


@dataclass(frozen=True)
class AppendOnlyTable:
    table: str
    # vendor ("sqlite", "postgresql") -> an SQL condition on OLD and NEW under which an
    # UPDATE is let through. None: every UPDATE is refused.
    allowed_update: dict[str, str] = field(default_factory=dict)


_REGISTRY: dict[str, AppendOnlyTable] = {}

# One function for every table on PostgreSQL; the exceptions sit in the triggers' WHEN.
POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION madoguchi_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql
"""


def append_only_register(table: AppendOnlyTable) -> None:
    """Guard ``table`` from the next migrate on. Called from an AppConfig's ``ready``."""
    _REGISTRY[table.table] = table


def registered_tables() -> list[AppendOnlyTable]:
    return list(_REGISTRY.values())


def _trigger_names(table: str) -> tuple[str, str]:
    return "%s_append_only_update" % table, "%s_append_only_delete" % table


def _sqlite_statements(spec: AppendOnlyTable) -> list[str]:
    table = spec.table
    update, delete = _trigger_names(table)
    raise_ = "BEGIN SELECT RAISE(ABORT, '%s is append-only'); END" % table
    allowed = spec.allowed_update.get("sqlite")
    when = "WHEN NOT (%s) " % allowed if allowed else ""
    return [
        "DROP TRIGGER IF EXISTS %s" % update,
        "DROP TRIGGER IF EXISTS %s" % delete,
        "CREATE TRIGGER %s BEFORE UPDATE ON %s %s%s" % (update, table, when, raise_),
        "CREATE TRIGGER %s BEFORE DELETE ON %s %s" % (delete, table, raise_),
    ]


def _postgres_statements(spec: AppendOnlyTable) -> list[str]:
    table = spec.table
    update, delete = _trigger_names(table)
    allowed = spec.allowed_update.get("postgresql")
    when = "WHEN (NOT (%s)) " % allowed if allowed else ""
    return [
        # The single UPDATE-or-DELETE trigger of earlier versions.
        "DROP TRIGGER IF EXISTS %s_append_only ON %s" % (table, table),
        "DROP TRIGGER IF EXISTS %s ON %s" % (update, table),
        "DROP TRIGGER IF EXISTS %s ON %s" % (delete, table),
        "CREATE TRIGGER %s BEFORE UPDATE ON %s FOR EACH ROW %s"
        "EXECUTE FUNCTION madoguchi_append_only()" % (update, table, when),
        "CREATE TRIGGER %s BEFORE DELETE ON %s FOR EACH ROW "
        "EXECUTE FUNCTION madoguchi_append_only()" % (delete, table),
    ]


def _existing(connection, cursor, tables) -> list[AppendOnlyTable]:
    """Only tables that exist: a migrate may stop before an app's tables are made, and
    PostgreSQL refuses ``DROP TRIGGER … ON`` a table that is not there."""
    present = set(connection.introspection.table_names(cursor))
    return [spec for spec in tables if spec.table in present]


def ensure_append_only(using: str = "default") -> None:
    """(Re)create the triggers of every registered table that exists. Idempotent."""
    connection = connections[using]
    with connection.cursor() as cursor:
        tables = _existing(connection, cursor, registered_tables())
        if connection.vendor == "sqlite":
            for spec in tables:
                for statement in _sqlite_statements(spec):
                    cursor.execute(statement)
        elif connection.vendor == "postgresql":
            cursor.execute(POSTGRES_FUNCTION)
            for spec in tables:
                for statement in _postgres_statements(spec):
                    cursor.execute(statement)


def drop_append_only(using: str = "default") -> None:
    """Remove the triggers: only for a test database about to be flushed (SQLite empties
    tables with DELETE, which the triggers refuse). ``ensure_append_only`` restores them."""
    connection = connections[using]
    with connection.cursor() as cursor:
        for spec in _existing(connection, cursor, registered_tables()):
            for name in _trigger_names(spec.table):
                if connection.vendor == "sqlite":
                    cursor.execute("DROP TRIGGER IF EXISTS %s" % name)
                elif connection.vendor == "postgresql":
                    cursor.execute("DROP TRIGGER IF EXISTS %s ON %s" % (name, spec.table))
