"""What every complaint service shares: the domain error, the timeline entry, the row
lock and the e-mail promise.

Each service locks the complaint row first (PostgreSQL ``FOR UPDATE``; SQLite takes its
write lock at the start of the transaction), appends its entry to the timeline, keeps
the stored deadlines true (``deadlines.deadlines_refresh``) and promises e-mails in its
own transaction (the outbox relay sends them after commit).
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints import notify
from complaints.models import QUOTING_KINDS, Complaint, ComplaintEvent, Status
from complaints.notify import NotifyEvent


class ComplaintError(Exception):
    """A step the complaint cannot take now; ``message`` is shown to the person."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def event_add(complaint, kind, actor, text="", *, at=None) -> ComplaintEvent:
    """Append to the timeline; an entry of a kind that may quote the citizen is personal.
    ``text`` may be ``(text, parts)`` from ``complaints.timeline.event_parts``: what the
    system wrote, for each reader to read in their own language."""
    text, parts = text if isinstance(text, tuple) else (text, {})
    return ComplaintEvent.objects.create(
        complaint=complaint,
        kind=kind,
        actor=actor,
        text=text,
        parts=parts,
        personal=kind in QUOTING_KINDS,
        at=at or timezone.now(),
    )


def locked(complaint: Complaint) -> Complaint:
    return Complaint.objects.select_for_update().get(pk=complaint.pk)


def require_open(complaint: Complaint) -> None:
    if complaint.status == Status.CLOSED:
        raise ComplaintError(_("This complaint is closed. Reopen it first, with a reason."))


# Set while loading history (the demo, an import of past cases): nobody is e-mailed.
_quiet: ContextVar[bool] = ContextVar("complaint_notifications_off", default=False)


@contextmanager
def notifications_off():
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)


def notify_event(complaint: Complaint, event: NotifyEvent, **ids) -> None:
    """Promise the e-mail about an event, in the event's transaction (the outbox)."""
    if not _quiet.get():
        notify.event_email_queue(complaint, event, **ids)
