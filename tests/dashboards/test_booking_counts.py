"""What the rollup counts as a booking: a booking and its moves to other times are one
booking (made when it was first made, due at its last time), and only a web booking
the citizen made is online — not a telephone booking a clerk entered for a caller."""

import csv
import datetime as dt
import io

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from dashboards import periods, rollup, selectors
from dashboards.models import DailyFact, Kpi, LetterBatchFact
from notices.models import LetterBatch
from organization.models import Role
from reservations import services
from reservations.models import Channel, ReservationStatus, VisitKind
from tests.dashboards.factories import booking, procedure_with_clerk, visit
from tests.notices.factories import batch_letters
from tests.organization.factories import make_staff_member
from tests.reservations.factories import (
    DAY,
    NOW,
    add_clerk,
    at,
    book,
    citizen,
    procedure_with,
)

pytestmark = pytest.mark.django_db

MOVED_AT = NOW + dt.timedelta(days=1)
MONTH = periods.period_containing(DAY, "month")


@pytest.fixture
def online_procedure():
    """A procedure with a document rule, booked through the booking service."""
    return procedure_with("本人確認書類")


def _online() -> tuple[int, int]:
    """(online bookings, of which by people who had booked online before), all days."""
    sums = DailyFact.objects.aggregate(made=Sum("online_bookings"), repeat=Sum("online_repeat"))
    return sums["made"] or 0, sums["repeat"] or 0


def _roll_up(*moments: dt.datetime) -> None:
    rollup.facts_refresh([timezone.localdate(moment) for moment in moments])


def _move(reservation, hour: int, now: dt.datetime):
    return services.reservation_reschedule(
        reservation=reservation, new_start=at(DAY, hour), now=now
    ).reservation


def _came(procedure, reservation, *, no_show=False):
    return visit(
        procedure,
        DAY,
        kind=VisitKind.BOOKED,
        reservation=reservation,
        arrived=reservation.start_at,
        wait=1,
        handle=5,
        no_show=no_show,
    )


def test_a_rescheduled_booking_is_one_online_booking_and_no_return(online_procedure):
    procedure = online_procedure
    add_clerk(procedure)
    first = book(procedure, at(DAY, 9)).reservation
    second = _move(first, 10, MOVED_AT)
    _move(second, 11, MOVED_AT + dt.timedelta(hours=1))

    _roll_up(NOW, MOVED_AT)

    assert _online() == (1, 0)
    made_on = DailyFact.objects.get(online_bookings=1).day
    assert made_on == timezone.localdate(NOW)  # when the chain was first made


def test_the_retention_kpi_is_not_raised_by_reschedules(online_procedure):
    procedure = online_procedure
    add_clerk(procedure)
    _move(book(procedure, at(DAY, 9), citizen(1)).reservation, 10, MOVED_AT)
    book(procedure, at(DAY, 11), citizen(2))

    _roll_up(NOW, MOVED_AT)
    value = selectors.kpi_trend([MONTH], selectors.Filters())[MONTH][Kpi.RETENTION]

    assert (value[0], value[2]) == (0.0, 2)  # two people, neither came back


def test_a_new_booking_after_an_earlier_one_is_a_return_but_not_after_an_expired_hold():
    procedure, clerk = procedure_with_clerk(DAY)
    booking(procedure, clerk, at(DAY, 9), email="back@example.jp", created_at=NOW)
    booking(
        procedure,
        clerk,
        at(DAY, 9, 30),
        email="lapsed@example.jp",
        created_at=NOW,
        status=ReservationStatus.EXPIRED,
    )
    for hour, email in ((10, "back@example.jp"), (11, "lapsed@example.jp")):
        booking(procedure, clerk, at(DAY, hour), email=email, created_at=MOVED_AT)

    _roll_up(NOW, MOVED_AT)

    assert _online() == (3, 1)


