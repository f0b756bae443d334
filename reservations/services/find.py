"""A citizen who lost the e-mail finds their bookings again (the link is re-sent)."""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from reservations.codes import manage_token_for
from reservations.models import OPEN_STATUSES, Reservation, ReservationEvent


@dataclass(frozen=True)
class FindResult:
    """What the find page may do: ``matched`` for the log only (the page answers the same
    either way); ``show_token`` only for a phone-only booking found by code, phone and
    date, whose page the citizen may then see."""

    matched: int
    show_token: str = ""


def reservation_find_and_send_link(
    *,
    code: str,
    email_key: str,
    phone_key: str,
    day: dt.date | None,
    language: str,
    now: dt.datetime | None = None,
) -> FindResult:
    """A citizen lost the e-mail: send the manage link(s) of their open bookings again.

    With an e-mail address (and optionally a code) the links of the matching open
    bookings go to that address, which only its owner reads. With a phone number, the
    code and the booking's date must match too; a booking with an e-mail address then
    gets its link by e-mail, one without may be shown. Each match is recorded as an
    event; the e-mail is queued on commit. Nothing is said about what did not match.
    """
    from reservations import emails

    now = now or timezone.now()
    open_bookings = Reservation.objects.filter(status__in=OPEN_STATUSES, end_at__gt=now)
    if email_key:
        found = open_bookings.filter(email_key=email_key)
        if code:
            found = found.filter(code=code)
    elif phone_key and code and day:
        found = [
            r
            for r in open_bookings.filter(phone_key=phone_key, code=code)
            if timezone.localdate(r.start_at) == day
        ]
    else:
        return FindResult(0)
    found = list(found)
    if not found:
        return FindResult(0)
    by_email = [r for r in found if r.email]
    shown = [r for r in found if not r.email]
    with transaction.atomic():
        ReservationEvent.objects.bulk_create(
            ReservationEvent(
                reservation=r,
                kind=ReservationEvent.Kind.LINK_SENT
                if r.email
                else ReservationEvent.Kind.LINK_SHOWN,
                at=now,
            )
            for r in found
        )
        emails.links_email_queue(by_email, language=language, now=now)
    token = manage_token_for(shown[0]) if shown and phone_key else ""
    return FindResult(len(found), token)
