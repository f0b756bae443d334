"""Availability: shifts minus reservations minus closed days, computed, never stored.

One function loads everything a range of days needs in a constant number of queries
(``load_roster``); pure functions then derive free slots, day summaries and routing
candidates from it. The booking service uses the same code inside its transaction, so
what a citizen is offered and what the service accepts cannot drift apart.
"""

import datetime as dt
import random
import secrets
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import get_language

from organization.calendar import holiday_name
from reservations.models import (
    RELEASED_STATUSES,
    ClosedDay,
    Procedure,
    Reservation,
    ReservationStatus,
    Shift,
)


def closure_reason(day: dt.date, closed_days: dict[dt.date, ClosedDay]) -> str | None:
    """Why the counters are closed on ``day`` whatever the roster says, or None.

    A closed day recorded for the counters, else a public holiday or the year-end closure
    (``organization.calendar``), in the active language.
    """
    if day in closed_days:
        return closed_days[day].reason
    return holiday_name(day, language=get_language() or "")


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
    # Busy times of each clerk on each local day, sorted by start. One clerk's busy
    # times never overlap (the database sees to it), so they are sorted by end too.
    busy_by_staff_day: dict[tuple[int, dt.date], list[tuple[dt.datetime, dt.datetime]]]
    closed_days: dict[dt.date, ClosedDay]
    # Bookings per clerk on the day, where the roster holds only a window of busy times.
    load_by_staff: dict[int, int] | None = None

    def is_busy(self, staff_id: int, start: dt.datetime, end: dt.datetime) -> bool:
        day = timezone.localdate(start)
        return any(
            busy_start < end and start < busy_end
            for busy_start, busy_end in self.busy_by_staff_day.get((staff_id, day), ())
        )

    def free_starts(self, span: ShiftSpan, earliest: dt.datetime):
        """Start times in ``span`` at or after ``earliest`` when its clerk is free.

        One pass over the slots and the clerk's busy times together (both sorted).
        """
        busy = self.busy_by_staff_day.get((span.staff_id, span.start.date()), ())
        duration = self.procedure.duration
        index = 0
        for start in slot_starts(span, self.procedure):
            if start < earliest:
                continue
            end = start + duration
            while index < len(busy) and busy[index][1] <= start:
                index += 1
            if index < len(busy) and busy[index][0] < end:
                continue
            yield start


def _aware(day: dt.date, time: dt.time, tz=None) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=tz or timezone.get_current_timezone())


def load_roster(
    *,
    procedure: Procedure,
    first_day: dt.date,
    last_day: dt.date,
    now: dt.datetime,
    exclude_reservation_id: int | None = None,
    window: tuple[dt.datetime, dt.datetime] | None = None,
    static: tuple | None = None,
) -> Roster:
    """Load shifts of qualified staff, their busy times and closed days: one query (the
    shifts and closed days come from the cache while master data is unchanged).

    Only the clerks on shift matter, and the cached shifts name them, so the query reads
    their bookings by clerk and time alone (no joins to qualifications or users).

    With ``window`` (booking one slot) the query instead counts, per clerk on shift for
    the whole window, the bookings of the day (for routing to the least loaded) and
    those overlapping the window: such a roster knows each clerk as busy across the
    window or free, and nothing of other times.

    ``static``: ``static_roster(procedure, first_day, last_day)`` when the caller has
    read it already (a booking checks the time with it first).
    """
    shifts_by_day, closed = static or static_roster(procedure, first_day, last_day)
    tz = timezone.get_current_timezone()  # looked up once: it is slow in a loop

    range_start = _aware(first_day, dt.time.min)
    range_end = _aware(last_day + dt.timedelta(days=1), dt.time.min)
    staff_ids = _clerks_on_shift(shifts_by_day, window)
    busy_by_staff_day: dict[tuple[int, dt.date], list] = defaultdict(list)
    load_by_staff = {} if window else None
    if not staff_ids:
        return Roster(
            procedure, first_day, last_day, shifts_by_day, busy_by_staff_day, closed, load_by_staff
        )
    # No booking lasts a day: the lower bound on start_at keeps the index scan short.
    busy = Reservation.objects.holding(now=now).filter(
        staff_id__in=sorted(staff_ids),
        start_at__lt=range_end,
        start_at__gt=range_start - dt.timedelta(days=1),
        end_at__gt=range_start,
    )
    if exclude_reservation_id:
        busy = busy.exclude(pk=exclude_reservation_id)
    if window:
        _count_window(busy, window, busy_by_staff_day, load_by_staff)
    else:
        for staff_id, start_at, end_at in busy.order_by("start_at").values_list(
            "staff_id", "start_at", "end_at"
        ):
            busy_by_staff_day[staff_id, start_at.astimezone(tz).date()].append((start_at, end_at))
    return Roster(
        procedure, first_day, last_day, shifts_by_day, busy_by_staff_day, closed, load_by_staff
    )


