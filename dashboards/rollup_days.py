"""One day's ``DailyFact`` rows, computed from that day's source rows (``rollup`` writes
them): the visits of the day and whether each citizen had to come back, the survey
answers to them, the bookings due that day and the online bookings made that day.

A reschedule cancels the booking and inserts a new one pointing back to it
(``rescheduled_to``/``rescheduled_from``): the chain of moves is one booking. It counts
once, where it was first made (the chain's first booking, by its creation time), and is
due once, at its last time (the chain's last booking)."""

import datetime as dt
from collections.abc import Callable

from django.db.models import Exists, OuterRef, Q, Subquery

from dashboards.models import HIST_MINUTES, DailyFact
from organization.calendar import day_start
from reservations.models import (
    Channel,
    ReservationStatus,
    SurveyAnswer,
    Visit,
    VisitEvent,
    VisitKind,
    VisitStatus,
)
from reservations.models import Reservation as Booking

# A visit counts as completed on the first visit when no second visit for the same
# procedure follows within this many days (issue 22, the seed-002 hypothesis).
FIRST_VISIT_DAYS = 14

# The day's keys are looked up this many at a time (an ``IN`` list per query).
KEY_CHUNK = 5000

# Booked online: on the web by the citizen. A telephone booking a clerk enters for a
# caller (/staff/phone-booking/) is not online, whatever form the clerk typed it in.
ONLINE = Q(channel=Channel.WEB, booked_by__isnull=True)
# The first booking of each chain of moves (a moved-to booking is not a new booking).
FIRST_OF_CHAIN = Q(rescheduled_from__isnull=True)


