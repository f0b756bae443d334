"""Reads of the reservations app, each page's data in a constant number of queries."""

import calendar
import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language

from reservations import availability, codes, refusals
from reservations.models import (
    RELEASED_STATUSES,
    DocumentRule,
    Procedure,
    ProcedureQuestion,
    QuestionChoice,
    Reservation,
    ReservationStatus,
)
from reservations.requirements import rules_in_force  # noqa: F401 (read from here too)


def procedure_list_public() -> QuerySet[Procedure]:
    return Procedure.objects.filter(is_active=True).select_related("department")


def procedure_for_booking(code: str, *, read: dict | None = None) -> Procedure:
    """An active procedure with its department, rules in force (``rules_in_force``) and
    questions with their answers (``all_questions``); raises DoesNotExist.

    Cached with the availability (a change of procedures, rules or questions refreshes
    it); the booking service checks answers and consents against the database in any
    case.
    """

    def load():
        return (
            Procedure.objects.filter(is_active=True)
            .select_related("department")
            .prefetch_related(
                Prefetch(
                    "document_rules",
                    queryset=DocumentRule.objects.filter(is_active=True).prefetch_related(
                        "applies_when"
                    ),
                    to_attr="rules_in_force",
                ),
                Prefetch(
                    "questions",
                    queryset=ProcedureQuestion.objects.prefetch_related(
                        Prefetch(
                            "choices",
                            queryset=QuestionChoice.objects.order_by("display_order", "id"),
                        )
                    ),
                    to_attr="all_questions",
                ),
            )
            .filter(code=code)
            .first()
        )

    procedure = availability.cached_master_data(_procedure_name(code), load, read=read)
    if procedure is None:
        raise Procedure.DoesNotExist
    return procedure


def _procedure_name(code: str) -> str:
    return "procedure:%s" % code


# The id of each procedure code this process has read: the day page reads the procedure
# and its free times from the cache in one round trip (a code that now names another
# procedure is read again, in two).
_procedure_ids: dict[str, int] = {}


def procedure_and_day(*, code: str, day: dt.date, now: dt.datetime) -> tuple[Procedure, "DayView"]:
    """``procedure_for_booking(code)`` and ``day_times`` of it for ``day``; raises
    Procedure.DoesNotExist."""
    known = _procedure_ids.get(code)
    read = None
    if known is not None:
        read = availability.read_ahead(
            master=_procedure_name(code), procedure_id=known, name=_day_name(day)
        )
    procedure = procedure_for_booking(code, read=read)
    if procedure.pk != known:
        _procedure_ids[code] = procedure.pk
        read = None
    return procedure, day_times(procedure=procedure, day=day, now=now, read=read)


@dataclass(frozen=True)
class MonthView:
    first_day: dt.date
    weeks: list[list[availability.DaySummary | None]]
    previous_month: dt.date | None
    next_month: dt.date | None
    open_days: int
    cache_key: str  # changes whenever the month's availability may have changed
    # The last day bookable now, when this month goes past it (its later days can be
    # booked later: said under the grid, whose cells for them carry no word).
    last_bookable: dt.date | None = None

    @property
    def closures(self) -> list[availability.DaySummary]:
        """The days of the month closed for a reason (a holiday, a closed day): listed
        under the grid, where a phone shows no cell's title."""
        return [
            summary
            for week in self.weeks
            for summary in week
            if summary and summary.status == availability.DayStatus.CLOSED and summary.reason
        ]


