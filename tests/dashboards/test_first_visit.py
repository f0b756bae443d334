"""Issue 22: completion on the first visit, booked and walk-in side by side.

A finished visit is completed on the first visit unless the clerk marked "must come
back", or the same citizen (known by their booking's e-mail) came again for the same
procedure within 14 days."""

import datetime as dt

import pytest
from django.urls import reverse

from dashboards import periods, rollup, selectors
from organization.models import Role
from reservations.models import Visit, VisitKind, VisitStatus
from tests.dashboards.factories import booking, procedure_with_clerk, visit
from tests.organization.factories import make_staff_member
from tests.reservations.factories import add_shift, at

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 7, 15)  # a Tuesday, in fiscal 2025 Q2
Q2 = periods.quarter(2025, 2)
EVERYTHING = selectors.Filters()


def _booked_visit(procedure, clerk, day, n, email):
    start = at(day, 0) + procedure.duration * n
    reservation = booking(procedure, clerk, start, email=email)
    return visit(
        procedure, day, kind=VisitKind.BOOKED, reservation=reservation, arrived=start, wait=2
    )


def test_a_second_visit_within_14_days_or_the_clerks_mark_is_not_a_first_visit_completion():
    procedure, clerk = procedure_with_clerk(DAY)
    later = DAY + dt.timedelta(days=7)
    much_later = DAY + dt.timedelta(days=20)
    add_shift(clerk, day=later, start=dt.time(8, 0), end=dt.time(18, 0))
    add_shift(clerk, day=much_later, start=dt.time(8, 0), end=dt.time(18, 0))
    # Four booked citizens: one comes back a week later, one 20 days later (too late
    # to count as the same case), one is marked "must come back", one is done.
    _booked_visit(procedure, clerk, DAY, 0, "back@example.jp")
    _booked_visit(procedure, clerk, later, 0, "back@example.jp")
    _booked_visit(procedure, clerk, DAY, 1, "late@example.jp")
    _booked_visit(procedure, clerk, much_later, 0, "late@example.jp")
    marked = _booked_visit(procedure, clerk, DAY, 2, "marked@example.jp")
    Visit.objects.filter(pk=marked.pk).update(must_return=True)
    _booked_visit(procedure, clerk, DAY, 3, "done@example.jp")
    # Three walk-ins: one marked by the clerk.
    walk_ins = [visit(procedure, DAY, arrived=at(DAY, 9), wait=5) for _ in range(3)]
    Visit.objects.filter(pk=walk_ins[0].pk).update(must_return=True)

    rollup.facts_refresh([DAY, later, much_later])
    data = selectors.booked_vs_walk_in(periods.quarter(2025, 2), EVERYTHING)

    booked, walk_in = data["booked"], data["walk_in"]
    # Booked on DAY: 4 finished on DAY, 2 completed (late@ and done@); the second
    # visits of back@ (later) and late@ (much_later) complete on their own days.
    # In the quarter: 6 finished booked visits, 4 completed on the first visit.
    assert (booked.done, booked.first_visit_done) == (6, 4)
    assert booked.first_visit == pytest.approx(66.7)
    assert (walk_in.done, walk_in.first_visit_done) == (3, 2)
    assert "Completed on the first visit" in data["sentence"]


def test_the_clerk_can_finish_a_visit_as_must_come_back(client):
    procedure, clerk = procedure_with_clerk(DAY)
    v = visit(procedure, DAY, arrived=at(DAY, 9), wait=5)
    Visit.objects.filter(pk=v.pk).update(status=VisitStatus.SERVING, done_at=None)
    client.force_login(clerk.user)
    url = reverse("reservations:visit_action", args=[v.pk, "done"])

    # Without scripts the confirmation page asks once more and keeps the mark.
    page = client.post(url, {"must_return": "1", "confirmed": "0"})
    assert "再来庁が必要" in page.content.decode()
    assert 'name="must_return" value="1"' in page.content.decode()

    client.post(url, {"must_return": "1", "confirmed": "1"})
    v.refresh_from_db()
    assert v.status == VisitStatus.DONE and v.must_return


def test_the_comparison_page_and_csv_show_first_visit_completion(client):
    procedure, clerk = procedure_with_clerk(DAY)
    _booked_visit(procedure, clerk, DAY, 0, "a@example.jp")
    visit(procedure, DAY, arrived=at(DAY, 9), wait=5)
    rollup.facts_refresh([DAY])
    client.force_login(make_staff_member(role=Role.MANAGER).user)
    query = {"kind": "quarter", "period": "2025-Q2"}

    page = client.get(reverse("dashboards:comparison"), query).content.decode()
    assert "Completed on the first visit" in page or "初回来庁で完了" in page

    export = client.get(reverse("dashboards:export", args=["comparison"]), query)
    assert export.status_code == 200
    header = export.content.decode("utf-8-sig").splitlines()[0]
    assert "completed on the first visit" in header or "初回" in header


def test_the_receipt_of_a_visit_that_must_come_back_says_so(client):
    procedure, clerk = procedure_with_clerk(DAY)
    v = visit(procedure, DAY, arrived=at(DAY, 9), wait=5)
    Visit.objects.filter(pk=v.pk).update(must_return=True)
    client.force_login(clerk.user)

    page = client.get(reverse("reservations:receipt", args=[v.pk])).content.decode()

    assert "まだ終わっていません" in page
