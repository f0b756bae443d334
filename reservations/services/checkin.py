"""Checking in at the counter: a booked citizen's number (at the kiosk or by staff) and
a walk-in ticket, each only where somebody will serve it. What a citizen reads at the
kiosk comes from here (its messages are in every citizen language: config/i18n_scope.py);
calling, serving and no-shows are in ``counter``.
"""

import datetime as dt
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organization.models import StaffMember
from reservations import availability, codes
from reservations.models import (
    Procedure,
    Reservation,
    ReservationStatus,
    Shift,
    Visit,
    VisitEvent,
    VisitKind,
    VisitStatus,
)

BOOKED_PREFIX = "A"
WALK_IN_PREFIX = "B"


class CounterError(Exception):
    """An action the counter cannot take; ``message`` is shown to the person."""

    def __init__(self, code: str, message):
        super().__init__(str(message))
        self.code = code
        self.message = message


class WalkInRefused(CounterError):
    """No qualified clerk today: ``next_slots`` are the next bookable times instead."""

    def __init__(self, message, next_slots):
        super().__init__("no_clerk", message)
        self.next_slots = next_slots


def _new_ticket(day: dt.date, prefix: str) -> str:
    last = (
        Visit.objects.filter(day=day, ticket__startswith=prefix)
        .order_by("-ticket")
        .values_list("ticket", flat=True)
        .first()
    )
    number = int(last[len(prefix) :]) + 1 if last else 1
    return "%s%03d" % (prefix, number)


def visit_save_numbered(visit: Visit, prefix: str) -> Visit:
    """Insert ``visit`` with the day's next number; a number taken meanwhile is retried."""
    for _attempt in range(10):
        visit.ticket = _new_ticket(visit.day, prefix)
        try:
            with transaction.atomic():
                visit.save(force_insert=True)
            return visit
        except IntegrityError:
            visit.pk = None
    raise CounterError("busy", _("The ticket machine is busy. Please try again."))


def booked_visit_create(reservation: Reservation, day: dt.date, **fields) -> Visit:
    """A booking's visit, with its prepared clerk and counter and the day's next A-number."""
    return visit_save_numbered(
        Visit(
            day=day,
            kind=VisitKind.BOOKED,
            reservation=reservation,
            procedure_id=reservation.procedure_id,
            staff_id=reservation.staff_id,
            counter_id=reservation.counter_id,
            expected_at=reservation.start_at,
            survey_token=secrets.token_urlsafe(16),
            **fields,
        ),
        BOOKED_PREFIX,
    )


def visit_event_add(visit: Visit, kind: str, now: dt.datetime, actor=None, note: str = "") -> None:
    VisitEvent.objects.create(visit=visit, kind=kind, at=now, actor=actor, note=note[:200])


@dataclass(frozen=True)
class CheckInResult:
    visit: Visit
    already: bool


