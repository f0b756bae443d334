"""Availability: shifts minus reservations minus closed days, computed, never stored.

One function loads everything a range of days needs in a constant number of queries
(``load_roster``); pure functions then derive free slots, day summaries and routing
candidates from it. The booking service uses the same code inside its transaction, so
what a citizen is offered and what the service accepts cannot drift apart.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

import holidays
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from reservations.models import ClosedDay, Procedure, Reservation, Shift


@lru_cache(maxsize=16)
def _japanese_holidays(year: int, language: str) -> dict[dt.date, str]:
    names = holidays.country_holidays("JP", years=year, language=language)
    return dict(names.items())


def closure_reason(day: dt.date, closed_days: dict[dt.date, ClosedDay]) -> str | None:
    """Why the counters are closed on ``day`` whatever the roster says, or None.

    Public holidays come from the maintained ``holidays`` package; the year-end closure
    (29 December to 3 January) is the custom of Japanese city halls.
    """
    english = get_language() == "en"
    if day in closed_days:
        record = closed_days[day]
        return (record.reason_en or record.reason) if english else record.reason
    holiday = _japanese_holidays(day.year, "en_US" if english else "ja").get(day)
    if holiday:
        return holiday
    if (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3):
        return _("Year-end and New Year closure")
    return None


@dataclass(frozen=True)
class ShiftSpan:
    staff_id: int
    counter_id: int
    start: dt.datetime
    end: dt.datetime


@dataclass
class Roster:
    """Everything needed to answer availability questions for a range of days."""

    procedure: Procedure
    first_day: dt.date
    last_day: dt.date
    shifts_by_day: dict[dt.date, list[ShiftSpan]]
    busy_by_staff: dict[int, list[tuple[dt.datetime, dt.datetime]]]
    closed_days: dict[dt.date, ClosedDay]
    load_by_staff_day: dict[tuple[int, dt.date], int] = field(default_factory=dict)

    def is_busy(self, staff_id: int, start: dt.datetime, end: dt.datetime) -> bool:
        return any(
            busy_start < end and start < busy_end
            for busy_start, busy_end in self.busy_by_staff.get(staff_id, ())
        )


def _aware(day: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time))


def load_roster(
    *,
    procedure: Procedure,
    first_day: dt.date,
    last_day: dt.date,
    now: dt.datetime,
    exclude_reservation_id: int | None = None,
    with_load: bool = False,
) -> Roster:
    """Load shifts of qualified staff, their busy times and closed days: 3 or 4 queries."""
    qualified = Q(staff__qualified_procedures=procedure, staff__user__is_active=True)
    shifts = (
        Shift.objects.filter(qualified, date__gte=first_day, date__lte=last_day)
        .order_by("date", "start_time", "staff_id")
        .values_list("staff_id", "counter_id", "date", "start_time", "end_time")
    )
    shifts_by_day: dict[dt.date, list[ShiftSpan]] = defaultdict(list)
    for staff_id, counter_id, day, start_time, end_time in shifts:
        shifts_by_day[day].append(
            ShiftSpan(staff_id, counter_id, _aware(day, start_time), _aware(day, end_time))
        )

    range_start = _aware(first_day, dt.time.min)
    range_end = _aware(last_day + dt.timedelta(days=1), dt.time.min)
    busy = Reservation.objects.holding(now=now).filter(
        qualified, start_at__lt=range_end, end_at__gt=range_start
    )
    if exclude_reservation_id:
        busy = busy.exclude(pk=exclude_reservation_id)
    busy_by_staff: dict[int, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
    for staff_id, start_at, end_at in busy.values_list("staff_id", "start_at", "end_at"):
        busy_by_staff[staff_id].append((start_at, end_at))

    closed = {
        record.date: record
        for record in ClosedDay.objects.filter(date__gte=first_day, date__lte=last_day)
    }
    roster = Roster(procedure, first_day, last_day, shifts_by_day, busy_by_staff, closed)
    if with_load:
        # Least-loaded routing: how many bookings each clerk already has that day.
        counts = busy.values("staff_id", "start_at__date").annotate(n=Count("id"))
        roster.load_by_staff_day = {
            (row["staff_id"], row["start_at__date"]): row["n"] for row in counts
        }
    return roster


def slot_starts(span: ShiftSpan, procedure: Procedure):
    """Start times a procedure may take within a shift: on its grid, fitting whole."""
    step = dt.timedelta(minutes=procedure.slot_interval_minutes)
    duration = procedure.duration
    start = span.start
    while start + duration <= span.end:
        yield start
        start += step


@dataclass(frozen=True)
class Slot:
    start: dt.datetime
    end: dt.datetime
    free_staff: int


def free_slots(roster: Roster, day: dt.date, *, earliest: dt.datetime) -> list[Slot]:
    """The free start times of ``day`` with how many qualified clerks are free at each."""
    if closure_reason(day, roster.closed_days):
        return []
    duration = roster.procedure.duration
    free_count: dict[dt.datetime, int] = defaultdict(int)
    for span in roster.shifts_by_day.get(day, ()):
        for start in slot_starts(span, roster.procedure):
            if start >= earliest and not roster.is_busy(span.staff_id, start, start + duration):
                free_count[start] += 1
    return [Slot(start, start + duration, n) for start, n in sorted(free_count.items())]


def routing_candidates(roster: Roster, start: dt.datetime) -> list[tuple[int, int]]:
    """(staff_id, counter_id) of clerks who can take a booking at ``start``, best first.

    A candidate is qualified, on shift for the whole duration with ``start`` on the
    shift's grid, and free; the least-loaded clerk of the day comes first (then the
    lowest id, so the choice is stable).
    """
    day = timezone.localdate(start)
    end = start + roster.procedure.duration
    if closure_reason(day, roster.closed_days):
        return []
    candidates = []
    for span in roster.shifts_by_day.get(day, ()):
        if start in set(slot_starts(span, roster.procedure)) and not roster.is_busy(
            span.staff_id, start, end
        ):
            load = roster.load_by_staff_day.get((span.staff_id, day), 0)
            candidates.append((load, span.staff_id, span.counter_id))
    candidates.sort()
    return [(staff_id, counter_id) for _load, staff_id, counter_id in candidates]


class DayStatus:
    OPEN = "open"
    FULL = "full"
    CLOSED = "closed"
    NO_SERVICE = "no_service"
    UNAVAILABLE = "unavailable"  # in the past, too soon, or beyond the horizon


@dataclass(frozen=True)
class DaySummary:
    day: dt.date
    status: str
    free_slots: int = 0
    reason: str = ""


def day_summaries(
    roster: Roster, *, earliest: dt.datetime, last_bookable: dt.date
) -> list[DaySummary]:
    """One summary per day of the roster's range, for the calendar."""
    summaries = []
    day = roster.first_day
    earliest_day = timezone.localdate(earliest)
    while day <= roster.last_day:
        reason = closure_reason(day, roster.closed_days)
        if day < earliest_day or day > last_bookable:
            summaries.append(DaySummary(day, DayStatus.UNAVAILABLE, reason=reason or ""))
        elif reason:
            summaries.append(DaySummary(day, DayStatus.CLOSED, reason=reason))
        elif not roster.shifts_by_day.get(day):
            status = DayStatus.CLOSED if day.weekday() >= 5 else DayStatus.NO_SERVICE
            summaries.append(DaySummary(day, status))
        else:
            count = len(free_slots(roster, day, earliest=earliest))
            summaries.append(DaySummary(day, DayStatus.OPEN if count else DayStatus.FULL, count))
        day += dt.timedelta(days=1)
    return summaries


def booking_window(procedure: Procedure, now: dt.datetime) -> tuple[dt.datetime, dt.date]:
    """The earliest bookable start and the last bookable day for ``procedure`` at ``now``."""
    earliest = now + dt.timedelta(minutes=procedure.lead_time_minutes)
    last_day = timezone.localdate(now) + dt.timedelta(days=procedure.booking_horizon_days)
    return earliest, last_day