def calendar_month(*, procedure: Procedure, month: dt.date, now: dt.datetime) -> MonthView:
    """The days of ``month`` with their status, laid out Monday-first: 3 queries, or none
    when cached."""
    first = month.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    earliest, last_bookable = availability.booking_window(procedure, now)

    def compute():
        roster = availability.load_roster(
            procedure=procedure, first_day=first, last_day=last, now=now
        )
        return availability.day_summaries(roster, earliest=earliest, last_bookable=last_bookable)

    # Per language, as the day's: a closed day's reason is worded.
    summaries, cache_key = availability.cached(
        procedure, "month:%s:%s" % (first, get_language() or ""), earliest, compute
    )
    weeks: list[list[availability.DaySummary | None]] = []
    week: list[availability.DaySummary | None] = [None] * first.weekday()
    for summary in summaries:
        week.append(summary)
        if len(week) == 7:
            weeks.append(week)
            week = []
    if week:
        weeks.append(week + [None] * (7 - len(week)))
    this_month = timezone.localdate(now).replace(day=1)
    previous_month = (first - dt.timedelta(days=1)).replace(day=1)
    next_month = last + dt.timedelta(days=1)
    return MonthView(
        first_day=first,
        weeks=weeks,
        previous_month=previous_month if previous_month >= this_month else None,
        next_month=next_month if next_month <= last_bookable else None,
        open_days=sum(1 for s in summaries if s.status == availability.DayStatus.OPEN),
        cache_key=cache_key,
        last_bookable=last_bookable if last > last_bookable else None,
    )


@dataclass(frozen=True)
class DayView:
    day: dt.date
    summary: availability.DaySummary
    slots: list[availability.Slot]
    # Why the day cannot be booked (passed, too soon, too far ahead), when it cannot.
    unavailable_reason: str = ""


def day_times(
    *, procedure: Procedure, day: dt.date, now: dt.datetime, read: dict | None = None
) -> DayView:
    """The free times of one day: 3 queries (1 on PostgreSQL with the shifts cached), or
    none when cached (``read``: see ``availability.read_ahead``)."""
    earliest, last_bookable = availability.booking_window(procedure, now)

    def compute():
        if day > last_bookable:  # no roster to read (and none near date.max)
            summary = availability.DaySummary(day, availability.DayStatus.UNAVAILABLE)
            reason = refusals.day_unavailable_reason(procedure, day, now=now)
            return DayView(day, summary, [], reason)
        if connection.vendor == "postgresql":
            # The shifts (cached) and one query for the free times, whatever the bookings.
            shifts_by_day, closed = availability.static_roster(procedure, day, day)
            roster = availability.Roster(procedure, day, day, shifts_by_day, {}, closed)

            def slots_of(day):
                return availability.free_slots_sql(roster, day, earliest=earliest, now=now)
        else:
            roster = availability.load_roster(
                procedure=procedure, first_day=day, last_day=day, now=now
            )
            slots_of = None
        summary, slots = availability.day_summary(
            roster, day, earliest=earliest, last_bookable=last_bookable, slots_of=slots_of
        )
        reason = ""
        if summary.status == availability.DayStatus.UNAVAILABLE:
            reason = refusals.day_unavailable_reason(procedure, day, now=now)
        return DayView(day, summary, slots, reason)

    return availability.cached(procedure, _day_name(day), earliest, compute, read=read)[0]


def _day_name(day: dt.date) -> str:
    """A day's free times are cached per language (the day's summary is worded)."""
    return "day:%s:%s" % (day, get_language() or "")


def reservation_by_token(token: str) -> Reservation | None:
    """The booking a manage link points to, or None for a forged or revoked link."""
    parsed = codes.parse_manage_token(token)
    if parsed is None:
        return None
    code, nonce = parsed
    reservation = (
        Reservation.objects.select_related(
            "procedure__department", "counter", "rescheduled_to", "staff__user"
        )
        .prefetch_related("consents")
        .filter(code=code)
        .first()
    )
    if reservation is None or not codes.nonce_matches(reservation.manage_nonce, nonce):
        return None
    return reservation


def _for_email():
    return Reservation.objects.select_related("procedure__department", "counter").prefetch_related(
        "consents"
    )


def reservation_for_email(reservation_id: int) -> Reservation:
    return _for_email().get(pk=reservation_id)


def reservations_for_emails(reservation_ids: set[int]) -> dict[int, Reservation]:
    """The bookings of a batch of e-mails, as ``reservation_for_email`` reads one."""
    return {r.pk: r for r in _for_email().filter(pk__in=reservation_ids)}


