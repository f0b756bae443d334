"""Every rule the database itself enforces with triggers or constraints, in one registry.

Python-level checks stop honest mistakes; these guards stop the rest (a queryset
``.update()``, the admin, raw SQL, a race between two requests):

- ``reservation_staff_no_overlap``: two holding bookings of one clerk never overlap
  (PostgreSQL: an exclusion constraint with btree_gist; SQLite: two triggers);
- ``document_rule_new_version``: a change of a document rule's wording in any language
  always makes a new version (a consent records the version the citizen was shown);
- ``<table>_append_only``: the access log and the complaint timeline refuse UPDATE and
  DELETE (the timeline lets the retention job blank a personal entry's text).

Each guard is applied by its app's migration (``RunPython(*guard_operations(name))``)
and checked by one post-migrate handler (``guards_check``): SQLite drops a table's
triggers when Django rebuilds the table for a schema change, so a guard found missing
is made again. A guard is checked only where its table has its columns (a database
migrated back to before them keeps the guard its migrations made). Table names only:
this module imports no app.
"""

from dataclasses import dataclass

from django.db import connections

SQLITE, POSTGRES = "sqlite", "postgresql"


@dataclass(frozen=True)
class Guard:
    name: str
    table: str
    columns: tuple[str, ...]  # the guard needs these columns of ``table``
    create: dict[str, list[str]]  # vendor -> statements
    drop: dict[str, list[str]]  # vendor -> statements; safe when the guard is absent
    # vendor -> (a query counting the guard's triggers or constraints, their number)
    present: dict[str, tuple[str, int]]


def _count_triggers(names) -> dict[str, tuple[str, int]]:
    quoted = ", ".join("'%s'" % name for name in names)
    return {
        SQLITE: (
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN (%s)" % quoted,
            len(names),
        ),
        POSTGRES: ("SELECT count(*) FROM pg_trigger WHERE tgname IN (%s)" % quoted, len(names)),
    }


# --- No double booking of a clerk ---------------------------------------------------

_RELEASED = "('cancelled', 'expired')"
_OVERLAP = f"""
    SELECT RAISE(ABORT, 'reservation_staff_no_overlap') WHERE EXISTS (
      SELECT 1 FROM reservations_reservation r
       WHERE r.staff_id = NEW.staff_id AND r.id IS NOT NEW.id
         AND r.status NOT IN {_RELEASED}
         AND r.start_at < NEW.end_at AND NEW.start_at < r.end_at
    );
"""

NO_OVERLAP = Guard(
    name="reservation_staff_no_overlap",
    table="reservations_reservation",
    columns=("staff_id", "start_at", "end_at", "status"),
    # Every status but cancelled and expired holds the clerk's time, so statuses added
    # later hold it too.
    create={
        POSTGRES: [
            "CREATE EXTENSION IF NOT EXISTS btree_gist",
            f"""
            ALTER TABLE reservations_reservation
              ADD CONSTRAINT reservation_staff_no_overlap
              EXCLUDE USING gist (staff_id WITH =, tstzrange(start_at, end_at, '[)') WITH &&)
              WHERE (status NOT IN {_RELEASED})
            """,
        ],
        SQLITE: [
            f"""
            CREATE TRIGGER reservation_staff_no_overlap_insert
            BEFORE INSERT ON reservations_reservation
            WHEN NEW.status NOT IN {_RELEASED}
            BEGIN {_OVERLAP} END
            """,
            f"""
            CREATE TRIGGER reservation_staff_no_overlap_update
            BEFORE UPDATE OF staff_id, start_at, end_at, status ON reservations_reservation
            WHEN NEW.status NOT IN {_RELEASED}
            BEGIN {_OVERLAP} END
            """,
        ],
    },
    drop={
        POSTGRES: [
            "ALTER TABLE reservations_reservation "
            "DROP CONSTRAINT IF EXISTS reservation_staff_no_overlap",
        ],
        SQLITE: [
            "DROP TRIGGER IF EXISTS reservation_staff_no_overlap_insert",
            "DROP TRIGGER IF EXISTS reservation_staff_no_overlap_update",
        ],
    },
    present={
        **_count_triggers(
            ["reservation_staff_no_overlap_insert", "reservation_staff_no_overlap_update"]
        ),
        POSTGRES: (
            "SELECT count(*) FROM pg_constraint WHERE conname = 'reservation_staff_no_overlap'",
            1,
        ),
    },
)


# --- A document rule's new wording is a new version ---------------------------------


