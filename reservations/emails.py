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
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from config.documents import qr_png
from config.languages import LINK_LANGUAGE_PARAM
from outbox import registry
from reservations import documents, requirements, selectors
from reservations.codes import confirm_key_for, manage_token_for
from reservations.models import HOLD_MINUTES, Reservation, ReservationStatus


def _absolute(path: str) -> str:
    """A link of an e-mail, opening in the e-mail's language (the active one:
    ``config.languages.LINK_LANGUAGE_PARAM``)."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    return "%s%s?%s=%s" % (settings.SITE_URL, path, LINK_LANGUAGE_PARAM, language)


def _context(reservation: Reservation) -> dict:
    from organization.selectors import site_settings

    token = manage_token_for(reservation)
    return {
        "reservation": reservation,
        "procedure": reservation.procedure,
        "documents": selectors.documents_to_bring(reservation),
        "manage_url": _absolute(reverse("reservations:manage", args=[token])),
        "confirm_url": _absolute(
            reverse("reservations:confirm_from_email", args=[token, confirm_key_for(reservation)])
        ),
        "ics_url": _absolute(reverse("reservations:ics", args=[token])),
        "site_url": settings.SITE_URL,
        "hold_minutes": HOLD_MINUTES,
        # Read once for the signatures of both parts and the .ics's organizer.
        "site_settings": site_settings(),
    }


def _message(
    reservation: Reservation,
    template: str,
    *,
    to: str,
    attach_calendar: bool,
    calendar_method: str = "REQUEST",
    extra: dict | None = None,
) -> EmailMultiAlternatives:
    # The booking code's QR only while it lets the citizen check in: not in a
    # cancellation, nor before the booking is confirmed.
    with_qr = reservation.status == ReservationStatus.CONFIRMED and calendar_method != "CANCEL"
    with translation.override(reservation.language):
        context = _context(reservation)
        context.update(extra or {}, with_qr=with_qr)
        subject = render_to_string("reservations/email/%s_subject.txt" % template, context)
        body = render_to_string("reservations/email/%s.txt" % template, context)
        html = render_to_string("reservations/email/%s.html" % template, context)
        message = EmailMultiAlternatives(subject=" ".join(subject.split()), body=body, to=[to])
        message.attach_alternative(html, "text/html")
        if with_qr:
            message.mixed_subtype = "related"
            qr = MIMEImage(qr_png(reservation.code), "png")
            qr.add_header("Content-ID", "<booking-qr>")
            qr.add_header("Content-Disposition", "inline", filename="booking-code.png")
            message.attach(qr)
        if attach_calendar:
            message.attach(
                "madoguchi-%s.ics" % reservation.code,
                documents.reservation_ics(
                    reservation,
                    documents=context["documents"],
                    method=calendar_method,
                    site=context["site_settings"],
                ).decode(),
                "text/calendar",
            )
    return message


# Outbox kinds of the citizens' booking e-mails:
# (template, with the .ics file, the calendar method, label).
BOOKING_EMAILS = {
    "booking_confirmed": ("booked", True, "REQUEST", _("Booking confirmed")),
    # Held for HOLD_MINUTES until confirmed from the e-mail.
    "booking_hold": ("confirm_request", False, "REQUEST", _("Booking held: please confirm")),
    # Rescheduled: from when to when, the old code void, and a calendar file that moves
    # the one event (same UID, higher SEQUENCE). ``params["previous_id"]``: the old one.
    "booking_changed": ("rescheduled", True, "REQUEST", _("Booking changed")),
    # With a calendar file that removes the event (METHOD:CANCEL).
    "booking_cancelled": ("cancelled", True, "CANCEL", _("Booking cancelled")),
    "booking_reminder": ("reminder", True, "REQUEST", _("Reminder the day before")),
}
# Every kind of e-mail to a citizen about their booking (those above, and the manage
# links sent again): what a booking's admin page lists and its "failed" filter finds.
BOOKING_EMAIL_KINDS = (*BOOKING_EMAILS, "booking_links")
# The state a booking must still be in, when its e-mail is sent, for the e-mail to be
# true: a confirmation sent again (or retried) after the booking was cancelled or moved
# would put a cancelled appointment back in the citizen's calendar. Such an e-mail is
# not sent (the outbox marks it "not needed").
_STILL_TRUE = {
    "booking_confirmed": (ReservationStatus.CONFIRMED,),
    "booking_hold": (ReservationStatus.PENDING,),
    "booking_changed": (ReservationStatus.CONFIRMED, ReservationStatus.PENDING),
    "booking_cancelled": (ReservationStatus.CANCELLED,),
    "booking_reminder": (ReservationStatus.CONFIRMED,),
}


def _still_true(kind: str, reservation: Reservation) -> bool:
    if reservation.status not in _STILL_TRUE[kind]:
        return False
    if kind == "booking_cancelled":
        # A booking moved to another time is cancelled too: its "changed" e-mail says so.
        return reservation.rescheduled_to_id is None
    return reservation.end_at > timezone.now()


def booking_email_queue(
    reservation: Reservation, kind: str, *, now=None, params: dict | None = None
) -> None:
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
        params=params,
        now=now,
    )


def build_booking_email(email) -> EmailMultiAlternatives | None:
    """The outbox's builder for BOOKING_EMAILS: rendered when sent, from the booking as
    it is then, in the language the citizen booked in."""
    reservation = registry.preloaded(email)
    if reservation is None:
        try:
            reservation = selectors.reservation_for_email(email.object_id)
        except Reservation.DoesNotExist:
            return None
    if not _still_true(email.kind, reservation):
        return None
    template, attach_calendar, calendar_method, _label = BOOKING_EMAILS[email.kind]
    extra = {}
    if email.kind == "booking_reminder":
        # A rule changed (or added) since booking: the reminder says what to bring now.
        extra["changed_rules"] = requirements.reworded_since_booking(reservation)
    previous_id = (email.params or {}).get("previous_id")
    if previous_id:
        try:
            extra["previous"] = selectors.reservation_for_email(previous_id)
        except Reservation.DoesNotExist:
            return None
    return _message(
        reservation,
        template,
        to=email.recipient or reservation.email,
        attach_calendar=attach_calendar,
        calendar_method=calendar_method,
        extra=extra,
    )


def preload_booking_emails(emails) -> dict[int, Reservation]:
    """The bookings of a batch of BOOKING_EMAILS, read at once (the relay's preloader)."""
    return selectors.reservations_for_emails({email.object_id for email in emails})


def links_email_queue(reservations: list[Reservation], *, language: str, now=None) -> None:
    """Promise the manage links of one person's open bookings, asked for on the find
    page (inside the transaction that records the request). To the address on the
    bookings, never one typed on the page, in the language of the latest booking (as
    every e-mail about a booking: whoever typed the address may read another; the page's
    ``language`` is only the fallback); every request sends (its own key)."""
    import uuid

    from outbox.services import email_queue

    if not reservations or not reservations[0].email:
        return
    email_queue(
        kind="booking_links",
        key="booking-links:%s:%s" % (reservations[0].pk, uuid.uuid4().hex),
        object_id=reservations[0].pk,
        recipient=reservations[0].email,
        language=max(reservations, key=lambda r: r.created_at).language or language,
        params={"ids": [r.pk for r in reservations]},
        now=now,
    )


def build_links_email(email) -> EmailMultiAlternatives | None:
    """The manage links of the bookings still open when it is sent, in the language of
    the citizen's latest booking."""
    ids = (email.params or {}).get("ids") or [email.object_id]
    reservations = [
        r for r in Reservation.objects.filter(pk__in=ids).order_by("start_at") if r.is_open
    ]
    if not reservations:
        return None
    with translation.override(email.language or settings.LANGUAGE_CODE):
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
    return EmailMultiAlternatives(
        subject=" ".join(subject.split()), body=body, to=[email.recipient]
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


def _booking_admin_url(reservation_id: int) -> str:
    return reverse("admin:reservations_reservation_change", args=[reservation_id])


def register_outbox_builders() -> None:
    for kind, (_template, _calendar, _method, label) in BOOKING_EMAILS.items():
        registry.register(
            kind,
            build_booking_email,
            label=label,
            preload=preload_booking_emails,
            subject=_booking_admin_url,
        )
    registry.register(
        "booking_links",
        build_links_email,
        label=_("Booking links sent again"),
        subject=_booking_admin_url,
    )
    registry.register("visit_survey", build_survey_email, label=_("Satisfaction survey link"))