def _clerks_on_shift(shifts_by_day: dict, window) -> set[int]:
    """The clerks whose shifts the roster covers: with ``window``, those on shift for
    the whole of it; else everyone on shift on any of the days."""
    if window:
        return {
            span.staff_id
            for span in shifts_by_day.get(timezone.localdate(window[0]), ())
            if span.start <= window[0] and window[1] <= span.end
        }
    return {span.staff_id for spans in shifts_by_day.values() for span in spans}


def _count_window(busy, window, busy_by_staff_day: dict, load_by_staff: dict) -> None:
    """Per clerk, the day's bookings (the load routing balances) and whether any of
    them overlaps ``window`` (then the clerk is busy across it), in one query."""
    day = timezone.localdate(window[0])
    overlapping = Q(start_at__lt=window[1], end_at__gt=window[0])
    for staff_id, count, clashes in (
        busy.order_by()
        .values("staff_id")
        .annotate(n=Count("id"), clashes=Count("id", filter=overlapping))
        .values_list("staff_id", "n", "clashes")
    ):
        load_by_staff[staff_id] = count
        if clashes:
            busy_by_staff_day[staff_id, day].append(window)


def static_roster(procedure: Procedure, first_day: dt.date, last_day: dt.date):
    """Shifts of the qualified clerks by day, and closed days: master data, cached."""

    def load():
        shifts = (
            Shift.objects.serving(procedure)
            .filter(date__gte=first_day, date__lte=last_day)
            .order_by("date", "start_time", "staff_id")
            .values_list("staff_id", "counter_id", "date", "start_time", "end_time")
        )
        tz = timezone.get_current_timezone()
        shifts_by_day: dict[dt.date, list[ShiftSpan]] = defaultdict(list)
        for staff_id, counter_id, day, start_time, end_time in shifts:
            shifts_by_day[day].append(
                ShiftSpan(
                    staff_id, counter_id, _aware(day, start_time, tz), _aware(day, end_time, tz)
                )
            )
        closed = {
            record.date: record
            for record in ClosedDay.objects.filter(date__gte=first_day, date__lte=last_day)
        }
        return dict(shifts_by_day), closed

    shifts_by_day, closed = cached_master_data(
        "roster:%d:%s:%s" % (procedure.pk, first_day, last_day), load
    )
    return defaultdict(list, shifts_by_day), closed


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
        for start in roster.free_starts(span, earliest):
            free_count[start] += 1
    return [Slot(start, start + duration, n) for start, n in sorted(free_count.items())]


# The clerks' holding bookings (``Reservation.objects.holding``, written out: the SQL is
# built once, not by the ORM on every page; the test comparing this path with the Python
# one covers each status), then the shifts' grids minus them, counted per start.
_FREE_SLOTS_SQL = """
WITH busy AS (
  SELECT staff_id, start_at, end_at FROM %(table)s
  WHERE staff_id = ANY(%%s::bigint[]) AND start_at >= %%s AND start_at < %%s
    AND (status NOT IN (%(released)s, '%(pending)s')
         OR (status = '%(pending)s' AND hold_expires_at > %%s)
         OR (status = '%(cancelled)s' AND release_at > %%s))
), starts AS (
  SELECT span.staff_id, g AS start_at
  FROM unnest(%%s::bigint[], %%s::timestamptz[], %%s::timestamptz[])
    AS span(staff_id, start_at, end_at),
    generate_series(span.start_at, span.end_at - %%s::interval, %%s::interval) AS g
  WHERE g >= %%s
)
SELECT s.start_at, count(*) FROM starts s
WHERE NOT EXISTS (
  SELECT 1 FROM busy b
  WHERE b.staff_id = s.staff_id AND b.start_at < s.start_at + %%s::interval
    AND s.start_at < b.end_at
)
GROUP BY s.start_at ORDER BY s.start_at
""" % {
    "table": Reservation._meta.db_table,
    "released": ", ".join("'%s'" % status for status in RELEASED_STATUSES),
    "pending": ReservationStatus.PENDING,
    "cancelled": ReservationStatus.CANCELLED,
}