def test_a_moved_booking_is_due_once_and_its_no_show_counts_once(online_procedure):
    procedure = online_procedure
    add_clerk(procedure)
    moved = _move(book(procedure, at(DAY, 9)).reservation, 10, MOVED_AT)
    _came(procedure, moved, no_show=True)

    _roll_up(NOW, MOVED_AT, at(DAY))
    values = selectors.kpi_trend([MONTH], selectors.Filters())[MONTH]

    assert values[Kpi.BOOKING_COMPLETION][2] == 1  # bookings due: the moved one, once
    assert values[Kpi.BOOKING_COMPLETION][0] == 0.0  # not "cancelled and served"
    assert (values[Kpi.NO_SHOW_RATE][0], values[Kpi.NO_SHOW_RATE][2]) == (100.0, 1)


def test_a_telephone_booking_entered_by_a_clerk_is_not_an_online_booking(online_procedure, client):
    procedure = online_procedure
    add_clerk(procedure, end=dt.time(12, 0))
    caller_clerk = make_staff_member(role=Role.COUNTER_STAFF)
    phoned = book(
        procedure, at(DAY, 9), citizen(1), channel=Channel.PHONE, booked_by=caller_clerk
    ).reservation
    online = book(procedure, at(DAY, 10), citizen(2)).reservation
    for reservation in (phoned, online):
        _came(procedure, reservation)

    _roll_up(NOW, at(DAY))
    value = selectors.kpi_trend([MONTH], selectors.Filters())[MONTH][Kpi.ONLINE_SHARE]

    assert (value[0], value[2]) == (50.0, 2)  # one of the two visits booked online
    assert _online() == (1, 0)
    # The CSV reads the same figure.
    client.force_login(make_staff_member(role=Role.MANAGER).user)
    response = client.get(
        reverse("dashboards:export", args=["kpis"]),
        {"kind": "month", "period": MONTH.key},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    rows = {row[0]: row for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig")))}
    assert (rows[Kpi.ONLINE_SHARE][2], rows[Kpi.ONLINE_SHARE][4]) == ("50", "2")


def test_a_web_booking_moved_after_the_letter_window_keeps_its_visit_in_the_funnel(rule):
    procedure = rule.procedure
    mailed = timezone.now() - dt.timedelta(days=40)
    day = timezone.localdate(mailed) + dt.timedelta(days=36)
    clerk = add_clerk(procedure, day=day)
    batch = LetterBatch.objects.create(rule=rule, created_at=mailed, mailed_at=mailed)
    (letter,) = batch_letters(rule, batch, 1)
    first = booking(
        procedure,
        clerk,
        at(day, 9),
        referral_code=letter.code,
        created_at=mailed + dt.timedelta(days=2),
        status=ReservationStatus.CANCELLED,
    )
    # Moved 35 days after the mailing, as reservation_reschedule links the two.
    moved = booking(
        procedure,
        clerk,
        at(day, 10),
        referral_code=letter.code,
        created_at=mailed + dt.timedelta(days=35),
    )
    first.rescheduled_to = moved
    first.save(update_fields=["rescheduled_to"])
    visit(procedure, day, kind=VisitKind.BOOKED, reservation=moved, arrived=at(day, 10), wait=1)

    rollup.letter_facts_refresh(batch_ids=[batch.pk])

    fact = LetterBatchFact.objects.get(batch=batch)
    assert (fact.letters, fact.converted, fact.done) == (1, 1, 1)


def test_the_upgrade_recomputes_the_days_already_rolled_up(online_procedure):
    from importlib import import_module

    from django.apps import apps

    upgrade = import_module("dashboards.migrations.0008_online_visits_and_booking_chains")
    procedure = online_procedure
    add_clerk(procedure)
    _move(book(procedure, at(DAY, 9)).reservation, 10, MOVED_AT)
    _roll_up(NOW, MOVED_AT)
    DailyFact.objects.update(online_bookings=2, online_repeat=1)  # as the old rollup left them

    upgrade.recompute_stored_days(apps, None)

    assert _online() == (1, 0)