def _minutes(start: dt.datetime | None, end: dt.datetime | None) -> int | None:
    if start is None or end is None or end < start:
        return None
    return int((end - start).total_seconds() // 60)


class _Row:
    __slots__ = tuple(
        f.attname for f in DailyFact._meta.concrete_fields if f.attname not in ("id", "day")
    )

    def __init__(self, procedure_id: int, department_id: int, kind: str):
        for name in self.__slots__:
            setattr(self, name, 0)
        self.procedure_id, self.department_id, self.kind = procedure_id, department_id, kind
        self.wait_hist = [0] * (HIST_MINUTES + 1)
        self.handle_hist = [0] * (HIST_MINUTES + 1)

    def add_time(self, name: str, minutes: int | None) -> None:
        if minutes is None:
            return
        setattr(self, name + "_n", getattr(self, name + "_n") + 1)
        setattr(self, name + "_sum", getattr(self, name + "_sum") + minutes)
        getattr(self, name + "_hist")[min(minutes, HIST_MINUTES)] += 1


RowFor = Callable[[int, int, str], _Row]


def _later_by_key(later, field: str, keys: set[str], **only) -> set[tuple]:
    """(key, procedure id) of the ``later`` bookings whose ``field`` is one of ``keys``,
    looked up ``KEY_CHUNK`` keys at a time."""
    found = set()
    keys = sorted(keys)
    for i in range(0, len(keys), KEY_CHUNK):
        chunk = later.filter(**only, **{field + "__in": keys[i : i + KEY_CHUNK]})
        found.update(chunk.values_list(field, "visit__procedure_id"))
    return found


def _came_back(day: dt.date, emails: set[str], phones: set[str]) -> set[tuple]:
    """Which of the day's citizens came again for the same procedure within
    FIRST_VISIT_DAYS days, as ("email" or "phone", key, procedure id). A citizen is known
    by their booking's e-mail address, or its phone number without one; a walk-in
    without a booking is not known, so only the clerk's "must come back" mark speaks
    for them. Looked up from the day's keys (the index on each key), not by joining the
    history."""
    later = Booking.objects.filter(
        visit__day__gt=day, visit__day__lte=day + dt.timedelta(days=FIRST_VISIT_DAYS)
    ).exclude(visit__status=VisitStatus.NO_SHOW)
    by_email = _later_by_key(later, "email_key", emails)
    by_phone = _later_by_key(later, "phone_key", phones, email_key="")
    return {("email", *found) for found in by_email} | {("phone", *found) for found in by_phone}


def _day_visits(day: dt.date) -> list[tuple]:
    first_call = (
        VisitEvent.objects.filter(visit=OuterRef("pk"), kind=VisitEvent.Kind.CALLED)
        .order_by("at")
        .values("at")[:1]
    )
    visits = (
        Visit.objects.filter(day=day)
        .annotate(first_called_at=Subquery(first_call))
        .values_list(
            "procedure_id",
            "procedure__department_id",
            "kind",
            "status",
            "checked_in_at",
            "expected_at",
            "first_called_at",
            "serving_at",
            "done_at",
            "must_return",
            "reservation__email_key",
            "reservation__phone_key",
            "reservation__channel",
            "reservation__booked_by_id",
        )
    )
    return list(visits)


def _add_visits(day: dt.date, row: RowFor) -> None:
    visits = _day_visits(day)
    came_back = _came_back(
        day,
        {v[10] for v in visits if v[10]},
        {v[11] for v in visits if not v[10] and v[11]},
    )
    for (
        procedure,
        department,
        kind,
        status,
        checked_in,
        expected,
        called,
        serving,
        done,
        must_return,
        email_key,
        phone_key,
        channel,
        booked_by,
    ) in visits:
        r = row(procedure, department, kind)
        if status == VisitStatus.NO_SHOW:
            r.no_shows += 1
            continue
        r.visits += 1
        r.online_visits += kind == VisitKind.BOOKED and channel == Channel.WEB and not booked_by
        if status == VisitStatus.DONE:
            r.done += 1
            person = ("email", email_key) if email_key else ("phone", phone_key)
            again = bool(person[1]) and (*person, procedure) in came_back
            r.first_visit_done += not must_return and not again
        # A booked citizen who came early waits from their booked time.
        waiting_from = max(filter(None, (checked_in, expected)), default=None)
        r.add_time("wait", _minutes(waiting_from, called))
        r.add_time("handle", _minutes(serving, done))


def _add_answers(day: dt.date, row: RowFor) -> None:
    answers = SurveyAnswer.objects.filter(visit__day=day).values_list(
        "visit__procedure_id", "visit__procedure__department_id", "visit__kind", "overall"
    )
    for procedure, department, kind, overall in answers:
        r = row(procedure, department, kind)
        r.answers += 1
        r.overall_sum += overall
        r.satisfied += overall >= 4


def _add_bookings_due(start: dt.datetime, end: dt.datetime, row: RowFor) -> None:
    due = (
        Booking.objects.filter(start_at__gte=start, start_at__lt=end, rescheduled_to__isnull=True)
        .exclude(status=ReservationStatus.EXPIRED)
        .values_list("procedure_id", "procedure__department_id", "status", "visit__status")
    )
    for procedure, department, status, visit_status in due:
        r = row(procedure, department, VisitKind.BOOKED)
        r.bookings += 1
        r.bookings_cancelled += status == ReservationStatus.CANCELLED
        r.bookings_served += visit_status == VisitStatus.DONE


def _add_online_bookings(start: dt.datetime, end: dt.datetime, row: RowFor) -> None:
    """The online bookings made in [start, end): each chain of moves once, at its first
    booking; "repeat" when the same person had made an online booking before (an
    expired hold was never a booking, and a move of an earlier one is not another)."""
    # A person is their e-mail address, or their phone number when they gave no e-mail.
    # The two cases are separate queries so that each EXISTS looks up one index entry
    # (a single query with both would also match every booking without a phone).
    online = Booking.objects.filter(ONLINE, FIRST_OF_CHAIN).exclude(
        status=ReservationStatus.EXPIRED
    )
    earlier = online.filter(created_at__lt=OuterRef("created_at"))
    made = online.filter(created_at__gte=start, created_at__lt=end)
    by_email = made.exclude(email_key="").annotate(
        returning=Exists(earlier.filter(email_key=OuterRef("email_key")))
    )
    by_phone = (
        made.filter(email_key="")
        .exclude(phone_key="")
        .annotate(returning=Exists(earlier.filter(phone_key=OuterRef("phone_key"))))
    )
    for query in (by_email, by_phone):
        for procedure, department, returning in query.values_list(
            "procedure_id", "procedure__department_id", "returning"
        ):
            r = row(procedure, department, VisitKind.BOOKED)
            r.online_bookings += 1
            r.online_repeat += bool(returning)


def compute_day(day: dt.date) -> list[DailyFact]:
    """The day's facts, one row per procedure and kind (not yet written)."""
    rows: dict[tuple[int, str], _Row] = {}

    def row(procedure_id: int, department_id: int, kind: str) -> _Row:
        key = (procedure_id, kind)
        if key not in rows:
            rows[key] = _Row(procedure_id, department_id, kind)
        return rows[key]

    _add_visits(day, row)
    _add_answers(day, row)
    start, end = day_start(day), day_start(day + dt.timedelta(days=1))
    _add_bookings_due(start, end, row)
    _add_online_bookings(start, end, row)
    return [
        DailyFact(day=day, **{name: getattr(r, name) for name in _Row.__slots__})
        for r in rows.values()
    ]
