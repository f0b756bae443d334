"""Which function writes the message of each kind of outbox e-mail.

The apps that promise e-mails register a builder for each of their kinds in their
``AppConfig.ready``; the outbox itself knows nothing about bookings or complaints. A
builder takes the outbox row and returns the message to send (the relay has switched to
the row's language), or None when nothing needs sending any more.

A kind may also register a preloader: given the rows of that kind in a batch the relay
is about to send, it reads what their builders need at once (one query for the batch
instead of one for each row) and returns it by the rows' ``object_id``; a builder asks
for it with ``preloaded(email)`` and reads the object itself when it is not there.
"""

import contextlib
import contextvars
import logging
from collections import defaultdict
from collections.abc import Callable

from django.core.mail import EmailMessage

logger = logging.getLogger("madoguchi.outbox")

Builder = Callable[["Email"], EmailMessage | None]  # noqa: F821
Preloader = Callable[[list["Email"]], dict]  # noqa: F821

_builders: dict[str, Builder] = {}
_labels: dict[str, str] = {}
_preloaders: dict[str, Preloader] = {}
_subjects: dict[str, Callable[[int], str]] = {}
# kind -> {object_id: object}, while the relay sends a batch (see ``preloading``).
_preloaded: contextvars.ContextVar[dict] = contextvars.ContextVar("outbox_preloaded")


def register(
    kind: str,
    builder: Builder,
    *,
    label: str,
    preload: Preloader | None = None,
    subject: Callable[[int], str] | None = None,
) -> None:
    """``label``: what administrators read for the kind (a lazy translation);
    ``preload``: the kind's preloader, if any; ``subject``: the address, from a row's
    ``object_id``, of the page of what it is about (the booking, the complaint), so that
    staff go from a failed e-mail to the citizen's telephone number."""
    _builders[kind] = builder
    _labels[kind] = label
    if preload is not None:
        _preloaders[kind] = preload
    if subject is not None:
        _subjects[kind] = subject


def subject_url(email) -> str | None:
    """The page of what ``email`` is about, if its kind said how to find it."""
    subject = _subjects.get(email.kind)
    return subject(email.object_id) if subject and email.object_id else None


@contextlib.contextmanager
def preloading(emails: list):
    """While the relay sends ``emails``: what each kind's preloader read for its rows
    among them. A preloader that fails is logged and left out (each builder then reads
    its own object, and its own failure is that row's alone)."""
    rows = defaultdict(list)
    for email in emails:
        rows[email.kind].append(email)
    loaded = {}
    for kind, of_kind in rows.items():
        preload = _preloaders.get(kind)
        if preload is not None and len(of_kind) > 1:
            try:
                loaded[kind] = preload(of_kind)
            except Exception:
                logger.exception("Preloading %d outbox e-mails (%s) failed", len(of_kind), kind)
    token = _preloaded.set(loaded)
    try:
        yield
    finally:
        _preloaded.reset(token)


def preloaded(email):
    """What the batch's preloader read for ``email``, or None: read it yourself."""
    return _preloaded.get({}).get(email.kind, {}).get(email.object_id)


def label_for(kind: str) -> str:
    return _labels.get(kind, kind)


def kinds() -> list[tuple[str, str]]:
    return sorted(_labels.items())


def builder_for(kind: str) -> Builder:
    try:
        return _builders[kind]
    except KeyError:
        raise LookupError("No builder registered for outbox e-mails of kind %r" % kind) from None
