"""The day at the counter: calling, serving, transfers and no-shows (check-in and walk-in
tickets are in ``checkin``).

Every change of a visit is a transition of the state machine in
``models.VISIT_TRANSITIONS`` and leaves a VisitEvent with its time. "Call next" takes
the citizen it calls under a row lock that other clerks skip (PostgreSQL
``FOR UPDATE SKIP LOCKED``; on SQLite the transaction's write lock), so two clerks
pressing it at once never call the same person.
"""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organization.models import Role, StaffMember
from reservations.counter_queue import DUE_MARGIN
from reservations.models import (
    VISIT_TRANSITIONS,
    Counter,
    Reservation,
    ReservationStatus,
    Shift,
    Visit,
    VisitEvent,
    VisitKind,
    VisitStatus,
)
from reservations.services.checkin import (  # noqa: F401 (re-exported: also imported from here)
    BOOKED_PREFIX,
    WALK_IN_PREFIX,
    CheckInResult,
    CounterError,
    WalkInRefused,
    booked_visit_create,
    visit_check_in,
    visit_check_in_by_code,
    visit_event_add,
    visit_issue_walk_in,
)

_EVENT_OF_ACTION = {
    "call": VisitEvent.Kind.CALLED,
    "recall": VisitEvent.Kind.RECALLED,
    "serve": VisitEvent.Kind.SERVING,
    "done": VisitEvent.Kind.DONE,
    "no_show": VisitEvent.Kind.NO_SHOW,
    "transfer": VisitEvent.Kind.TRANSFERRED,
    "back": VisitEvent.Kind.CHECKED_IN,
}
_TIME_FIELD_OF_ACTION = {
    "call": "called_at",
    "recall": "called_at",
    "serve": "serving_at",
    "done": "done_at",
    "no_show": "no_show_at",
}


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
    "back": _("put back in the queue"),
}


def visit_call_next(*, staff: StaffMember, now: dt.datetime | None = None) -> Visit | None:
    """Call the next citizen for this clerk; None when nobody is waiting for them.

    Order: their booked citizens whose time has come (by booked time), then walk-ins
    for a procedure they can handle (first come, first served), then their booked
    citizens who came early.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    counter = current_counter(staff, now)
    if counter is None:
        # The board would send the citizen to no counter.
        raise CounterError(
            "no_counter",
            _(
                "You have no shift at a counter today, so the display board could not say "
                "where to come. Ask a manager to enter your shift first."
            ),
        )
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
        visit.counter = counter
        visit.save(update_fields=[*fields, "staff", "counter"])
        visit_event_add(visit, VisitEvent.Kind.CALLED, now, actor=staff)
    return visit


def visit_act(
    *,
    visit: Visit,
    action: str,
    actor: StaffMember | None,
    now: dt.datetime | None = None,
    must_return: bool = False,
) -> Visit:
    """Recall, start serving, finish, mark a no-show or put a no-show back in the queue:
    one step of the state machine.
    A visit finished with ``must_return`` did not complete the procedure (a missing
    document, say): the dashboards do not count it as completed on the first visit.
    A counter clerk acts on their own citizens and on those nobody has yet; another
    clerk's citizen is taken over by a transfer (the handling times stay with whoever
    served), and managers may act on any."""
    if action not in ("recall", "serve", "done", "no_show", "back"):
        raise CounterError("unknown_action", _("Unknown action."))
    now = now or timezone.now()
    with transaction.atomic():
        visit = (
            Visit.objects.select_for_update(of=("self",))
            .select_related("staff__user")
            .get(pk=visit.pk)
        )
        _require_own(visit, actor)
        fields = _transition(visit, action, now)
        if action == "recall":
            visit.recall_count += 1
            fields.append("recall_count")
        if action == "back":
            visit.no_show_at = None
            fields.append("no_show_at")
        if action == "done" and must_return:
            visit.must_return = True
            fields.append("must_return")
        visit.save(update_fields=fields)
        visit_event_add(visit, _EVENT_OF_ACTION[action], now, actor=actor)
        if action == "done" and visit.reservation_id:
            from reservations import emails

            # Booked citizens with an e-mail address get the survey link as well.
            emails.survey_email_queue(visit, now=now)
    return visit


def may_act_on(actor: StaffMember | None, staff_id: int | None) -> bool:
    """Whether ``actor`` may call again, serve or finish a citizen who is with the clerk
    ``staff_id`` (None: nobody yet). A counter clerk may not for another clerk's
    citizen (they take them over by a transfer); managers and the system may."""
    return not (
        actor is not None
        and actor.role == Role.COUNTER_STAFF
        and staff_id is not None
        and staff_id != actor.pk
    )


def may_see(actor: StaffMember | None, *, procedure_id: int, staff_id: int | None) -> bool:
    """Whether ``actor`` may see and handle a citizen of this procedure who is with the
    clerk ``staff_id``: a counter clerk only those of the procedures they are qualified
    for and their own (need-to-know, as their queue shows), managers and the system all."""
    if actor is None or actor.role != Role.COUNTER_STAFF or staff_id == actor.pk:
        return True
    return actor.qualified_procedures.filter(pk=procedure_id).exists()


def _require_seen(visit: Visit, actor: StaffMember | None) -> None:
    if not may_see(actor, procedure_id=visit.procedure_id, staff_id=visit.staff_id):
        raise CounterError("not_found", _("There is no such visit."))


def _require_own(visit: Visit, actor: StaffMember | None) -> None:
    _require_seen(visit, actor)
    if not may_act_on(actor, visit.staff_id):
        raise CounterError(
            "not_yours",
            _(
                "%(ticket)s is with %(name)s: only they or a manager can do this. To take "
                "the citizen over, transfer them to yourself."
            )
            % {"ticket": visit.ticket, "name": visit.staff.display_name},
        )


def _require_may_transfer(visit: Visit, to_staff: StaffMember, actor: StaffMember | None) -> None:
    """A counter clerk hands on their own citizens and those nobody has yet; another
    clerk's citizen they may only take over themselves (``_require_own`` tells them to),
    never hand on to a third clerk."""
    _require_seen(visit, actor)
    if may_act_on(actor, visit.staff_id) or to_staff.pk == actor.pk:
        return
    raise CounterError(
        "not_yours",
        _(
            "%(ticket)s is with %(name)s: only they or a manager can hand the citizen "
            "to another clerk. To take them over, transfer them to yourself."
        )
        % {"ticket": visit.ticket, "name": visit.staff.display_name},
    )


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
        _require_may_transfer(visit, to_staff, actor)
        if not visit.procedure.qualified_staff.filter(pk=to_staff.pk).exists():
            raise CounterError(
                "not_qualified",
                _("%(name)s cannot handle this procedure.") % {"name": to_staff.display_name},
            )
        counter = current_counter(to_staff, now)
        if counter is None:
            raise CounterError(
                "not_in",
                _("%(name)s has no shift today: the citizen would wait for nobody.")
                % {"name": to_staff.display_name},
            )
        fields = _transition(visit, "transfer", now)
        visit.staff = to_staff
        visit.counter = counter
        visit.save(update_fields=[*fields, "staff", "counter"])
        visit_event_add(visit, VisitEvent.Kind.TRANSFERRED, now, actor=actor, note=str(to_staff))
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
            visit = booked_visit_create(
                reservation, today, status=VisitStatus.NO_SHOW, no_show_at=now
            )
            visit_event_add(visit, VisitEvent.Kind.NO_SHOW, now, note="not checked in")
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
            visit_event_add(visit, VisitEvent.Kind.NO_SHOW, now, note="did not come when called")
            marked += 1
    return marked
