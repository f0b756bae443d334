"""Many people pressing "book" at the same moment, on SQLite and on PostgreSQL.

Each attempt runs in its own thread with its own database connection, released together
by a barrier. The control test removes the protection and shows that the same check
then finds the double booking, so the check is able to fail.
"""

import datetime as dt
import random
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from config.db_guards import NO_OVERLAP, guard_apply, guard_drop
from reservations import availability, selectors, services
from reservations.models import Reservation
from tests.reservations.factories import (
    DAY,
    NOW,
    ProcedureFactory,
    add_clerk,
    at,
    citizen,
    consents,
)

pytestmark = pytest.mark.django_db(transaction=True)


def attempt_all(jobs) -> list[str]:
    """Run every job at once (one thread and connection each); 'ok' or the refusal code."""
    barrier = threading.Barrier(len(jobs))

    def run(job):
        procedure, start, who, *key = job
        try:
            barrier.wait(timeout=30)
            result = services.reservation_book(
                procedure=procedure,
                start=start,
                citizen=who,
                consented_rules=consents(procedure),
                now=NOW,
                idempotency_key=key[0] if key else "",
            )
            return "ok:%s" % result.reservation.code if key else "ok"
        except services.BookingError as error:
            return error.code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(run, jobs))


def test_parallel_attempts_on_the_last_free_slot_make_exactly_one_booking():
    procedure = ProcedureFactory()
    add_clerk(procedure, end=dt.time(9, 30))  # one clerk, one slot
    jobs = [(procedure, at(DAY, 9), citizen(n)) for n in range(24)]

    results = attempt_all(jobs)

    assert results.count("ok") == 1
    assert set(results) == {"ok", "slot_taken"}
    assert Reservation.objects.count() == 1


def test_two_clerks_give_exactly_two_bookings_under_parallel_attempts():
    procedure = ProcedureFactory()
    add_clerk(procedure, end=dt.time(9, 30))
    add_clerk(procedure, end=dt.time(9, 30))
    jobs = [(procedure, at(DAY, 9), citizen(n)) for n in range(24)]

    results = attempt_all(jobs)

    assert results.count("ok") == 2
    assert len(set(Reservation.objects.values_list("staff_id", flat=True))) == 2


def test_parallel_bookings_of_different_procedures_never_put_a_clerk_in_two_places():
    short = ProcedureFactory(duration_minutes=30, slot_interval_minutes=30)
    long = ProcedureFactory(department=short.department, duration_minutes=60)
    clerks = [add_clerk(short, end=dt.time(11, 0)) for _ in range(3)]
    long.qualified_staff.add(*clerks)
    rng = random.Random(7)
    jobs = []
    for n in range(40):
        procedure = rng.choice([short, long])
        hour, minute = rng.choice([(9, 0), (9, 30), (10, 0)])
        jobs.append((procedure, at(DAY, hour, minute), citizen(n)))

    results = attempt_all(jobs)

    assert results.count("ok") >= 3
    assert selectors.staff_double_bookings() == []
    assert Reservation.objects.count() == results.count("ok")


def test_the_same_request_sent_in_parallel_books_once_and_each_copy_gets_that_booking():
    procedure = ProcedureFactory()
    add_clerk(procedure, end=dt.time(10, 0))
    add_clerk(procedure, end=dt.time(10, 0))
    # A client whose answers are lost retries the same request (same key) 12 times at once.
    jobs = [(procedure, at(DAY, 9), citizen(1), "retry-key-0123456789ab")] * 12

    results = attempt_all(jobs)

    assert Reservation.objects.count() == 1
    assert set(results) == {"ok:%s" % Reservation.objects.get().code}


def test_control_without_the_protection_the_check_finds_double_bookings(monkeypatch):
    procedure = ProcedureFactory()
    add_clerk(procedure, end=dt.time(9, 30))
    jobs = [(procedure, at(DAY, 9), citizen(n)) for n in range(8)]
    # Remove both layers: the service's re-check and the database's refusal.
    monkeypatch.setattr(availability.Roster, "is_busy", lambda self, *args: False)
    guard_drop(NO_OVERLAP)
    try:
        results = attempt_all(jobs)
        doubles = selectors.staff_double_bookings()
    finally:
        Reservation.objects.all().delete()
        guard_apply(NO_OVERLAP)

    assert results.count("ok") > 1
    assert doubles != []
