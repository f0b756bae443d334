"""E-mails to citizens about their booking, in the language they booked in.

Each is promised as an outbox row in the transaction of the change (``*_queue``) and
rendered by the outbox relay when it is sent (``build_*``, registered in ``apps.py``).

Links in e-mails only open pages; every action is a POST from that page (mail scanners
follow links).
"""

from email.mime.image import MIMEImage

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from reservations import documents, selectors
from reservations.models import Reservation


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


def _message(
    reservation: Reservation, template: str, *, to: str, attach_calendar: bool
) -> EmailMultiAlternatives:
    with translation.override(reservation.language):
        context = _context(reservation)
        subject = render_to_string("reservations/email/%s_subject.txt" % template, context)
        body = render_to_string("reservations/email/%s.txt" % template, context)
        html = render_to_string("reservations/email/%s.html" % template, context)
        message = EmailMultiAlternatives(subject=" ".join(subject.split()), body=body, to=[to])
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
    return message


# Outbox kinds of the citizens' booking e-mails: (template, with the .ics file, label).
BOOKING_EMAILS = {
    "booking_confirmed": ("booked", True, _("Booking confirmed")),
    # Held for 15 minutes until confirmed from the e-mail.
    "booking_hold": ("confirm_request", False, _("Booking held: please confirm")),
    # Rescheduled: the new booking, with its new code and link.
    "booking_changed": ("booked", True, _("Booking changed")),
    "booking_cancelled": ("cancelled", False, _("Booking cancelled")),
    "booking_reminder": ("reminder", True, _("Reminder the day before")),
}


def booking_email_queue(reservation: Reservation, kind: str, *, now=None) -> None:
    """Promise ``kind`` of e-mail about ``reservation`` (inside its transaction; nothing
    when the citizen gave no address). One e-mail of each kind per booking."""
    from outbox.services import email_queue

    if not reservation.email:
        return
    email_queue(
        kind=kind,
        key="%s:%s" % (kind.replace("_", "-"), reservation.pk),
        object_id=reservation.pk,
        recipient=reservation.email,
        language=reservation.language,
        now=now,
    )


def build_booking_email(email) -> EmailMultiAlternatives | None:
    """The outbox's builder for BOOKING_EMAILS: rendered when sent, from the booking as
    it is then, in the language the citizen booked in."""
    try:
        reservation = selectors.reservation_for_email(email.object_id)
    except Reservation.DoesNotExist:
        return None
    template, attach_calendar, _label = BOOKING_EMAILS[email.kind]
    return _message(
        reservation,
        template,
        to=email.recipient or reservation.email,
        attach_calendar=attach_calendar,
    )


def survey_email_queue(visit, *, now=None) -> None:
    """Promise the survey link after a booked visit is done (inside its transaction)."""
    from outbox.services import email_queue

    reservation = visit.reservation
    if reservation is None or not reservation.email:
        return
    email_queue(
        kind="visit_survey",
        key="visit-survey:%s" % visit.pk,
        object_id=visit.pk,
        recipient=reservation.email,
        language=reservation.language,
        now=now,
    )


def build_survey_email(email) -> EmailMultiAlternatives | None:
    """The link to the satisfaction survey, after a booked visit is done."""
    from reservations.models import Visit

    visit = Visit.objects.select_related("reservation", "procedure").filter(pk=email.object_id)
    visit = visit.first()
    if visit is None or visit.reservation is None:
        return None
    reservation = visit.reservation
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
    return EmailMultiAlternatives(
        subject=" ".join(subject.split()), body=body, to=[email.recipient or reservation.email]
    )


def register_outbox_builders() -> None:
    from outbox import registry

    for kind, (_template, _calendar, label) in BOOKING_EMAILS.items():
        registry.register(kind, build_booking_email, label=label)
    registry.register("visit_survey", build_survey_email, label=_("Satisfaction survey link"))