def documents_to_bring(reservation: Reservation, *, in_reader_language=False) -> list[str]:
    """The document rules as the citizen agreed to them. ``in_reader_language`` (the
    manage page, read in another language than the booking's): a rule whose wording has
    not changed since is given in the reader's language."""
    consents = list(reservation.consents.all())
    if not in_reader_language or (get_language() or "") == reservation.language:
        return [consent.rule_text for consent in consents]
    rules = DocumentRule.objects.in_bulk([c.rule_id for c in consents if c.rule_id])
    return [
        rules[c.rule_id].text
        if c.rule_id in rules and rules[c.rule_id].version == c.rule_version
        else c.rule_text
        for c in consents
    ]


def reminders_due(*, day: dt.date) -> list[int]:
    """Confirmed bookings on ``day`` with an e-mail and no reminder yet.

    A booking made less than a day before its start is left out: its confirmation has
    just arrived.
    """
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    end = start + dt.timedelta(days=1)
    candidates = Reservation.objects.filter(
        status=ReservationStatus.CONFIRMED,
        reminder_sent_at__isnull=True,
        start_at__gte=start,
        start_at__lt=end,
    ).exclude(email="")
    return [
        pk
        for pk, created_at, start_at in candidates.values_list("pk", "created_at", "start_at")
        if start_at - created_at >= dt.timedelta(days=1)
    ]


def staff_double_bookings() -> list[tuple[int, int]]:
    """Pairs of reservation ids that put one clerk in two places: always empty.

    Used by the tests and the benchmark to check the guarantee, so it is written in SQL
    of its own, independent of the code that enforces it.
    """
    table = Reservation._meta.db_table
    released = ", ".join("'%s'" % status for status in RELEASED_STATUSES)
    sql = f"""
        SELECT a.id, b.id FROM {table} a JOIN {table} b
          ON a.staff_id = b.staff_id AND a.id < b.id
         AND a.start_at < b.end_at AND b.start_at < a.end_at
        WHERE a.status NOT IN ({released}) AND b.status NOT IN ({released})
    """
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [tuple(row) for row in cursor.fetchall()]


def no_show_count(*, email_key: str, phone_key: str, since: dt.datetime) -> int:
    """How many of this person's bookings since ``since`` ended as no-shows."""
    from reservations.models import Visit, VisitStatus

    person = Q()
    if email_key:
        person |= Q(reservation__email_key=email_key)
    if phone_key:
        person |= Q(reservation__phone_key=phone_key)
    if not person:
        return 0
    return Visit.objects.filter(
        person, status=VisitStatus.NO_SHOW, reservation__start_at__gte=since
    ).count()


# --- The counter ----------------------------------------------------------------------


def display_board(*, day: dt.date, called: int = 12, serving: int = 8) -> dict[str, list]:
    """The numbers being called and, apart, those being served, each with its counter
    (no names, nothing personal), the latest first. Each list has its own limit, so
    many citizens at their counters never push a number still to walk up off the board;
    those being served are already at their counter, and only the latest are shown."""
    from reservations.models import Visit, VisitStatus

    def latest(status, limit: int) -> list:
        return list(
            Visit.objects.filter(day=day, status=status)
            .select_related("counter")
            .order_by("-called_at")[:limit]
        )

    return {
        "called": latest(VisitStatus.CALLED, called),
        "serving": latest(VisitStatus.SERVING, serving),
    }


def visit_for_staff(visit_id: int):
    from reservations.models import Visit

    return (
        Visit.objects.select_related("procedure__department", "staff__user", "counter")
        .prefetch_related("reservation__answers")
        .filter(pk=visit_id)
        .first()
    )


def reservation_for_check_in(reservation_id: int | None) -> Reservation | None:
    if reservation_id is None:
        return None
    return Reservation.objects.filter(pk=reservation_id).first()