def free_slots_sql(
    roster: Roster, day: dt.date, *, earliest: dt.datetime, now: dt.datetime
) -> list[Slot]:
    """``free_slots`` of one day in one PostgreSQL query, from the roster's shifts and
    closed days alone (its busy times are not read: ``static_roster`` is enough).

    The database lays each shift's grid out (``generate_series``), drops the starts
    before ``earliest`` and those a holding booking of the clerk overlaps, and counts
    the free clerks per start: a day's worth of rows back, whatever the number of
    bookings (the Python path reads every booking of the day). Same answer as
    ``free_slots(load_roster(...), day, ...)``: a booking counts for the local day it
    starts on, overlaps are half-open, a clerk with two overlapping shifts counts twice.
    """
    spans = roster.shifts_by_day.get(day)
    if not spans or closure_reason(day, roster.closed_days):
        return []
    procedure = roster.procedure
    duration = procedure.duration
    step = dt.timedelta(minutes=procedure.slot_interval_minutes)
    day_start = _aware(day, dt.time.min)
    params = (
        [span.staff_id for span in spans],
        day_start,
        day_start + dt.timedelta(days=1),
        now,
        now,
        [span.staff_id for span in spans],
        [span.start for span in spans],
        [span.end for span in spans],
        duration,
        step,
        earliest,
        duration,
    )
    with connection.cursor() as cursor:
        cursor.execute(_FREE_SLOTS_SQL, params)
        rows = cursor.fetchall()
    tz = timezone.get_current_timezone()
    return [Slot(start.astimezone(tz), start.astimezone(tz) + duration, n) for start, n in rows]


def routing_candidates(roster: Roster, start: dt.datetime) -> list[tuple[int, int]]:
    """(staff_id, counter_id) of clerks who can take a booking at ``start``, best first.

    A candidate is qualified, on shift for the whole duration with ``start`` on the
    shift's grid, and free; the least-loaded clerk of the day comes first.
    """
    day = timezone.localdate(start)
    end = start + roster.procedure.duration
    if closure_reason(day, roster.closed_days):
        return []
    step = dt.timedelta(minutes=roster.procedure.slot_interval_minutes)
    candidates = []
    for span in roster.shifts_by_day.get(day, ()):
        fits = span.start <= start and end <= span.end
        if not fits or (start - span.start) % step or roster.is_busy(span.staff_id, start, end):
            continue
        # Least-loaded: the clerk's bookings that day.
        if roster.load_by_staff is not None:
            load = roster.load_by_staff.get(span.staff_id, 0)
        else:
            load = len(roster.busy_by_staff_day.get((span.staff_id, day), ()))
        # Ties go to a random clerk, so people booking the same time at the same moment
        # do not all queue for the same one.
        candidates.append((load, random.random(), span.staff_id, span.counter_id))
    candidates.sort()
    return [(staff_id, counter_id) for _load, _tie, staff_id, counter_id in candidates]


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


def day_summary(
    roster: Roster,
    day: dt.date,
    *,
    earliest: dt.datetime,
    last_bookable: dt.date,
    slots_of=None,
) -> tuple[DaySummary, list[Slot]]:
    """What the calendar says about ``day``, with its free slots.

    ``slots_of(day)``: the day's free slots when the roster holds no busy times (the
    day page on PostgreSQL, ``free_slots_sql``), called only for an open day.
    """
    reason = closure_reason(day, roster.closed_days)
    if day < timezone.localdate(earliest) or day > last_bookable:
        return DaySummary(day, DayStatus.UNAVAILABLE, reason=reason or ""), []
    if reason:
        return DaySummary(day, DayStatus.CLOSED, reason=reason), []
    if not roster.shifts_by_day.get(day):
        status = DayStatus.CLOSED if day.weekday() >= 5 else DayStatus.NO_SERVICE
        return DaySummary(day, status), []
    slots = slots_of(day) if slots_of else free_slots(roster, day, earliest=earliest)
    last_start = max(span.end for span in roster.shifts_by_day[day]) - roster.procedure.duration
    if not slots and last_start < earliest:
        # Today after its last start: its times have passed, not "all taken" (helper 47).
        return DaySummary(day, DayStatus.UNAVAILABLE), []
    return DaySummary(day, DayStatus.OPEN if slots else DayStatus.FULL, len(slots)), slots


def day_summaries(
    roster: Roster, *, earliest: dt.datetime, last_bookable: dt.date
) -> list[DaySummary]:
    """One summary per day of the roster's range, for the calendar."""
    days = (roster.last_day - roster.first_day).days + 1
    each_day = (roster.first_day + dt.timedelta(days=n) for n in range(days))
    return [
        day_summary(roster, day, earliest=earliest, last_bookable=last_bookable)[0]
        for day in each_day
    ]


