"""The complaint timeline is append-only in the database, not only in Python.

The generic triggers of ``organization/db_guard.py`` refuse every UPDATE and DELETE of
``complaints_complaintevent``, so neither a bug, the admin nor a raw SQL statement can
rewrite history. One change is allowed: the retention job may blank the text of an
entry marked personal (a reply quoting the citizen), changing nothing else.

Who saw a complaint's personal data is written to the one access log of the app
(``organization.AccessLog``, append-only the same way); the complaints' own log table
of earlier versions was copied into it and dropped (migration 0004).
"""

from django.db import connections

from organization.db_guard import AppendOnlyTable

EVENTS = "complaints_complaintevent"

TIMELINE = AppendOnlyTable(
    EVENTS,
    # The one update allowed: a personal entry's text blanked, all else equal.
    allowed_update={
        "sqlite": (
            "OLD.personal = 1 AND NEW.text = '' AND NEW.id = OLD.id AND NEW.kind = OLD.kind "
            "AND NEW.at = OLD.at AND NEW.actor_id IS OLD.actor_id "
            "AND NEW.complaint_id = OLD.complaint_id AND NEW.personal = OLD.personal"
        ),
        "postgresql": (
            "OLD.personal AND NEW.text = '' "
            "AND (NEW.id, NEW.kind, NEW.at, NEW.actor_id, NEW.complaint_id, NEW.personal) "
            "IS NOT DISTINCT FROM "
            "(OLD.id, OLD.kind, OLD.at, OLD.actor_id, OLD.complaint_id, OLD.personal)"
        ),
    },
)

# Triggers of earlier versions on SQLite, by name (dropping a trigger needs no table, so
# these run harmlessly once the old access-log table is gone). A leftover "no update"
# trigger on the timeline would refuse the retention job's redaction. On PostgreSQL
# the old timeline trigger is replaced by organization.db_guard, and the old log
# table's triggers went with its table.
_OLD_SQLITE_TRIGGERS = [
    "%s_%s" % (table, suffix)
    for table in (EVENTS, "complaints_personaldataaccess")
    for suffix in ("no_update", "no_delete")
]


def drop_old_triggers(using: str = "default") -> None:
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for name in _OLD_SQLITE_TRIGGERS:
            cursor.execute("DROP TRIGGER IF EXISTS %s" % name)
