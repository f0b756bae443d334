"""E-mails to citizens about their booking, in the language they booked in.

Links in e-mails only open pages; every action is a POST from that page (mail scanners
follow links).
"""

from email.mime.image import MIMEImage

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
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


def _send(reservation: Reservation, template: str, *, attach_calendar: bool) -> None:
    with translation.override(reservation.language):
        context = _context(reservation)
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
                documents.reservation_ics(reservation, documents=context["documents"]),
                "text/calendar",
            )
        message.send()


def send_booked(reservation: Reservation) -> None:
    """Confirmation, or the request to confirm a booking held for 15 minutes."""
    if reservation.status == ReservationStatus.PENDING:
        _send(reservation, "confirm_request", attach_calendar=False)
    else:
        _send(reservation, "booked", attach_calendar=True)


def send_cancelled(reservation: Reservation) -> None:
    _send(reservation, "cancelled", attach_calendar=False)


def send_reminder(reservation: Reservation) -> None:
    _send(reservation, "reminder", attach_calendar=True)


def send_survey(visit) -> bool:
    """The link to the satisfaction survey, after a booked visit is done."""
    from django.core.mail import send_mail

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
