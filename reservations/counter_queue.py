"""The counter's queue for one day: today's bookings (arrived or not) and walk-in
tickets, with what the clerk needs to serve or hand on each, in three queries."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from organization.models import StaffMember
from reservations.models import (
    Procedure,
    Reservation,
    ReservationStatus,
    Shift,
    Visit,
    VisitKind,
    VisitStatus,
)

# A booked citizen whose time is this close counts as due and is called before walk-ins.
DUE_MARGIN = dt.timedelta(minutes=5)

_EXPECTED = gettext_lazy("Not arrived yet")


@dataclass
class QueueRow:
    """One line of the day's queue: a booking (arrived or not) or a walk-in ticket."""

    time: dt.datetime | None
    ticket: str
    kind: str
    procedure: Procedure
    citizen_name: str
    staff: object
    counter: object
    status: str
    status_label: str
    consents: list
    documents: list[str]
    waiting_minutes: int | None
    reservation: Reservation | None
    visit: object | None
    transfer_to: list = field(default_factory=list)  # clerks who can do the procedure
    citizen_kana: str = ""
    answers: list = field(default_factory=list)  # BookingAnswer: what the citizen answered
    # Rules added or reworded since the booking: the citizen was told of them on their
    # booking's page and in the reminder, so the clerk must know what they may bring.
    changed_rules: list = field(default_factory=list)


def counter_queue(
    *,
    day: dt.date,
    now: dt.datetime,
    counter_id: int | None = None,
    staff_id: int | None = None,
    status: str = "",
    seen_by: StaffMember | None = None,
) -> list[QueueRow]:
    """Today's bookings and walk-ins with what the clerk needs: 3 queries, any size.
    With ``seen_by`` (a counter clerk) only the citizens that clerk could serve: those
    of the procedures they are qualified for, and their own."""
    bookings, walk_ins = _queue_querysets(day, counter_id=counter_id, staff_id=staff_id)
    if seen_by is not None:
        qualified = seen_by.qualified_procedures.values("pk")
        bookings = bookings.filter(Q(procedure__in=qualified) | _booking_with("staff", seen_by.pk))
        walk_ins = walk_ins.filter(Q(procedure__in=qualified) | Q(staff_id=seen_by.pk))
    rows = [_booking_row(reservation, now) for reservation in bookings]
    rows += [_walk_in_row(visit, now) for visit in walk_ins]
    if status:
        rows = [row for row in rows if row.status == status]
    _mark_rules_changed_since_booking(rows)
    clerks = _qualified_clerks({row.procedure.pk for row in rows}, day)
    for row in rows:
        row.transfer_to = clerks.get(row.procedure.pk, [])
    order = _queue_order()
    rows.sort(key=lambda row: (order.get(row.status, 9), row.time or now, row.ticket))
    return rows


def _booking_with(field: str, pk: int) -> Q:
    """A booking whose clerk (or counter) is ``pk``: its visit's once the citizen has
    checked in (a transfer hands the visit on), else the booking's."""
    return Q(**{"visit__%s_id" % field: pk}) | Q(
        **{"visit__%s__isnull" % field: True, "%s_id" % field: pk}
    )


