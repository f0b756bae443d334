"""Set-up after every migrate, and the admin's changes copied into the access log.

These mirror how Django itself works (permissions are made by a post_migrate handler;
the admin records its changes as LogEntry rows); they are set-up and audit, not a
business workflow.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from config import db_guards
from organization import services

# Set while the admin's bulk delete action runs: it writes the access log itself,
# because Django records several deletions with one bulk INSERT that sends no signal.
_bulk_admin_deletion = ContextVar("bulk_admin_deletion", default=False)


def ensure_role_groups(sender, **kwargs):
    services.role_groups_ensure()


def check_database_guards(sender, using="default", **kwargs):
    """Make again the triggers and constraints SQLite dropped with a rebuilt table."""
    db_guards.guards_check(using)


@contextmanager
def admin_bulk_deletion():
    token = _bulk_admin_deletion.set(True)
    try:
        yield
    finally:
        _bulk_admin_deletion.reset(token)


def admin_change_logged(sender, instance, created, raw=False, **kwargs):
    """Every LogEntry the admin saves (add, change, delete of one object, whatever the
    ModelAdmin) gets its append-only twin in the access log, in the same transaction."""
    if not created or raw or _bulk_admin_deletion.get():
        return
    services.access_log_admin_change(entries=[instance])
