import datetime as dt

import pytest
from django.utils import timezone

from dashboards import rollup
from dashboards.models import DailyFact, MonthlyFact
from reservations.models import ReservationStatus
from tests.dashboards.factories import booking, procedure_with_clerk, visit
from tests.reservations.factories import at

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 7, 15)


def snapshot(model):
    return sorted(tuple(v for k, v in row.items() if k != "id") for row in model.objects.values())


def test_recomputing_a_day_gives_the_same_rows(django_assert_max_num_queries):
    procedure, _clerk = procedure_with_clerk(DAY)
    for n in range(5):
        visit(procedure, DAY, arrived=at(DAY, 9, n), wait=n, handle=5, answer=5)
    rollup.facts_refresh([DAY])
    first = snapshot(DailyFact), snapshot(MonthlyFact)

    rollup.facts_refresh([DAY])

    assert (snapshot(DailyFact), snapshot(MonthlyFact)) == first
    assert MonthlyFact.objects.get(kind="walk_in").visits == 5


def test_the_job_finds_the_days_changed_since_its_last_run():
    procedure, clerk = procedure_with_clerk(DAY)
    rollup.facts_refresh_changed()
    reservation = booking(procedure, clerk, at(DAY, 10), created_at=timezone.now())
    reservation.status = ReservationStatus.CANCELLED
    reservation.cancelled_at = timezone.now()
    reservation.save()

    rollup.facts_refresh_changed()

    fact = DailyFact.objects.get(day=DAY, kind="booked")
    assert (fact.bookings, fact.bookings_cancelled) == (1, 1)


def test_a_day_with_nothing_left_has_no_rows():
    procedure, _clerk = procedure_with_clerk(DAY)
    v = visit(procedure, DAY, arrived=at(DAY, 9), wait=1, handle=1)
    rollup.facts_refresh([DAY])
    v.events.all().delete()
    v.delete()

    rollup.facts_refresh([DAY])

    assert not DailyFact.objects.filter(day=DAY).exists()
    assert not MonthlyFact.objects.exists()


def test_the_rebuild_command_recomputes_every_day():
    import io

    from django.core.management import call_command

    procedure, _clerk = procedure_with_clerk(DAY)
    visit(procedure, DAY, arrived=at(DAY, 9), wait=3, handle=3)
    out = io.StringIO()

    call_command("rebuild_kpis", "--days", str((timezone.localdate() - DAY).days + 1), stdout=out)

    assert "KPI rollup rebuilt" in out.getvalue()
    assert MonthlyFact.objects.get(kind="walk_in").visits == 1