def _queue_querysets(day: dt.date, *, counter_id: int | None, staff_id: int | None):
    """The day's confirmed bookings and its walk-ins, for one counter or clerk if given
    (a clerk also sees the walk-ins nobody has taken yet)."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    bookings = (
        Reservation.objects.filter(
            start_at__gte=start,
            start_at__lt=start + dt.timedelta(days=1),
            status=ReservationStatus.CONFIRMED,
        )
        .select_related(
            "procedure", "staff__user", "counter", "visit__counter", "visit__staff__user"
        )
        .prefetch_related("consents", "answers")
    )
    walk_ins = Visit.objects.filter(day=day, kind=VisitKind.WALK_IN).select_related(
        "procedure", "staff__user", "counter"
    )
    if counter_id:
        bookings = bookings.filter(_booking_with("counter", counter_id))
        walk_ins = walk_ins.filter(counter_id=counter_id)
    if staff_id:
        bookings = bookings.filter(_booking_with("staff", staff_id))
        walk_ins = walk_ins.filter(Q(staff_id=staff_id) | Q(staff__isnull=True))
    return bookings, walk_ins


def _booking_row(reservation: Reservation, now: dt.datetime) -> QueueRow:
    """A booking's row: "expected" until the citizen checks in, then its visit's state."""
    visit = getattr(reservation, "visit", None)
    consents = list(reservation.consents.all())
    return QueueRow(
        time=reservation.start_at,
        ticket=visit.ticket if visit else "",
        kind=VisitKind.BOOKED,
        procedure=reservation.procedure,
        citizen_name=reservation.citizen_name,
        staff=visit.staff if visit and visit.staff_id else reservation.staff,
        counter=(visit.counter if visit and visit.counter_id else reservation.counter),
        status=visit.status if visit else "expected",
        status_label=visit.get_status_display() if visit else str(_EXPECTED),
        consents=consents,
        documents=[consent.rule_text for consent in consents],
        waiting_minutes=_waiting(visit, now),
        reservation=reservation,
        visit=visit,
        citizen_kana=reservation.citizen_kana,
        answers=list(reservation.answers.all()),
    )


def _walk_in_row(visit, now: dt.datetime) -> QueueRow:
    return QueueRow(
        time=visit.checked_in_at,
        ticket=visit.ticket,
        kind=VisitKind.WALK_IN,
        procedure=visit.procedure,
        citizen_name="",
        staff=visit.staff,
        counter=visit.counter,
        status=visit.status,
        status_label=visit.get_status_display(),
        consents=[],
        documents=[],
        waiting_minutes=_waiting(visit, now),
        reservation=None,
        visit=visit,
    )


def _mark_rules_changed_since_booking(rows: list[QueueRow]) -> None:
    """Each booking's rules added or reworded since it was made (``requirements``), the
    procedures' rules and questions read once each (4 queries a procedure)."""
    from reservations.requirements import questions_of, reworded_since_booking, rules_in_force

    read: dict[int, tuple] = {}
    for row in rows:
        if row.reservation is None or row.status in ("done", "no_show"):
            continue
        procedure = row.procedure
        if procedure.pk not in read:
            read[procedure.pk] = (rules_in_force(procedure), questions_of(procedure))
        procedure.rules_in_force, questions = read[procedure.pk]
        row.changed_rules = reworded_since_booking(row.reservation, procedure, questions)


def _queue_order() -> dict[str, int]:
    """The queue shows who is at a counter first, then who is waiting, then the rest."""
    return {
        VisitStatus.SERVING: 0,
        VisitStatus.CALLED: 1,
        VisitStatus.WAITING: 2,
        "expected": 3,
        VisitStatus.DONE: 4,
        VisitStatus.NO_SHOW: 5,
    }


def _qualified_clerks(procedure_ids: set[int], day: dt.date) -> dict[int, list]:
    """Procedure id → the clerks qualified for it with a shift that day (a citizen handed
    to a clerk who is not in would wait for nobody), in one query."""
    by_procedure: dict[int, list] = {}
    if not procedure_ids:
        return by_procedure
    on_shift = Shift.objects.filter(staff_id=OuterRef("pk"), date=day, counter__is_active=True)
    members = (
        StaffMember.objects.filter(qualified_procedures__in=procedure_ids, user__is_active=True)
        .filter(Exists(on_shift))
        .select_related("user")
        .annotate(procedure_id=F("qualified_procedures"))
        .order_by("user__last_name", "user__first_name")
    )
    for member in members:
        by_procedure.setdefault(member.procedure_id, []).append(member)
    return by_procedure


def _waiting(visit, now: dt.datetime) -> int | None:
    if visit is None or visit.status != VisitStatus.WAITING or not visit.checked_in_at:
        return None
    return max(0, int((now - visit.checked_in_at).total_seconds() // 60))
