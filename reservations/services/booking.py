"""Bookings: book, confirm, cancel, reschedule, and release holds not confirmed in time.

The no-double-booking guarantee has two layers. The service re-checks availability
inside its transaction (on SQLite the transaction holds the database's write lock from
BEGIN, so no other booking can interleave); the database refuses two overlapping
holding reservations of one clerk whatever the code does (``booking_store``). What a
booking must satisfy is checked in ``booking_rules``.
"""

import datetime as dt
from dataclasses import dataclass, replace

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organization.models import StaffMember
from reservations import availability, documents, requirements
from reservations.codes import manage_token_for
from reservations.models import (
    HOLD_MINUTES,
    Channel,
    DocumentRule,
    Procedure,
    Reservation,
    ReservationEvent,
    ReservationStatus,
)
from reservations.services.booking_rules import (
    NOT_CONFIRMED_YET,
    BookingError,
    BookingErrorCode,
    CitizenDetails,
    already_booked,
    check_answers,
    check_consents,
    check_timing,
    confirmation_reason,
    earlier_bookings,
    validate_citizen,
)
from reservations.services.booking_store import (
    NewBooking,
    expire_lapsed_holds,
    insert_booking,
    lock_person,
)


@dataclass(frozen=True)
class BookingResult:
    reservation: Reservation
    token: str
    # Why this booking must be confirmed by e-mail although the procedure does not ask it.
    confirmation_reason: str = ""


def reservation_book(
    *,
    procedure: Procedure,
    start: dt.datetime,
    citizen: CitizenDetails,
    consented_rules: dict[int, int],
    channel: str = Channel.WEB,
    booked_by: StaffMember | None = None,
    now: dt.datetime | None = None,
    referral_code: str = "",
    idempotency_key: str = "",
    answers: dict[int, int] | None = None,
    rules_in_force: list[DocumentRule] | None = None,
) -> BookingResult:
    """Book ``procedure`` at ``start`` for ``citizen``, routed to a qualified free clerk.

    ``answers`` maps each of the procedure's questions onto the choice given (all must
    be answered); they decide which document rules apply (``requirements.py``) and are
    stored with the booking. ``consented_rules`` maps each document rule id the citizen
    agreed to onto the version they were shown; every rule in force that applies must
    be there at its current version (others are ignored). Raises
    BookingError (nothing written) when the time, the consents, the person's other
    bookings or the roster do not allow it. On success the confirmation e-mail is sent
    after commit (or the confirm-your-booking e-mail, where the procedure requires it).

    ``idempotency_key`` (the booking form's, one per form shown) makes a repeated request
    safe: when a booking was already made with it, that booking is returned (the client
    lost the first answer, or clicked twice) and nothing new is written.

    ``rules_in_force`` (``selectors.rules_in_force``, with their conditions prefetched)
    may be passed when the caller has just read them for its form: they are used when
    the transaction finds them unchanged (one query), else read again.
    """
    now = now or timezone.now()
    email_key, phone_key, reason = _check_request(procedure, citizen, channel, now)
    new = NewBooking(
        procedure=procedure,
        start=start,
        citizen=citizen,
        email_key=email_key,
        phone_key=phone_key,
        rules=[],
        channel=channel,
        booked_by=booked_by,
        now=now,
        agreed_at=now,
        force_confirmation=bool(reason),
        referral_code=referral_code,
        idempotency_key=idempotency_key,
    )
    with transaction.atomic():
        earlier, has_open = _earlier_under_lock(new)
        if earlier is not None:
            return BookingResult(earlier, manage_token_for(earlier))
        new = _checked(new, has_open, consented_rules, answers or {}, rules_in_force)
        reservation = insert_booking(new)
        _queue_booked_email(reservation, now)
    return BookingResult(reservation, manage_token_for(reservation), str(reason))


def _earlier_under_lock(new: NewBooking) -> tuple[Reservation | None, bool]:
    """Lock the person's bookings, then the booking made with the request key (if any)
    and whether they have an open booking of the procedure (``earlier_bookings``)."""
    lock_person([k for k in (new.email_key, new.phone_key) if k])
    return earlier_bookings(
        new.idempotency_key,
        procedure=new.procedure,
        start=new.start,
        email_key=new.email_key,
        phone_key=new.phone_key,
        now=new.now,
    )


def _checked(
    new: NewBooking,
    has_open: bool,
    consented_rules: dict[int, int],
    answers: dict[int, int],
    rules_in_force: list[DocumentRule] | None,
) -> NewBooking:
    """``new`` with the rules agreed to and the answers, once the time, the answers, the
    consents and the one-open-booking rule allow it (in the booking's transaction)."""
    procedure = new.procedure
    # The day's shifts and closures (cached master data), read once for the time's
    # check and the routing.
    day = timezone.localdate(new.start)
    static = availability.static_roster(procedure, day, day)
    check_timing(procedure, new.start, new.now, static)
    chosen = check_answers(procedure, answers)
    rules = check_consents(procedure, consented_rules, chosen, rules_in_force)
    if has_open:
        raise already_booked()
    return replace(
        new,
        rules=rules,
        answers=[
            (question_id, choice.pk, choice.question.label_ja, choice.label_ja)
            for question_id, choice in chosen.items()
        ],
        static=static,
    )


