"""Files a booking comes with: the QR code of its code and an iCalendar event."""

import datetime as dt
import io

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from organization.qr import qr_svg  # noqa: F401 - re-exported for the booking pages
from reservations.models import Reservation


def qr_png(text: str) -> bytes:
    buffer = io.BytesIO()
    qrcode.make(text, box_size=8, border=2).save(buffer, format="PNG")
    return buffer.getvalue()


def _ics_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _ics_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _fold(line: str) -> str:
    """RFC 5545 folds lines longer than 75 octets."""
    encoded = line.encode()
    if len(encoded) <= 75:
        return line
    parts, current = [], b""
    for char in line:
        piece = char.encode()
        if len(current) + len(piece) > (75 if not parts else 74):
            parts.append(current.decode())
            current = b""
        current += piece
    parts.append(current.decode())
    return "\r\n ".join(parts)


def _ics_organizer() -> str:
    """The city, by name, with the booking service's address (RFC 5545: a parameter value
    is quoted and may hold no double quote or control character)."""
    from organization.selectors import site_settings

    name = "".join(c for c in site_settings().localized_city_name if c >= " " and c != '"')
    return 'ORGANIZER;CN="%s":mailto:%s' % (name, settings.DEFAULT_FROM_EMAIL)


def reservation_ics(reservation: Reservation, *, documents: list[str]) -> str:
    procedure = reservation.procedure
    description = "\n".join(
        [_("Booking code: %(code)s") % {"code": reservation.code}, _("Please bring:")]
        + ["- " + text for text in documents]
    )
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Madoguchi//Booking//JA",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        "UID:%s@%s" % (reservation.code, settings.SITE_URL.split("//")[-1]),
        "DTSTAMP:%s" % _ics_time(timezone.now()),
        "DTSTART:%s" % _ics_time(reservation.start_at),
        "DTEND:%s" % _ics_time(reservation.end_at),
        _ics_organizer(),
        "SUMMARY:%s" % _ics_escape(procedure.localized_name),
        "LOCATION:%s" % _ics_escape(reservation.place),
        "DESCRIPTION:%s" % _ics_escape(description),
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