def booking_window(procedure: Procedure, now: dt.datetime) -> tuple[dt.datetime, dt.date]:
    """The earliest bookable start and the last bookable day for ``procedure`` at ``now``."""
    earliest = now + dt.timedelta(minutes=procedure.lead_time_minutes)
    last_day = timezone.localdate(now) + dt.timedelta(days=procedure.booking_horizon_days)
    return earliest, last_day


# --- Cache ------------------------------------------------------------------------------
# Computed availability is cached per procedure for a minute. Every write that changes a
# clerk's time bumps the version of each procedure that clerk can do (and a change of
# shifts, closed days or procedures bumps the epoch of all), so a page never shows a
# booking's slot as free after the booking commits. Lapsed holds and delayed
# re-releases show within the minute.
CACHE_SECONDS = 60
_EPOCH_KEY = "availability:epoch"
_PROCEDURE_KEY = "availability:procedure:%d"  # a procedure's version
_VALUE_SLOT = "availability:%d:%s"  # a procedure's cached value of a name
_MASTER_SLOT = "availability:master:%s"


def read_ahead(*, master: str, procedure_id: int, name: str) -> dict:
    """In one round trip, what ``cached_master_data(master, …)`` and then
    ``cached(procedure, name, …)`` of that procedure read: pass it to both as ``read``."""
    keys = [_EPOCH_KEY, _MASTER_SLOT % master, _PROCEDURE_KEY % procedure_id]
    return cache.get_many([*keys, _VALUE_SLOT % (procedure_id, name)])


def cached(procedure: Procedure, name: str, earliest: dt.datetime, compute, *, read=None):
    """``compute()`` cached under the procedure's current versions and ``earliest``;
    returns the value and its cache key (a version stamp for caching what is drawn from
    the value). ``read``: this procedure's ``read_ahead``, instead of reading here."""
    keys = [_EPOCH_KEY, _PROCEDURE_KEY % procedure.pk]
    # One round trip: the versions and the value, stored with the stamp it was
    # computed under (a value under an older stamp is stale).
    slot = _VALUE_SLOT % (procedure.pk, name)
    found = read if read is not None else cache.get_many([*keys, slot])
    key = "availability:%s:%s:%d:%s:%s" % (
        found.get(keys[0], 0),
        found.get(keys[1], 0),
        procedure.pk,
        name,
        earliest.strftime("%Y%m%d%H%M"),
    )
    if not settings.AVAILABILITY_CACHE_SECONDS:
        return compute(), key  # measuring the cold path: every request computed
    stored = found.get(slot)
    if stored is not None and stored[0] == key:
        return stored[1], key
    value = compute()
    cache.set(slot, (key, value), settings.AVAILABILITY_CACHE_SECONDS)
    return value, key


def cached_master_data(name: str, compute, *, read=None):
    """``compute()`` cached until master data changes (the epoch) or for a minute. One
    round trip: the epoch and the value (stored with the epoch it was computed in); none
    when ``read`` (a ``read_ahead`` naming it) is given."""
    slot = _MASTER_SLOT % name
    found = read if read is not None else cache.get_many([_EPOCH_KEY, slot])
    epoch = found.get(_EPOCH_KEY, 0)
    stored = found.get(slot)
    if stored is not None and stored[0] == epoch:
        return stored[1]
    value = compute()
    cache.set(slot, (epoch, value), CACHE_SECONDS)
    return value


def changed(*, staff_ids=None) -> None:
    """Tell the cache that availability changed: of the procedures these clerks can do,
    or of everything when ``staff_ids`` is None.

    Call it inside the writing transaction: it bumps now (for reads in the same
    transaction) and again on commit (so nobody caches the old state meanwhile).
    """
    if staff_ids is None:
        keys = [_EPOCH_KEY]
    else:
        keys = [
            _PROCEDURE_KEY % procedure_id
            for staff_id in set(staff_ids)
            for procedure_id in _procedures_of(staff_id)
        ]

    def bump_all():
        # A fresh random version per key: one round trip, whatever the number of keys.
        cache.set_many({key: secrets.token_hex(6) for key in keys}, timeout=None)

    bump_all()
    transaction.on_commit(bump_all)


def _procedures_of(staff_id: int) -> list[int]:
    through = Procedure.qualified_staff.through
    return cached_master_data(
        "staff-procedures:%d" % staff_id,
        lambda: list(
            through.objects.filter(staffmember_id=staff_id).values_list("procedure_id", flat=True)
        ),
    )
