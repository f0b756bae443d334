"""Hand-made counter history for KPI tests: visits with their times, bookings, answers."""

import datetime as dt
import secrets

from dashboards import rollup
from reservations.models.bookings import Channel, Reservation, ReservationStatus
from reservations.models.visits import SurveyAnswer, Visit, VisitEvent, VisitKind, VisitStatus
from tests.reservations.factories import ProcedureFactory, add_clerk, at

_tickets = iter(range(1, 10**6))


def booking(
    procedure,
    clerk,
    start: dt.datetime,
    *,
    status=ReservationStatus.CONFIRMED,
    email="a@example.jp",
    created_at=None,
    channel=Channel.WEB,
    referral_code="",
) -> Reservation:
    return Reservation.objects.create(
        procedure=procedure,
        staff=clerk,
        counter=clerk.shifts.first().counter,
        start_at=start,
        end_at=start + procedure.duration,
        status=status,
        channel=channel,
        code="%04d-%04d" % divmod(next(_tickets), 10000),
        manage_nonce="n",
        citizen_name="市民",
        citizen_kana="シミン",
        email=email,
        email_key=email,
        created_at=created_at or start - dt.timedelta(days=3),
        cancelled_at=start - dt.timedelta(days=1)
        if status == ReservationStatus.CANCELLED
        else None,
        referral_code=referral_code,
    )


def visit(
    procedure,
    day: dt.date,
    *,
    kind=VisitKind.WALK_IN,
    arrived: dt.datetime | None = None,
    wait: int | None = None,
    handle: int | None = None,
    reservation=None,
    no_show=False,
    answer: int | None = None,
) -> Visit:
    """A visit that waited ``wait`` minutes for its first call and took ``handle``."""
    v = Visit.objects.create(
        day=day,
        kind=kind,
        reservation=reservation,
        procedure=procedure,
        ticket="T%05d" % next(_tickets),
        status=VisitStatus.NO_SHOW if no_show else VisitStatus.DONE,
        expected_at=reservation.start_at if reservation else None,
        checked_in_at=None if no_show else arrived,
        survey_token=secrets.token_urlsafe(16),
    )
    if no_show:
        return v
    waiting_from = max(arrived, reservation.start_at) if reservation else arrived
    v.called_at = waiting_from + dt.timedelta(minutes=wait)
    v.serving_at = v.called_at
    v.done_at = v.serving_at + dt.timedelta(minutes=handle or 10)
    v.save()
    VisitEvent.objects.create(visit=v, kind=VisitEvent.Kind.CALLED, at=v.called_at)
    # A later recall does not change when the citizen stopped waiting.
    VisitEvent.objects.create(
        visit=v, kind=VisitEvent.Kind.CALLED, at=v.called_at + dt.timedelta(minutes=30)
    )
    if answer is not None:
        SurveyAnswer.objects.create(visit=v, overall=answer, answered_at=v.done_at)
    return v


def procedure_with_clerk(day: dt.date):
    procedure = ProcedureFactory(name="住民票の写し")
    clerk = add_clerk(procedure, day=day, start=dt.time(8, 0), end=dt.time(18, 0))
    return procedure, clerk


def answered_visits(
    procedure, clerk, day: dt.date, *, booked: list[int], walk_in: list[int], wait_booked=3, wait=20
):
    """Visits on ``day`` with the given survey answers (one visit per answer), booked ones
    back to back from midnight and walk-ins from 9:00 a minute apart; the day is rolled up."""
    for n, answer in enumerate(booked):
        start = at(day, 0) + procedure.duration * n  # one clerk: one booking at a time
        reservation = booking(procedure, clerk, start, email="b%d@example.jp" % n)
        visit(
            procedure,
            day,
            kind=VisitKind.BOOKED,
            reservation=reservation,
            arrived=start,
            wait=wait_booked,
            handle=10,
            answer=answer,
        )
    for n, answer in enumerate(walk_in):
        arrived = at(day, 9) + dt.timedelta(minutes=n)
        visit(procedure, day, arrived=arrived, wait=wait, answer=answer)
    rollup.facts_refresh([day])
