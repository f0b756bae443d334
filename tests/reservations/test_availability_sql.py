"""The day page's free times from one PostgreSQL query are those of the Python path."""

import datetime as dt
import itertools

import pytest
from django.db import connection

from reservations import availability, selectors
from reservations.models import Reservation, ReservationStatus
from tests.reservations import factories
from tests.reservations.factories import DAY, NOW, at

HOUR = dt.timedelta(hours=1)
MINUTE = dt.timedelta(minutes=1)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the one-query path is PostgreSQL's"
    ),
]


def _python_slots(procedure, day, now):
    earliest, _last = availability.booking_window(procedure, now)
    roster = availability.load_roster(procedure=procedure, first_day=day, last_day=day, now=now)
    return availability.free_slots(roster, day, earliest=earliest)


def _sql_slots(procedure, day, now):
    earliest, _last = availability.booking_window(procedure, now)
    shifts_by_day, closed = availability.static_roster(procedure, day, day)
    roster = availability.Roster(procedure, day, day, shifts_by_day, {}, closed)
    return availability.free_slots_sql(roster, day, earliest=earliest, now=now)


def _set(result, **fields):
    Reservation.objects.filter(pk=result.reservation.pk).update(**fields)


# Bookings of the procedure on DAY put in a state that blocks their time, or no longer does.
BOOKINGS_IN_A_STATE = [
    # held for e-mail confirmation
    (at(DAY, 14), {"status": ReservationStatus.PENDING, "hold_expires_at": NOW + HOUR}),
    # the hold lapsed
    (at(DAY, 14, 30), {"status": ReservationStatus.PENDING, "hold_expires_at": NOW - MINUTE}),
    # cancelled, not re-released yet
    (at(DAY, 15), {"status": ReservationStatus.CANCELLED, "release_at": NOW + HOUR}),
    # cancelled and re-released
    (at(DAY, 15, 30), {"status": ReservationStatus.CANCELLED, "release_at": NOW - HOUR}),
    (at(DAY, 16), {"status": ReservationStatus.EXPIRED}),
]


def _three_clerks(procedure, longer) -> tuple[dt.date, dt.date, dt.date]:
    """Clerks for ``procedure`` (two of them for ``longer`` too) on DAY, with a lunch break
    and starts off the hour, and on today, a closed day and a holiday. Returns those three
    days."""
    first = factories.add_clerk(procedure, start=dt.time(9, 0), end=dt.time(12, 0))
    factories.add_shift(first, start=dt.time(13, 0), end=dt.time(17, 0))  # a lunch break
    # The second clerk starts off the hour.
    second = factories.add_clerk(procedure, start=dt.time(9, 10), end=dt.time(11, 0))
    third = factories.add_clerk(procedure, start=dt.time(10, 0), end=dt.time(10, 50))
    longer.qualified_staff.add(first, second)
    today = NOW.date()
    for clerk in (first, second, third):
        factories.add_shift(clerk, day=today, start=dt.time(9, 0), end=dt.time(12, 0))
    closed = DAY + dt.timedelta(days=1)
    for clerk in (first, second):
        factories.add_shift(clerk, day=closed)
    factories.close_day(closed)
    holiday = dt.date(2030, 7, 15)  # 海の日
    factories.add_shift(first, day=holiday)
    return today, closed, holiday


def _book_varied_times(procedure, longer, today):
    citizens = (factories.citizen(n) for n in itertools.count(1))
    for start in (at(DAY, 9), at(DAY, 9, 25), at(DAY, 9, 45), at(DAY, 10, 30), at(DAY, 13, 15)):
        factories.book(procedure, start, next(citizens))
    # A booking of another procedure, an hour long, takes the clerk's time too.
    factories.book(longer, at(DAY, 11), next(citizens))
    for start, state in BOOKINGS_IN_A_STATE:
        _set(factories.book(procedure, start, next(citizens)), **state)
    factories.book(procedure, at(today, 10, 15), next(citizens))


def test_one_query_gives_the_python_paths_free_times_over_varied_days():
    # 20-minute bookings every 15 minutes: slots overlap bookings partly.
    procedure = factories.ProcedureFactory(
        duration_minutes=20, slot_interval_minutes=15, lead_time_minutes=50
    )
    longer = factories.ProcedureFactory(
        department=procedure.department, duration_minutes=60, slot_interval_minutes=30
    )
    today, closed, holiday = _three_clerks(procedure, longer)
    _book_varied_times(procedure, longer, today)

    compared = 0
    for day in (DAY, today, closed, holiday, DAY + dt.timedelta(days=2)):
        for now in (NOW, NOW - dt.timedelta(days=1), at(DAY, 10, 40)):
            python = _python_slots(procedure, day, now)
            assert _sql_slots(procedure, day, now) == python, (day, now)
            compared += len(python)
    assert compared > 40  # the days compared did offer times
    # Only the first clerk works the afternoon.
    slots = {slot.start: slot.free_staff for slot in _sql_slots(procedure, DAY, NOW)}
    assert at(DAY, 14) not in slots  # held for e-mail confirmation
    assert at(DAY, 13, 45) not in slots  # would end inside the hold
    assert slots[at(DAY, 14, 30)] == 1  # the hold lapsed
    assert at(DAY, 15) not in slots  # cancelled, not re-released yet
    assert slots[at(DAY, 15, 30)] == 1  # cancelled and re-released
    assert slots[at(DAY, 16)] == 1  # expired
    assert at(DAY, 12) not in slots  # the lunch break


def test_the_day_page_on_postgresql_reads_one_statement_and_matches(
    django_assert_num_queries, settings
):
    settings.AVAILABILITY_CACHE_SECONDS = 0
    procedure = factories.ProcedureFactory(duration_minutes=30, slot_interval_minutes=30)
    factories.add_clerk(procedure, start=dt.time(9, 0), end=dt.time(12, 0))
    factories.add_clerk(procedure, start=dt.time(9, 0), end=dt.time(12, 0))
    factories.book(procedure, at(DAY, 9), factories.citizen(1))
    factories.book(procedure, at(DAY, 9), factories.citizen(2))
    factories.book(procedure, at(DAY, 11), factories.citizen(3))
    selectors.day_times(procedure=procedure, day=DAY, now=NOW)  # shifts now cached

    with django_assert_num_queries(1):
        view = selectors.day_times(procedure=procedure, day=DAY, now=NOW)

    assert view.slots == _python_slots(procedure, DAY, NOW)
    assert [(s.start, s.free_staff) for s in view.slots][:2] == [
        (at(DAY, 9, 30), 2),
        (at(DAY, 10), 2),
    ]
    assert (at(DAY, 11), 1) in [(s.start, s.free_staff) for s in view.slots]