def _rule_version_guard(name: str, text_columns: list[str]) -> Guard:
    """The version trigger over ``text_columns``: an UPDATE that changes one of them
    without raising ``version`` gets the next version; the version never goes back."""
    sqlite_changed = "(" + " OR ".join("NEW.%s IS NOT OLD.%s" % (c, c) for c in text_columns)
    sqlite_changed += ")"
    postgres_changed = " OR ".join("NEW.%s IS DISTINCT FROM OLD.%s" % (c, c) for c in text_columns)
    return Guard(
        name=name,
        table="reservations_documentrule",
        columns=(*text_columns, "version"),
        create={
            SQLITE: [
                f"""
                CREATE TRIGGER document_rule_new_version
                AFTER UPDATE OF {", ".join(text_columns)}, version ON reservations_documentrule
                WHEN ({sqlite_changed} AND NEW.version <= OLD.version)
                  OR (NOT {sqlite_changed} AND NEW.version < OLD.version)
                BEGIN
                  UPDATE reservations_documentrule
                     SET version = OLD.version + (CASE WHEN {sqlite_changed} THEN 1 ELSE 0 END)
                   WHERE id = NEW.id;
                END
                """,
            ],
            POSTGRES: [
                f"""
                CREATE OR REPLACE FUNCTION document_rule_new_version() RETURNS trigger AS $$
                BEGIN
                  IF {postgres_changed} THEN
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
            ],
        },
        drop={
            SQLITE: ["DROP TRIGGER IF EXISTS document_rule_new_version"],
            POSTGRES: [
                "DROP TRIGGER IF EXISTS document_rule_new_version ON reservations_documentrule",
                "DROP FUNCTION IF EXISTS document_rule_new_version()",
            ],
        },
        present=_count_triggers(["document_rule_new_version"]),
    )


# The rule's wording in every citizen language (migration reservations 0011).
RULE_TEXT_COLUMNS = [
    "text",
    "text_ja",
    "text_ja_easy",
    "text_en",
    "text_zh_hans",
    "text_ko",
    "text_vi",
    "text_pt_br",
]
RULE_VERSION = _rule_version_guard("document_rule_new_version", RULE_TEXT_COLUMNS)
# Its first form, over the Japanese and English texts only (migration reservations 0008
# makes it, 0011 replaces it); history, not checked after migrate.
RULE_VERSION_0008 = _rule_version_guard("document_rule_new_version_0008", ["text", "text_en"])


# --- Append-only tables ---------------------------------------------------------------

# One function for every table on PostgreSQL; the exceptions sit in the triggers' WHEN.
_POSTGRES_APPEND_ONLY_FUNCTION = """
CREATE OR REPLACE FUNCTION madoguchi_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql
"""


def _append_only_guard(
    table: str, columns=(), allowed_update: dict | None = None, name: str = ""
) -> Guard:
    """Triggers ``<table>_append_only_update`` and ``_delete`` refusing UPDATE and DELETE;
    ``allowed_update``: vendor -> an SQL condition on OLD and NEW under which an UPDATE
    is let through (the update trigger has ``WHEN NOT (condition)``)."""
    allowed_update = allowed_update or {}
    update, delete = "%s_append_only_update" % table, "%s_append_only_delete" % table
    raise_ = "BEGIN SELECT RAISE(ABORT, '%s is append-only'); END" % table
    sqlite_when = "WHEN NOT (%s) " % allowed_update[SQLITE] if SQLITE in allowed_update else ""
    postgres_when = (
        "WHEN (NOT (%s)) " % allowed_update[POSTGRES] if POSTGRES in allowed_update else ""
    )
    return Guard(
        name=name or "%s_append_only" % table,
        table=table,
        columns=tuple(columns),
        create={
            SQLITE: [
                "CREATE TRIGGER %s BEFORE UPDATE ON %s %s%s" % (update, table, sqlite_when, raise_),
                "CREATE TRIGGER %s BEFORE DELETE ON %s %s" % (delete, table, raise_),
            ],
            POSTGRES: [
                _POSTGRES_APPEND_ONLY_FUNCTION,
                "CREATE TRIGGER %s BEFORE UPDATE ON %s FOR EACH ROW %s"
                "EXECUTE FUNCTION madoguchi_append_only()" % (update, table, postgres_when),
                "CREATE TRIGGER %s BEFORE DELETE ON %s FOR EACH ROW "
                "EXECUTE FUNCTION madoguchi_append_only()" % (delete, table),
            ],
        },
        drop={
            SQLITE: ["DROP TRIGGER IF EXISTS %s" % name for name in (update, delete)],
            POSTGRES: [
                # The single UPDATE-or-DELETE trigger of earlier versions.
                "DROP TRIGGER IF EXISTS %s_append_only ON %s" % (table, table),
                *("DROP TRIGGER IF EXISTS %s ON %s" % (name, table) for name in (update, delete)),
            ],
        },
        present=_count_triggers([update, delete]),
    )


ACCESS_LOG = _append_only_guard("organization_accesslog")


def _timeline_guard(*, with_parts: bool, name: str = "") -> Guard:
    """The complaint timeline's triggers. The one update allowed: a personal entry's
    text blanked (retention), all else equal; ``with_parts``: its parts blanked with it
    or left as they were."""
    parts = {
        SQLITE: "AND (NEW.parts = '{}' OR NEW.parts = OLD.parts) " if with_parts else "",
        POSTGRES: "AND (NEW.parts = '{}'::jsonb OR NEW.parts = OLD.parts) " if with_parts else "",
    }
    return _append_only_guard(
        "complaints_complaintevent",
        columns=(
            "personal",
            "text",
            *(("parts",) if with_parts else ()),
            "kind",
            "at",
            "actor_id",
            "complaint_id",
        ),
        allowed_update={
            SQLITE: (
                "OLD.personal = 1 AND NEW.text = '' %sAND NEW.id = OLD.id "
                "AND NEW.kind = OLD.kind AND NEW.at = OLD.at AND NEW.actor_id IS OLD.actor_id "
                "AND NEW.complaint_id = OLD.complaint_id AND NEW.personal = OLD.personal"
            )
            % parts[SQLITE],
            POSTGRES: (
                "OLD.personal AND NEW.text = '' %s"
                "AND (NEW.id, NEW.kind, NEW.at, NEW.actor_id, NEW.complaint_id, NEW.personal) "
                "IS NOT DISTINCT FROM "
                "(OLD.id, OLD.kind, OLD.at, OLD.actor_id, OLD.complaint_id, OLD.personal)"
            )
            % parts[POSTGRES],
        },
        name=name,
    )


COMPLAINT_TIMELINE = _timeline_guard(with_parts=True)
# Its form before the timeline had ``parts`` (migrations complaints 0007 and 0008 make
# it, 0010 replaces it); history, not checked after migrate.
COMPLAINT_TIMELINE_0007 = _timeline_guard(
    with_parts=False, name="complaints_complaintevent_append_only_0007"
)
APPEND_ONLY = [ACCESS_LOG, COMPLAINT_TIMELINE]

# The guards checked after every migrate, by name.
GUARDS = {guard.name: guard for guard in [NO_OVERLAP, RULE_VERSION, *APPEND_ONLY]}
_HISTORY = {guard.name: guard for guard in [RULE_VERSION_0008, COMPLAINT_TIMELINE_0007]}


# --- Applying and checking ------------------------------------------------------------


def guard_apply(guard: Guard, using: str = "default") -> None:
    """(Re)make ``guard``: its drop statements, then its create statements."""
    _execute(
        connections[using], [*_statements(guard.drop, using), *_statements(guard.create, using)]
    )


def guard_drop(guard: Guard, using: str = "default") -> None:
    _execute(connections[using], _statements(guard.drop, using))


def guard_missing(guard: Guard, using: str = "default") -> bool:
    """Whether the database lacks (part of) ``guard``; False where it does not apply
    (another database, its table or columns not there)."""
    connection = connections[using]
    if connection.vendor not in guard.present or not _applies(connection, guard):
        return False
    query, whole = guard.present[connection.vendor]
    with connection.cursor() as cursor:
        cursor.execute(query)
        return cursor.fetchone()[0] < whole


def guards_check(using: str = "default", guards=None) -> list[str]:
    """Make again every guard found missing (post-migrate); the names of those made."""
    made = []
    for guard in guards if guards is not None else GUARDS.values():
        if guard_missing(guard, using):
            guard_apply(guard, using)
            made.append(guard.name)
    return made


def guard_operations(name: str):
    """``RunPython`` arguments applying the guard ``name`` forward and dropping it
    backward, for a migration."""
    guard = GUARDS.get(name) or _HISTORY[name]

    def forward(apps, schema_editor):
        guard_apply(guard, schema_editor.connection.alias)

    def backward(apps, schema_editor):
        guard_drop(guard, schema_editor.connection.alias)

    return forward, backward


def _statements(by_vendor: dict[str, list[str]], using: str) -> list[str]:
    return by_vendor.get(connections[using].vendor, [])


def _execute(connection, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _applies(connection, guard: Guard) -> bool:
    with connection.cursor() as cursor:
        if guard.table not in connection.introspection.table_names(cursor):
            return False
        columns = {
            column.name
            for column in connection.introspection.get_table_description(cursor, guard.table)
        }
    return set(guard.columns) <= columns
