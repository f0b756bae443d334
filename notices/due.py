"""Who is due a renewal letter under a rule: the certificates in its window whose
holders have not renewed, not booked the procedure since, and got no letter yet.

Below both the selectors (the why-not page) and the capacity plan (the waves), which
read it: neither needs the other to know who is due.
"""

import datetime as dt

from django.db.models import DateField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.utils import timezone

from notices.models import (
    BookingMatchRelease,
    Certificate,
    Letter,
    NoticeRule,
    ResidentStatus,
)
from reservations.models import OPEN_STATUSES, Reservation
from reservations.names import name_key, same_person


def due_certificates(
    *, rule: NoticeRule, today: dt.date, until: dt.date | None = None
) -> QuerySet[Certificate]:
    """Certificates whose holder should get a letter under ``rule`` today (with
    ``until``: today or on any day up to ``until``, for the capacity forecast).

    The resident's latest certificate of the rule's type expires within the rule's
    window; they are living here; they have not renewed (no newer certificate) nor
    booked the procedure since it was issued (a booking under the same name, and the
    same reading where both give one: ``reservations.names.same_person``); and no
    letter was made for this certificate and rule. Two queries more than the result.
    """
    newer = Certificate.objects.filter(
        resident=OuterRef("resident"), certificate_type=rule.certificate_type
    ).filter(after_q())
    # A letter for this certificate, for the same certificate recorded twice (another
    # record of the same issue: before the tie-break, each had its letter), or for a
    # certificate expiring within the rule's window of this one: a corrected record under
    # a new record id is the same case, not a renewal (a renewal expires a validity
    # period later).
    # A letter for this very record counts whoever it went to: a record id moved to
    # another resident number after its letter (a corrected number) is the same case.
    already = Letter.objects.filter(rule=rule).filter(
        Q(certificate=OuterRef("pk"))
        | Q(resident=OuterRef("resident")) & same_case_q(rule, prefix="certificate__")
    )
    window = Certificate.objects.filter(
        certificate_type=rule.certificate_type,
        expires_on__gte=today,
        expires_on__lte=(until or today) + dt.timedelta(days=rule.days_before_expiry),
        resident__status=ResidentStatus.ACTIVE,
    )
    booked_since = _booked_since(
        rule,
        window.exclude(
            Exists(BookingMatchRelease.objects.filter(certificate=OuterRef("pk"), rule=rule))
        ).values_list("pk", "resident__name", "resident__kana", "issued_on"),
    )
    return (
        window.exclude(Exists(newer))
        .exclude(pk__in=booked_since)
        .exclude(Exists(already))
        .select_related("resident", "certificate_type")
        .order_by("resident__postal_code", "resident__resident_number")
    )


def same_case_q(rule: NoticeRule, prefix: str = "") -> Q:
    """Certificates (at ``prefix``) of the same case as the outer one, for one resident:
    the same issue, or an expiry within the rule's window of it (a corrected record;
    a renewal expires a validity period later). ``same_case`` is its twin in Python."""
    span = dt.timedelta(days=rule.days_before_expiry)

    def shifted(delta):
        return ExpressionWrapper(OuterRef("expires_on") + delta, output_field=DateField())

    return Q(**{prefix + "issued_on": OuterRef("issued_on")}) | Q(
        **{prefix + "expires_on__gt": shifted(-span), prefix + "expires_on__lt": shifted(span)}
    )


def same_case(rule: NoticeRule, certificate, other) -> bool:
    """Whether ``other`` is a record of the same case as ``certificate`` (``same_case_q``)."""
    span = dt.timedelta(days=rule.days_before_expiry)
    return (
        other.issued_on == certificate.issued_on
        or abs(other.expires_on - certificate.expires_on) < span
    )


def after_q(prefix: str = "") -> Q:
    """Certificates that come after the outer one (``OuterRef(prefix + …)``): issued later;
    or the same issue recorded twice under two record ids (the same issue date), where
    the later expiry and then the later record counts. So each resident has exactly one
    latest certificate of a type, and one letter at most for it."""

    def outer(name):
        return OuterRef(prefix + name)

    return (
        Q(issued_on__gt=outer("issued_on"))
        | Q(issued_on=outer("issued_on"), expires_on__gt=outer("expires_on"))
        | Q(issued_on=outer("issued_on"), expires_on=outer("expires_on"), pk__gt=outer("pk"))
    )


def latest_key(certificate) -> tuple:
    """The order ``after_q`` sorts a resident's certificates of one type in, in Python."""
    return (certificate.issued_on, certificate.expires_on, certificate.pk)


def open_bookings_by_name(rule: NoticeRule, since) -> dict[str, list[Reservation]]:
    """The open bookings of the rule's procedure made on or after ``since`` by
    ``names.name_key``, oldest first ({} when ``since`` is None: nothing to match)."""
    if since is None:
        return {}
    bookings: dict[str, list[Reservation]] = {}
    for booking in (
        Reservation.objects.filter(
            procedure=rule.procedure,
            status__in=OPEN_STATUSES,
            created_at__gte=timezone.make_aware(dt.datetime.combine(since, dt.time.min)),
        )
        .only("code", "citizen_name", "citizen_kana", "created_at", "start_at")
        .order_by("created_at")
    ):
        bookings.setdefault(name_key(booking.citizen_name), []).append(booking)
    return bookings


def matching_booking(bookings, name: str, kana: str, issued_on: dt.date):
    """The first open booking made since ``issued_on`` by the same person (by name, and
    reading where both give one), else None."""
    return next(
        (
            booking
            for booking in bookings.get(name_key(name), [])
            if timezone.localdate(booking.created_at) >= issued_on
            and same_person(name, kana, booking.citizen_name, booking.citizen_kana)
        ),
        None,
    )


def _booked_since(rule: NoticeRule, candidates) -> list[int]:
    """Ids of the certificates among ``candidates`` (pk, name, kana, issued_on) whose
    holder booked the rule's procedure since the certificate was issued."""
    candidates = list(candidates)
    bookings = open_bookings_by_name(rule, min((c[3] for c in candidates), default=None))
    if not bookings:
        return []
    return [
        pk
        for pk, name, kana, issued_on in candidates
        if matching_booking(bookings, name, kana, issued_on) is not None
    ]
