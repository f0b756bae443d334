"""Which function writes the message of each kind of outbox e-mail.

The apps that promise e-mails register a builder for each of their kinds in their
``AppConfig.ready``; the outbox itself knows nothing about bookings or complaints. A
builder takes the outbox row and returns the message to send (the relay has switched to
the row's language), or None when nothing needs sending any more.
"""

from collections.abc import Callable

from django.core.mail import EmailMessage

Builder = Callable[["Email"], EmailMessage | None]  # noqa: F821

_builders: dict[str, Builder] = {}
_labels: dict[str, str] = {}


def register(kind: str, builder: Builder, *, label: str) -> None:
    """``label``: what administrators read for the kind (a lazy translation)."""
    _builders[kind] = builder
    _labels[kind] = label


def label_for(kind: str) -> str:
    return _labels.get(kind, kind)


def kinds() -> list[tuple[str, str]]:
    return sorted(_labels.items())


def builder_for(kind: str) -> Builder:
    try:
        return _builders[kind]
    except KeyError:
        raise LookupError("No builder registered for outbox e-mails of kind %r" % kind) from None
