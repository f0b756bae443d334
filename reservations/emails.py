"""E-mails to citizens about their booking, in the language they booked in.

Links in e-mails only open pages; every action is a POST from that page (mail scanners
follow links).
"""

from email.mime.image import MIMEImage

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from reservations import documents, selectors
from reservations.models import Reservation, ReservationStatus


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


def _context(reservation: Reservation) -> dict:
    from reservations.services import manage_token_for

    token = manage_token_for(reservation)
    return {
        "reservation": reservation,
        "procedure": reservation.procedure,
        "documents": selectors.documents_to_bring(reservation),
        "manage_url": _absolute(reverse("reservations:manage", args=[token])),
        "confirm_url": _absolute(reverse("reservations:confirm", args=[token])),
        "ics_url": _absolute(reverse("reservations:ics", args=[token])),
        "site_url": settings.SITE_URL,
    }


def _send(
    reservation: Reservation,
    template: str,
    *,
    attach_calendar: bool,
    calendar_method: str = "REQUEST",
    extra: dict | None = None,
) -> None:
    with translation.override(reservation.language):
        context = _context(reservation)
        context.update(extra or {})
        subject = render_to_string("reservations/email/%s_subject.txt" % template, context)
        body = render_to_string("reservations/email/%s.txt" % template, context)
        html = render_to_string("reservations/email/%s.html" % template, context)
        message = EmailMultiAlternatives(
            subject=" ".join(subject.split()),
            body=body,
            to=[reservation.email],
        )
        message.attach_alternative(html, "text/html")
        message.mixed_subtype = "related"
        qr = MIMEImage(documents.qr_png(reservation.code), "png")
        qr.add_header("Content-ID", "<booking-qr>")
        qr.add_header("Content-Disposition", "inline", filename="booking-code.png")
        message.attach(qr)
        if attach_calendar:
            message.attach(
                "madoguchi-%s.ics" % reservation.code,
                documents.reservation_ics(
                    reservation, documents=context["documents"], method=calendar_method
                ).decode(),
                "text/calendar",
            )
        message.send()


def send_booked(reservation: Reservation) -> None:
    """Confirmation, or the request to confirm a booking held for 15 minutes."""
    if reservation.status == ReservationStatus.PENDING:
        _send(reservation, "confirm_request", attach_calendar=False)
    else:
        _send(reservation, "booked", attach_calendar=True)


def send_rescheduled(reservation: Reservation, previous: Reservation) -> None:
    """The booking moved: from when to when, the old code no longer works, and a
    calendar file that moves the one event (same UID, higher SEQUENCE)."""
    _send(reservation, "rescheduled", attach_calendar=True, extra={"previous": previous})


def send_cancelled(reservation: Reservation) -> None:
    """The cancellation, with a calendar file that removes the event (METHOD:CANCEL)."""
    _send(reservation, "cancelled", attach_calendar=True, calendar_method="CANCEL")


def send_links(reservations: list[Reservation], *, email: str) -> None:
    """The manage links of a person's open bookings, asked for on the find page. In the
    language of the request (the page the citizen used), to the address on the bookings."""
    from reservations.services import manage_token_for

    bookings = [
        (
            reservation,
            _absolute(reverse("reservations:manage", args=[manage_token_for(reservation)])),
        )
        for reservation in reservations
    ]
    context = {"bookings": bookings, "site_url": settings.SITE_URL}
    subject = render_to_string("reservations/email/links_subject.txt", context)
    body = render_to_string("reservations/email/links.txt", context)
    send_mail(" ".join(subject.split()), body, None, [email])


def send_reminder(reservation: Reservation) -> None:
    _send(reservation, "reminder", attach_calendar=True)


def send_survey(visit) -> bool:
    """The link to the satisfaction survey, after a booked visit is done."""
    reservation = visit.reservation
    if reservation is None or not reservation.email:
        return False
    with translation.override(reservation.language):
        context = {
            "visit": visit,
            "procedure": visit.procedure,
            "survey_url": _absolute(reverse("reservations:survey", args=[visit.survey_token])),
            "days": settings.SURVEY_OPEN_DAYS,
            "site_url": settings.SITE_URL,
        }
        subject = render_to_string("reservations/email/survey_subject.txt", context)
        body = render_to_string("reservations/email/survey.txt", context)
    send_mail(" ".join(subject.split()), body, None, [reservation.email])
    return True
