"""Files a booking comes with: an iCalendar event (its QR code: config/documents.py)."""

import datetime as dt

import icalendar
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from organization.selectors import site_settings
from reservations.models import Reservation


def calendar_uid(reservation: Reservation) -> str:
    """The booking's one calendar event id, kept when it moves to another time."""
    if reservation.calendar_uid:
        return reservation.calendar_uid
    return "%s@%s" % (reservation.code, settings.SITE_URL.split("//")[-1])


def reservation_ics(
    reservation: Reservation, *, documents: list[str], method: str = "REQUEST", site=None
) -> bytes:
    """The booking as an iCalendar event (RFC 5545, written by ``icalendar``).

    ``method`` REQUEST adds or moves the event (the same UID as before a change, with a
    higher SEQUENCE); CANCEL removes it from the citizen's calendar. ``site``: the site
    settings, when the caller has them already.
    """
    procedure = reservation.procedure
    description = "\n".join(
        [_("Booking code: %(code)s") % {"code": reservation.code}, _("Please bring:")]
        + ["- " + text for text in documents]
    )
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Madoguchi//Booking//JA")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    event = icalendar.Event()
    event.add("uid", calendar_uid(reservation))
    event.add("sequence", reservation.calendar_sequence)
    event.add("dtstamp", timezone.now().astimezone(dt.UTC))
    event.add("dtstart", reservation.start_at.astimezone(dt.UTC))
    event.add("dtend", reservation.end_at.astimezone(dt.UTC))
    event.add("summary", procedure.name)
    event.add("location", reservation.place)
    event.add("description", description)
    # iTIP (RFC 5546) wants an organizer on a REQUEST or CANCEL; calendar programs use it
    # to match the update with the event they hold.
    organizer = icalendar.vCalAddress("mailto:%s" % settings.DEFAULT_FROM_EMAIL)
    organizer.params["cn"] = icalendar.vText((site or site_settings()).city_name)
    event.add("organizer", organizer)
    if reservation.email:
        event.add("attendee", "mailto:%s" % reservation.email)
    if method == "CANCEL":
        event.add("status", "CANCELLED")
    else:
        event.add("status", "CONFIRMED")
    calendar.add_component(event)
    return calendar.to_ical()