def counters_today(*, day: dt.date):
    from reservations.models import Counter

    return Counter.objects.filter(shifts__date=day).distinct().order_by("name")


def clerks_today(*, day: dt.date):
    from organization.models import StaffMember

    return (
        StaffMember.objects.filter(shifts__date=day)
        .select_related("user")
        .distinct()
        .order_by("user__last_name", "user__first_name")
    )


def kiosk_device_for_token(token: str | None):
    """The enrolled, not revoked kiosk device holding this token, else None."""
    from reservations.models import KioskDevice
    from reservations.services.kiosk import kiosk_token_hash

    if not token or len(token) > 200:
        return None
    return KioskDevice.objects.filter(
        token_hash=kiosk_token_hash(token), revoked_at__isnull=True
    ).first()


def _first_shift_start(procedure, local: dt.datetime) -> dt.time | None:
    """When the first clerk who can do ``procedure`` starts later today, if one does."""
    from reservations.models import Shift

    return (
        Shift.objects.serving(procedure)
        .filter(date=local.date(), start_time__gt=local.time())
        .order_by("start_time")
        .values_list("start_time", flat=True)
        .first()
    )


@dataclass
class WaitEstimate:
    """What the walk-in ticket says about the wait.

    ``ahead``: citizens waiting for this procedure who will be called first.
    ``minutes``: median handling time today × ahead ÷ clerks serving it now, rounded
    up; None when today has fewer than ``samples_needed`` measured handlings.
    ``opens_at``: when nobody serves the procedure yet (before the counter opens), the
    time the first qualified clerk's shift starts today; None otherwise.
    """

    ahead: int
    minutes: int | None
    samples: int
    samples_needed: int
    clerks: int
    opens_at: dt.time | None = None


def walk_in_wait(*, visit, now: dt.datetime, samples_needed: int) -> WaitEstimate:
    """Who is ahead of this walk-in, and about how long they will wait: 3 queries.

    Ahead: the walk-ins for the same procedure who came earlier, and the booked
    citizens of that procedure already checked in whose time has come (the clerks call
    those before walk-ins, see ``services.visit_call_next``). Handling time: from
    "service started" to "done", of today's visits of the same procedure.
    """
    import math
    import statistics

    from reservations.counter_queue import DUE_MARGIN
    from reservations.models import Shift, Visit, VisitKind, VisitStatus

    procedure = visit.procedure
    waiting = Visit.objects.filter(
        day=visit.day, procedure=procedure, status=VisitStatus.WAITING
    ).exclude(pk=visit.pk)
    ahead = waiting.filter(
        Q(kind=VisitKind.WALK_IN, checked_in_at__lt=visit.checked_in_at)
        | Q(kind=VisitKind.WALK_IN, checked_in_at=visit.checked_in_at, pk__lt=visit.pk)
        | Q(kind=VisitKind.BOOKED, expected_at__lte=now + DUE_MARGIN)
    ).count()
    durations = sorted(
        (done - serving).total_seconds() / 60
        for serving, done in Visit.objects.filter(
            day=visit.day,
            procedure=procedure,
            status=VisitStatus.DONE,
            serving_at__isnull=False,
            done_at__isnull=False,
        ).values_list("serving_at", "done_at")
    )
    local = timezone.localtime(now)
    clerks = (
        Shift.objects.serving(procedure)
        .filter(date=local.date(), start_time__lte=local.time(), end_time__gt=local.time())
        .values("staff_id")
        .distinct()
        .count()
    )
    minutes = None
    if durations and len(durations) >= samples_needed:
        minutes = math.ceil(statistics.median(durations) * ahead / max(clerks, 1))
    # Before opening (or in a gap) "you are next" would not be true yet.
    opens_at = None if clerks else _first_shift_start(procedure, local)
    return WaitEstimate(
        ahead=ahead,
        minutes=minutes,
        samples=len(durations),
        samples_needed=samples_needed,
        clerks=clerks,
        opens_at=opens_at,
    )