def _check_request(
    procedure: Procedure, citizen: CitizenDetails, channel: str, now: dt.datetime
) -> tuple[str, str, str]:
    """The checks that need no lock, outside the transaction (on SQLite it holds the
    write lock of the whole database from its first statement): the citizen's e-mail
    and phone keys, and why the booking must be confirmed by e-mail ("" if not)."""
    if not procedure.is_active:
        raise BookingError(BookingErrorCode.INACTIVE, _("This procedure cannot be booked online."))
    email_key, phone_key = validate_citizen(citizen)
    reason = confirmation_reason(channel, email_key, phone_key, now)
    if reason and not email_key:
        raise BookingError(BookingErrorCode.EMAIL_REQUIRED, reason)
    if procedure.requires_email_confirmation and channel == Channel.WEB and not email_key:
        raise BookingError(
            BookingErrorCode.EMAIL_REQUIRED,
            _("This procedure is confirmed by e-mail: please give an e-mail address."),
        )
    return email_key, phone_key, reason


def _queue_booked_email(reservation: Reservation, now: dt.datetime) -> None:
    """The e-mail is promised in the booking's transaction (one INSERT), sent after commit."""
    from reservations import emails

    held = reservation.status == ReservationStatus.PENDING
    emails.booking_email_queue(
        reservation, "booking_hold" if held else "booking_confirmed", now=now
    )


def reservation_confirm_email(*, reservation: Reservation, now: dt.datetime | None = None):
    """The citizen confirms a held booking from the e-mailed link (a POST from its page)."""
    from reservations import emails

    now = now or timezone.now()
    with transaction.atomic():
        reservation = Reservation.objects.select_for_update().get(pk=reservation.pk)
        if reservation.status == ReservationStatus.CONFIRMED:
            return reservation
        if reservation.status == ReservationStatus.CANCELLED:
            raise BookingError(
                BookingErrorCode.NOT_OPEN,
                _("This booking was moved to another time; the new one has its own code.")
                if reservation.rescheduled_to_id
                else _("This booking was cancelled. Please book again."),
            )
        if reservation.status != ReservationStatus.PENDING or reservation.hold_expires_at <= now:
            if reservation.status == ReservationStatus.PENDING:
                expire_lapsed_holds(now)
            raise BookingError(
                BookingErrorCode.HOLD_LAPSED,
                _(
                    "This booking was not confirmed within %(minutes)s minutes and has been "
                    "released. Please book again."
                )
                % {"minutes": HOLD_MINUTES},
            )
        reservation.status = ReservationStatus.CONFIRMED
        reservation.hold_expires_at = None
        reservation.save(update_fields=["status", "hold_expires_at"])
        ReservationEvent.objects.create(
            reservation=reservation, kind=ReservationEvent.Kind.CONFIRMED, at=now
        )
        emails.booking_email_queue(reservation, "booking_confirmed", now=now)
    return reservation


def _locked(reservation: Reservation) -> Reservation:
    """The booking re-read under a row lock (call inside a transaction)."""
    return (
        Reservation.objects.select_for_update().select_related("procedure").get(pk=reservation.pk)
    )


def _mark_cancelled(reservation: Reservation, *, now: dt.datetime) -> None:
    """Release the clerk's time; the slot is offered again after the re-release delay."""
    reservation.status = ReservationStatus.CANCELLED
    reservation.cancelled_at = now
    reservation.release_at = _release_at(reservation, now)
    reservation.save(update_fields=["status", "cancelled_at", "release_at"])
    availability.changed(staff_ids=[reservation.staff_id])


def _release_at(reservation: Reservation, now: dt.datetime) -> dt.datetime | None:
    delay = dt.timedelta(minutes=settings.BOOKING_RERELEASE_DELAY_MINUTES)
    if reservation.start_at <= now or not delay:
        return None
    return min(now + delay, reservation.start_at)


def reservation_cancel(
    *,
    reservation: Reservation,
    now: dt.datetime | None = None,
    by_staff: StaffMember | None = None,
) -> Reservation:
    """Cancel a booking. Citizens may do so until the procedure's cut-off; staff any time.

    The slot is offered again only after BOOKING_RERELEASE_DELAY_MINUTES (against people
    who cancel and rebook to pass slots on). A cancellation e-mail follows on commit.
    """
    from reservations import emails

    now = now or timezone.now()
    with transaction.atomic():
        reservation = _locked(reservation)
        if reservation.status in (ReservationStatus.CANCELLED, ReservationStatus.EXPIRED):
            return reservation
        if not reservation.is_open:
            raise BookingError(
                BookingErrorCode.NOT_OPEN, _("This booking can no longer be cancelled.")
            )
        if by_staff is None and not reservation.can_change(now=now):
            raise BookingError(
                BookingErrorCode.CUTOFF,
                _("It is too late to cancel online. Please telephone the department shown below."),
            )
        _mark_cancelled(reservation, now=now)
        # The cancellation's calendar file (METHOD:CANCEL) must outrank the last REQUEST.
        reservation.calendar_sequence += 1
        reservation.save(update_fields=["calendar_sequence"])
        ReservationEvent.objects.create(
            reservation=reservation, kind=ReservationEvent.Kind.CANCELLED, at=now, actor=by_staff
        )
        emails.booking_email_queue(reservation, "booking_cancelled", now=now)
    return reservation


