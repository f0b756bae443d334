"""The day at the counter: check-in, walk-in tickets, calling, serving, no-shows.

Every change of a visit is a transition of the state machine in
``models.VISIT_TRANSITIONS`` and leaves a VisitEvent with its time. "Call next" takes
the citizen it calls under a row lock that other clerks skip (PostgreSQL
``FOR UPDATE SKIP LOCKED``; on SQLite the transaction's write lock), so two clerks
pressing it at once never call the same person.
"""

import datetime as dt
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organization.models import StaffMember
from reservations import availability, codes
from reservations.counter_queue import DUE_MARGIN
from reservations.models import (
    VISIT_TRANSITIONS,
    Counter,
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


_EVENT_OF_ACTION = {
    "call": VisitEvent.Kind.CALLED,
    "recall": VisitEvent.Kind.RECALLED,
    "serve": VisitEvent.Kind.SERVING,
    "done": VisitEvent.Kind.DONE,
    "no_show": VisitEvent.Kind.NO_SHOW,
    "transfer": VisitEvent.Kind.TRANSFERRED,
}
_TIME_FIELD_OF_ACTION = {
    "call": "called_at",
    "recall": "called_at",
    "serve": "serving_at",
    "done": "done_at",
    "no_show": "no_show_at",
}


def _new_ticket(day: dt.date, prefix: str) -> str:
    last = (
        Visit.objects.filter(day=day, ticket__startswith=prefix)
        .order_by("-ticket")
        .values_list("ticket", flat=True)
        .first()
    )
    number = int(last[len(prefix) :]) + 1 if last else 1
    return "%s%03d" % (prefix, number)


def _save_with_ticket(visit: Visit, prefix: str) -> Visit:
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


def _new_booked_visit(reservation: Reservation, day: dt.date, **fields) -> Visit:
    """A booking's visit, with its prepared clerk and counter and the day's next A-number."""
    return _save_with_ticket(
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


def _event(visit: Visit, kind: str, now: dt.datetime, actor=None, note: str = "") -> None:
    VisitEvent.objects.create(visit=visit, kind=kind, at=now, actor=actor, note=note[:200])


def current_counter(staff: StaffMember, now: dt.datetime) -> Counter | None:
    """The counter of the clerk's shift now, else of their next or last shift today."""
    shifts = list(
        Shift.objects.filter(staff=staff, date=timezone.localdate(now))
        .select_related("counter")
        .order_by("start_time")
    )
    local = timezone.localtime(now).time()
    for shift in shifts:
        if shift.start_time <= local < shift.end_time:
            return shift.counter
    upcoming = [s for s in shifts if s.start_time > local]
    if upcoming:
        return upcoming[0].counter
    return shifts[-1].counter if shifts else None


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
    day. Checking in twice gives the same number.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        reservation = Reservation.objects.select_for_update().get(pk=reservation.pk)
        existing = Visit.objects.filter(reservation=reservation).first()
        if existing and existing.status != VisitStatus.NO_SHOW:
            return CheckInResult(existing, already=True)
        if reservation.status != ReservationStatus.CONFIRMED:
            raise CounterError("not_confirmed", _("This booking is not active."))
        if timezone.localdate(reservation.start_at) != today:
            raise CounterError(
                "other_day", _("This booking is for another day. Please check the date.")
            )
        early = reservation.start_at - dt.timedelta(minutes=settings.CHECKIN_EARLY_MINUTES)
        late = reservation.start_at + dt.timedelta(minutes=settings.CHECKIN_LATE_MINUTES)
        if by_staff is None and now < early:
            raise CounterError(
                "too_early",
                _(
                    "It is too early to check in. Please come back %(minutes)s minutes "
                    "before your time."
                )
                % {"minutes": settings.CHECKIN_EARLY_MINUTES},
            )
        if by_staff is None and now > late:
            raise CounterError(
                "too_late",
                _("You are past your booked time. Please speak to the staff at the counter."),
            )
        if existing:  # marked no-show, then came after all (staff only get here late)
            visit = existing
            visit.status = VisitStatus.WAITING
            visit.checked_in_at = now
            visit.no_show_at = None
            visit.save(update_fields=["status", "checked_in_at", "no_show_at"])
        else:
            visit = _new_booked_visit(
                reservation, today, status=VisitStatus.WAITING, checked_in_at=now
            )
        _event(visit, VisitEvent.Kind.CHECKED_IN, now, actor=by_staff)
    return CheckInResult(visit, already=False)


def visit_check_in_by_code(
    *, code: str, now: dt.datetime | None = None, by_staff: StaffMember | None = None
) -> CheckInResult:
    reservation = Reservation.objects.filter(code=codes.normalize_code(code)).first()
    if reservation is None:
        raise CounterError(
            "unknown_code",
            _("We could not find this booking code. Please check it, or ask the staff."),
        )
    return visit_check_in(reservation=reservation, now=now, by_staff=by_staff)


def _clerks_left_today(procedure: Procedure, now: dt.datetime) -> list[int]:
    local = timezone.localtime(now)
    latest_start = (local + procedure.duration).time()
    return list(
        Shift.objects.filter(
            staff__qualified_procedures=procedure,
            staff__user__is_active=True,
            date=local.date(),
            end_time__gte=latest_start,
        ).values_list("staff_id", flat=True)
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
        raise WalkInRefused(
            _(
                "Sorry, no staff member who can handle this procedure is working today. "
                "Please book one of the times below."
            ),
            next_slots,
        )
    with transaction.atomic():
        visit = _save_with_ticket(
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
        _event(visit, VisitEvent.Kind.CHECKED_IN, now, actor=by_staff)
    return visit


def _transition(visit: Visit, action: str, now: dt.datetime) -> list[str]:
    if not visit.can(action):
        raise CounterError(
            "invalid_transition",
            _("%(ticket)s cannot be %(action)s now: it is %(status)s.")
            % {
                "ticket": visit.ticket,
                "action": ACTION_LABELS[action],
                "status": visit.get_status_display(),
            },
        )
    _from, to = VISIT_TRANSITIONS[action]
    visit.status = to
    fields = ["status"]
    if action in _TIME_FIELD_OF_ACTION:
        setattr(visit, _TIME_FIELD_OF_ACTION[action], now)
        fields.append(_TIME_FIELD_OF_ACTION[action])
    return fields


ACTION_LABELS = {
    "call": _("called"),
    "recall": _("called again"),
    "serve": _("served"),
    "done": _("finished"),
    "no_show": _("marked as a no-show"),
    "transfer": _("transferred"),
}


def visit_call_next(*, staff: StaffMember, now: dt.datetime | None = None) -> Visit | None:
    """Call the next citizen for this clerk; None when nobody is waiting for them.

    Order: their booked citizens whose time has come (by booked time), then walk-ins
    for a procedure they can handle (first come, first served), then their booked
    citizens who came early.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        busy = Visit.objects.filter(
            day=today, staff=staff, status__in=[VisitStatus.CALLED, VisitStatus.SERVING]
        ).first()
        if busy:
            raise CounterError(
                "busy",
                _("Finish %(ticket)s first (done or no-show) before calling the next citizen.")
                % {"ticket": busy.ticket},
            )
        qualified = staff.qualified_procedures.values("pk")
        candidates = (
            Visit.objects.filter(day=today, status=VisitStatus.WAITING)
            .filter(
                Q(kind=VisitKind.BOOKED, staff=staff)
                | Q(kind=VisitKind.WALK_IN, staff__isnull=True, procedure__in=qualified)
                | Q(kind=VisitKind.WALK_IN, staff=staff)
            )
            .annotate(
                priority=Case(
                    When(kind=VisitKind.BOOKED, expected_at__lte=now + DUE_MARGIN, then=Value(0)),
                    When(kind=VisitKind.WALK_IN, then=Value(1)),
                    default=Value(2),
                    output_field=IntegerField(),
                ),
                queue_time=Coalesce(F("expected_at"), F("checked_in_at")),
            )
            .order_by("priority", "queue_time", "id")
        )
        visit = candidates.select_for_update(skip_locked=True, of=("self",)).first()
        if visit is None:
            return None
        fields = _transition(visit, "call", now)
        visit.staff = staff
        visit.counter = current_counter(staff, now) or visit.counter
        visit.save(update_fields=[*fields, "staff", "counter"])
        _event(visit, VisitEvent.Kind.CALLED, now, actor=staff)
    return visit


def visit_act(
    *,
    visit: Visit,
    action: str,
    actor: StaffMember | None,
    now: dt.datetime | None = None,
    must_return: bool = False,
) -> Visit:
    """Recall, start serving, finish or mark a no-show: one step of the state machine.
    A visit finished with ``must_return`` did not complete the procedure (a missing
    document, say): the dashboards do not count it as completed on the first visit."""
    if action not in ("recall", "serve", "done", "no_show"):
        raise CounterError("unknown_action", _("Unknown action."))
    now = now or timezone.now()
    with transaction.atomic():
        visit = Visit.objects.select_for_update().get(pk=visit.pk)
        fields = _transition(visit, action, now)
        if action == "recall":
            visit.recall_count += 1
            fields.append("recall_count")
        if action == "done" and must_return:
            visit.must_return = True
            fields.append("must_return")
        visit.save(update_fields=fields)
        _event(visit, _EVENT_OF_ACTION[action], now, actor=actor)
        if action == "done" and visit.reservation_id:
            from reservations import emails

            # Booked citizens with an e-mail address get the survey link as well.
            emails.survey_email_queue(visit, now=now)
    return visit


def visit_transfer(
    *,
    visit: Visit,
    to_staff: StaffMember,
    actor: StaffMember | None,
    now: dt.datetime | None = None,
) -> Visit:
    """Hand a waiting or called citizen to another clerk who can do the procedure."""
    now = now or timezone.now()
    with transaction.atomic():
        visit = Visit.objects.select_for_update().select_related("procedure").get(pk=visit.pk)
        if not visit.procedure.qualified_staff.filter(pk=to_staff.pk).exists():
            raise CounterError(
                "not_qualified",
                _("%(name)s cannot handle this procedure.") % {"name": to_staff.display_name},
            )
        fields = _transition(visit, "transfer", now)
        visit.staff = to_staff
        visit.counter = current_counter(to_staff, now) or visit.counter
        visit.save(update_fields=[*fields, "staff", "counter"])
        _event(visit, VisitEvent.Kind.TRANSFERRED, now, actor=actor, note=str(to_staff))
    return visit


def visits_mark_no_shows(*, now: dt.datetime | None = None) -> int:
    """Mark absent citizens as no-shows (idempotent; beat runs it every minute).

    A booked citizen who has not checked in NO_SHOW_AFTER_MINUTES after their time, and
    a called citizen who has not come to the counter within CALLED_NO_SHOW_MINUTES.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    marked = 0
    with transaction.atomic():
        absent = Reservation.objects.filter(
            status=ReservationStatus.CONFIRMED,
            start_at__gte=timezone.make_aware(dt.datetime.combine(today, dt.time.min)),
            start_at__lte=now - dt.timedelta(minutes=settings.NO_SHOW_AFTER_MINUTES),
            visit__isnull=True,
        )
        for reservation in absent:
            visit = _new_booked_visit(
                reservation, today, status=VisitStatus.NO_SHOW, no_show_at=now
            )
            _event(visit, VisitEvent.Kind.NO_SHOW, now, note="not checked in")
            marked += 1
        stale_calls = Visit.objects.select_for_update().filter(
            day=today,
            status=VisitStatus.CALLED,
            called_at__lte=now - dt.timedelta(minutes=settings.CALLED_NO_SHOW_MINUTES),
        )
        for visit in stale_calls:
            visit.status = VisitStatus.NO_SHOW
            visit.no_show_at = now
            visit.save(update_fields=["status", "no_show_at"])
            _event(visit, VisitEvent.Kind.NO_SHOW, now, note="did not come when called")
            marked += 1
    return marked
