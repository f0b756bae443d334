"""Personal data is kept for PERSONAL_DATA_RETENTION_DAYS, then anonymised (APPI).

Each app anonymises its own rows (reservations, notices, complaints: their
``*_anonymise`` services, run daily by beat). What the KPIs need stays: dates, states,
procedures, scores. Where a KPI needs to know that two rows are the same person
(repeat online use), the contact is replaced by a keyed pseudonym: equal for equal
contacts, useless without the server's secret, and never the contact itself.

The access log (``organization.AccessLog``) names objects by type and id only, so it
holds no personal data and is never changed here (it is append-only anyway).
"""

import datetime as dt
import hashlib
import hmac

from django.conf import settings
from django.utils import timezone


def cutoff(now: dt.datetime | None = None) -> dt.datetime:
    """Rows whose business ended before this are anonymised."""
    return (now or timezone.now()) - dt.timedelta(days=settings.PERSONAL_DATA_RETENTION_DAYS)


def pseudonym(value: str) -> str:
    """A stable stand-in for a contact: "anon:" and 24 hex digits of an HMAC-SHA256."""
    if not value or value.startswith("anon:"):
        return value
    digest = hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()
    return "anon:" + digest[:24]


def anonymise(rows, *, blank: tuple[str, ...], pseudonymise: tuple[str, ...] = (), batch=1000):
    """Blank the ``blank`` fields and pseudonymise the ``pseudonymise`` fields of every
    row of the queryset ``rows``, a batch of rows per UPDATE. The keys are read first,
    so no cursor is open on rows being changed. Returns the number of rows changed."""
    model = rows.model
    keys = list(rows.values_list("pk", flat=True))
    for start in range(0, len(keys), batch):
        chunk = list(
            model.objects.filter(pk__in=keys[start : start + batch]).only("pk", *pseudonymise)
        )
        for row in chunk:
            for name in blank:
                setattr(row, name, "")
            for name in pseudonymise:
                setattr(row, name, pseudonym(getattr(row, name)))
        model.objects.bulk_update(chunk, [*blank, *pseudonymise])
    return len(keys)
