"""Keep the database's no-double-booking guard in place after every migrate.

Migration 0002 creates it. On SQLite, Django applies some later schema changes by
rebuilding the table (create, copy, drop, rename), which drops its triggers; so after
every migrate the guard is checked and re-created where it is missing. A test asserts
that the database refuses an overlapping booking, so a lost guard cannot go unnoticed.
"""

import importlib

from django.db import connections

_guard = importlib.import_module("reservations.migrations.0002_no_double_booking")
_versions_0008 = importlib.import_module("reservations.migrations.0008_document_rule_versions")
_versions = importlib.import_module("reservations.migrations.0011_translated_texts")


def ensure_no_overlap_guard(using: str = "default") -> bool:
    """Create the guard if it is missing; True when it had to be created."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if "reservations_reservation" not in connection.introspection.table_names(cursor):
            return False  # migrated to a point before the bookings table exists
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN "
                "('reservation_staff_no_overlap_insert', 'reservation_staff_no_overlap_update')"
            )
            if cursor.fetchone()[0] == 2:
                return False
            for statement in _guard.SQLITE_BACKWARD + _guard.SQLITE_FORWARD:
                cursor.execute(statement)
            return True
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT 1 FROM pg_constraint WHERE conname = 'reservation_staff_no_overlap'"
            )
            if cursor.fetchone():
                return False
            for statement in _guard.POSTGRES_FORWARD:
                cursor.execute(statement)
            return True
    return False


def ensure_rule_version_guard(using: str = "default") -> bool:
    """Re-create the document rules' version trigger (migration 0011) if it is missing
    (SQLite drops triggers when it rebuilds a table); True when it had to be created."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if "reservations_documentrule" not in connection.introspection.table_names(cursor):
            return False
        # Before migration 0011 the rule has only its Japanese and English columns.
        columns = {
            column.name
            for column in connection.introspection.get_table_description(
                cursor, "reservations_documentrule"
            )
        }
        versions = _versions if "text_ja" in columns else _versions_0008
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                "AND name = 'document_rule_new_version'"
            )
            statements = versions.SQLITE_BACKWARD + versions.SQLITE_FORWARD
        elif connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM pg_trigger WHERE tgname = 'document_rule_new_version'"
            )
            statements = versions.POSTGRES_BACKWARD + versions.POSTGRES_FORWARD
        else:
            return False
        if cursor.fetchone()[0]:
            return False
        for statement in statements:
            cursor.execute(statement)
        return True