def visit_check_in(
    *,
    reservation: Reservation,
    now: dt.datetime | None = None,
    by_staff: StaffMember | None = None,
) -> CheckInResult:
    """Check a booked citizen in for today and give them a number.

    At the kiosk (no ``by_staff``) only within CHECKIN_EARLY_MINUTES before and
    CHECKIN_LATE_MINUTES after the booked time; staff may check in at any time of the
    day. Checking in twice gives the same number; a visit being served or done is not
    checked in again (the kiosk would send its holder to wait for a call that never
    comes).
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        reservation = Reservation.objects.select_for_update().get(pk=reservation.pk)
        existing = Visit.objects.filter(reservation=reservation).first()
        if existing and existing.status in (VisitStatus.SERVING, VisitStatus.DONE):
            raise CounterError(
                "served",
                _("This booking has already been served (number %(ticket)s).")
                % {"ticket": existing.ticket}
                if by_staff
                else _(
                    "This booking has already been served at the counter. If you need "
                    "anything more, please ask the staff."
                ),
            )
        if existing and existing.status != VisitStatus.NO_SHOW:
            return CheckInResult(existing, already=True)
        if reservation.status != ReservationStatus.CONFIRMED:
            raise CounterError("not_confirmed", _not_active(reservation))
        if timezone.localdate(reservation.start_at) != today:
            raise CounterError(
                "other_day", _("This booking is for another day. Please check the date.")
            )
        if by_staff is None:
            _kiosk_window_check(reservation, now)
        if existing:  # marked no-show, then came after all (staff only get here late)
            visit = existing
            visit.status = VisitStatus.WAITING
            visit.checked_in_at = now
            visit.no_show_at = None
            visit.save(update_fields=["status", "checked_in_at", "no_show_at"])
        else:
            visit = booked_visit_create(
                reservation, today, status=VisitStatus.WAITING, checked_in_at=now
            )
        visit_event_add(visit, VisitEvent.Kind.CHECKED_IN, now, actor=by_staff)
    return CheckInResult(visit, already=False)


def _not_active(reservation: Reservation) -> str:
    """Why a booking's code checks nobody in, as its holder needs to hear it: a code
    given up by a change of time is not "not valid", its new one is."""
    if reservation.status == ReservationStatus.CANCELLED and reservation.rescheduled_to_id:
        return _(
            "This booking was moved to another time and has a new code: please use the new "
            "code (it is in the e-mail or on the page of the change), or ask the staff."
        )
    if reservation.status == ReservationStatus.CANCELLED:
        return _("This booking was cancelled. Please ask the staff.")
    if reservation.status == ReservationStatus.PENDING:
        return _(
            "This booking was not confirmed from the e-mail yet. Please confirm it, or ask "
            "the staff."
        )
    return _("This booking is not active.")


def _kiosk_window_check(reservation: Reservation, now: dt.datetime) -> None:
    """At the kiosk a booking checks in from CHECKIN_EARLY_MINUTES before its time to
    CHECKIN_LATE_MINUTES after it."""
    early = reservation.start_at - dt.timedelta(minutes=settings.CHECKIN_EARLY_MINUTES)
    late = reservation.start_at + dt.timedelta(minutes=settings.CHECKIN_LATE_MINUTES)
    if now < early:
        raise CounterError(
            "too_early",
            _("It is too early to check in. Please come back %(minutes)s minutes before your time.")
            % {"minutes": settings.CHECKIN_EARLY_MINUTES},
        )
    if now > late:
        raise CounterError(
            "too_late",
            _("You are past your booked time. Please speak to the staff at the counter."),
        )


def visit_check_in_by_code(
    *, code: str, now: dt.datetime | None = None, by_staff: StaffMember | None = None
) -> CheckInResult:
    reservation = Reservation.objects.filter(code=codes.normalize_code(code)).first()
    if reservation is None:
        raise CounterError(
            "unknown_code",
            _("There is no booking with this code.")
            if by_staff
            else _("We could not find this booking code. Please check it, or ask the staff."),
        )
    return visit_check_in(reservation=reservation, now=now, by_staff=by_staff)


def _clerks_left_today(procedure: Procedure, now: dt.datetime) -> list[int]:
    local = timezone.localtime(now)
    latest_start = (local + procedure.duration).time()
    return list(
        Shift.objects.serving(procedure)
        .filter(date=local.date(), end_time__gte=latest_start)
        .values_list("staff_id", flat=True)
    )


def visit_issue_walk_in(
    *, procedure: Procedure, now: dt.datetime | None = None, by_staff: StaffMember | None = None
) -> Visit:
    """A numbered ticket for a citizen without booking, if a qualified clerk works today.

    Otherwise raises WalkInRefused with the next bookable times, so nobody waits for a
    ticket that will not be served.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    # Shifts decide: a holiday with clerks on shift is a special opening day.
    if not _clerks_left_today(procedure, now):
        earliest, last_day = availability.booking_window(procedure, now)
        roster = availability.load_roster(
            procedure=procedure,
            first_day=today,
            last_day=min(last_day, today + dt.timedelta(days=30)),
            now=now,
        )
        next_slots = []
        day = today
        while day <= roster.last_day and len(next_slots) < 3:
            next_slots += availability.free_slots(roster, day, earliest=earliest)[
                : 3 - len(next_slots)
            ]
            day += dt.timedelta(days=1)
        closed = Shift.objects.serving(procedure).filter(date=today).exists()
        raise WalkInRefused(
            _(
                "Sorry, today's reception for this procedure has ended. Please book one of "
                "the times below."
            )
            if closed  # staff were in today: not "nobody can handle it"
            else _(
                "Sorry, no staff member who can handle this procedure is working today. "
                "Please book one of the times below."
            ),
            next_slots,
        )
    with transaction.atomic():
        visit = visit_save_numbered(
            Visit(
                day=today,
                kind=VisitKind.WALK_IN,
                procedure=procedure,
                status=VisitStatus.WAITING,
                checked_in_at=now,
                survey_token=secrets.token_urlsafe(16),
            ),
            WALK_IN_PREFIX,
        )
        visit_event_add(visit, VisitEvent.Kind.CHECKED_IN, now, actor=by_staff)
    return visit