def reservation_reschedule(
    *,
    reservation: Reservation,
    new_start: dt.datetime,
    now: dt.datetime | None = None,
    consented_rules: dict[int, int] | None = None,
) -> BookingResult:
    """Move a booking to ``new_start``: a new booking (new code and link), the old one
    cancelled and pointing to it, in one transaction; nothing changes if the new time fails.

    The consents carry over while the rules are unchanged; where a rule changed since,
    ``consented_rules`` must agree to the current versions. The new booking keeps the
    old one's calendar UID with SEQUENCE + 1 (the citizen's calendar moves the event);
    the change e-mail (old and new time, the old code void) is queued on commit.
    """
    now = now or timezone.now()
    with transaction.atomic():
        old = _locked(reservation)
        if old.status == ReservationStatus.PENDING:
            # A move would give a confirmed booking without the e-mail ever confirmed.
            raise BookingError(BookingErrorCode.NOT_CONFIRMED, NOT_CONFIRMED_YET)
        if not old.can_change(now=now):
            raise BookingError(
                BookingErrorCode.CUTOFF,
                _("It is too late to change this booking online. Please telephone the department."),
            )
        check_timing(old.procedure, new_start, now)
        rules, agreed_at, old_answers = _carried_over(old, consented_rules, now)
        expire_lapsed_holds(now)
        _mark_cancelled(old, now=now)
        new = insert_booking(_moved(old, new_start, rules, agreed_at, old_answers, now))
        _link_moved(old, new, now)
    return BookingResult(new, manage_token_for(new))


def _carried_over(
    old: Reservation, consented_rules: dict[int, int] | None, now: dt.datetime
) -> tuple[list[DocumentRule], dt.datetime, list]:
    """The rules the moved booking agrees to (the old consents while the rules are
    unchanged, else ``consented_rules``), when they were agreed, and the old answers."""
    carried_over = consented_rules is None
    if carried_over:
        consented_rules = {
            rule_id: version
            for rule_id, version in old.consents.values_list("rule_id", "rule_version")
            if rule_id
        }
    first_consent = old.consents.order_by("agreed_at").first()
    agreed_at = first_consent.agreed_at if carried_over and first_consent else now
    # The answers carry over as given; the rules that apply follow from them.
    old_answers = list(old.answers.all())
    chosen = requirements.chosen_from_ids(
        requirements.questions_of(old.procedure),
        {a.question_id: a.choice_id for a in old_answers if a.question_id and a.choice_id},
    )
    return check_consents(old.procedure, consented_rules, chosen), agreed_at, old_answers


def _moved(old, new_start, rules, agreed_at, old_answers, now) -> NewBooking:
    """The new booking of a move: the old one's person, channel, answers and calendar
    event (same UID, SEQUENCE + 1), free to take the old one's time."""
    return NewBooking(
        procedure=old.procedure,
        start=new_start,
        citizen=CitizenDetails(old.citizen_name, old.citizen_kana, old.email, old.phone),
        email_key=old.email_key,
        phone_key=old.phone_key,
        rules=rules,
        channel=old.channel,
        booked_by=old.booked_by,
        now=now,
        exclude_id=old.pk,
        agreed_at=agreed_at,
        answers=[(a.question_id, a.choice_id, a.question_text, a.choice_text) for a in old_answers],
        referral_code=old.referral_code,
        calendar_uid=documents.calendar_uid(old),
        calendar_sequence=old.calendar_sequence + 1,
    )


def _link_moved(old: Reservation, new: Reservation, now: dt.datetime) -> None:
    """Confirm the new booking, point the old one to it, and queue the change e-mail."""
    from reservations import emails

    if new.status == ReservationStatus.PENDING:
        # The citizen already proved the address with the first booking.
        new.status = ReservationStatus.CONFIRMED
        new.hold_expires_at = None
        new.save(update_fields=["status", "hold_expires_at"])
    old.rescheduled_to = new
    old.save(update_fields=["rescheduled_to"])
    ReservationEvent.objects.create(reservation=old, kind=ReservationEvent.Kind.RESCHEDULED, at=now)
    emails.booking_email_queue(new, "booking_changed", now=now, params={"previous_id": old.pk})


def reservations_expire_holds(*, now: dt.datetime | None = None) -> int:
    """Release every hold not confirmed in time (idempotent; run by beat every minute)."""
    with transaction.atomic():
        return expire_lapsed_holds(now or timezone.now())
