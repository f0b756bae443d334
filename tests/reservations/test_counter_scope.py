"""The counter on a busy day (helper 45): a transferred citizen is with the clerk who
took them over, on every page; nobody is called or handed to a clerk who is not in;
a clerk handles only the citizens their queue shows them; the receipt (with its survey
link) is for a visit that is done."""

import datetime as dt

import pytest
from django.urls import reverse

from organization.models import Role
from reservations import services
from reservations.counter_queue import counter_queue
from reservations.models import Shift, Visit, VisitStatus
from tests.organization.factories import make_staff_member
from tests.reservations.factories import ProcedureFactory, add_clerk, booked_now

pytestmark = pytest.mark.django_db

ALL_DAY = {"start": dt.time(0, 0), "end": dt.time(23, 59)}


@pytest.fixture
def procedure():
    return ProcedureFactory()


def _clerk(procedure):
    return add_clerk(procedure, day=dt.date.today(), **ALL_DAY)


def _waiting_booking(procedure, clerk) -> Visit:
    return services.visit_check_in(reservation=booked_now(procedure, clerk), by_staff=clerk).visit


def test_a_transferred_citizen_is_in_the_new_clerks_queue_with_their_buttons(client, procedure):
    first, second = _clerk(procedure), _clerk(procedure)
    visit = _waiting_booking(procedure, first)
    services.visit_transfer(visit=visit, to_staff=second, actor=first)

    rows = counter_queue(day=dt.date.today(), now=visit.checked_in_at, staff_id=second.pk)
    assert [row.visit.pk for row in rows] == [visit.pk]
    assert rows[0].staff == second
    assert counter_queue(day=dt.date.today(), now=visit.checked_in_at, staff_id=first.pk) == []

    client.force_login(second.user)
    called = services.visit_call_next(staff=second)
    page = client.get(reverse("reservations:queue")).content.decode()
    assert called.pk == visit.pk
    assert "%d/serve/" % visit.pk in page


def test_a_clerk_with_no_shift_today_cannot_call_anyone(procedure):
    clerk = _clerk(procedure)
    _waiting_booking(procedure, clerk)
    Shift.objects.filter(staff=clerk).delete()

    with pytest.raises(services.CounterError, match="勤務"):
        services.visit_call_next(staff=clerk)

    assert not Visit.objects.filter(status=VisitStatus.CALLED).exists()


def test_a_citizen_is_never_handed_to_a_clerk_who_is_not_in(client, procedure):
    clerk, absent = _clerk(procedure), _clerk(procedure)
    Shift.objects.filter(staff=absent).delete()
    visit = _waiting_booking(procedure, clerk)
    client.force_login(clerk.user)

    page = client.get(reverse("reservations:queue")).content.decode()
    assert '<option value="%d">' % absent.pk not in page  # not offered
    with pytest.raises(services.CounterError, match="本日の勤務がありません"):
        services.visit_transfer(visit=visit, to_staff=absent, actor=clerk)
    assert Visit.objects.get(pk=visit.pk).staff == clerk


def test_a_clerk_of_another_procedure_cannot_move_or_call_a_walk_in(client, procedure):
    """A 福祉課 clerk sent a 市民課 walk-in to an absent colleague by a direct POST."""
    colleague = _clerk(procedure)
    outsider = _clerk(ProcedureFactory())
    walk_in = services.visit_issue_walk_in(procedure=procedure)
    client.force_login(outsider.user)

    for action, data in [("transfer", {"to": colleague.pk, "seen": "waiting"}), ("serve", {})]:
        url = reverse("reservations:visit_action", args=[walk_in.pk, action])
        response = client.post(url, data, follow=True)
        assert "ありません" in response.content.decode()
    walk_in.refresh_from_db()
    assert walk_in.staff is None and walk_in.status == VisitStatus.WAITING


def test_the_receipt_is_for_a_visit_that_is_done(client, procedure):
    """A receipt carries the survey link: one for a walk-in still waiting let any clerk
    collect survey links to fill in later."""
    clerk = _clerk(procedure)
    walk_in = services.visit_issue_walk_in(procedure=procedure)
    client.force_login(clerk.user)
    url = reverse("reservations:receipt", args=[walk_in.pk])

    assert client.get(url).status_code == 404
    services.visit_call_next(staff=clerk)
    services.visit_act(visit=walk_in, action="serve", actor=clerk)
    services.visit_act(visit=walk_in, action="done", actor=clerk)
    assert client.get(url).status_code == 200
    other = _clerk(procedure)
    client.force_login(other.user)
    assert client.get(url).status_code == 404


def test_a_clerk_cannot_check_in_another_departments_booking_by_its_id(client, procedure):
    theirs = _clerk(procedure)
    booking = booked_now(procedure, theirs)
    outsider = _clerk(ProcedureFactory())
    client.force_login(outsider.user)

    response = client.post(
        reverse("reservations:staff_check_in"), {"reservation": booking.pk}, follow=True
    )

    assert "予約が見つかりません" in response.content.decode() or "ありません" in (
        response.content.decode()
    )
    assert not Visit.objects.filter(reservation=booking).exists()
    manager = make_staff_member(role=Role.MANAGER)
    client.force_login(manager.user)
    client.post(reverse("reservations:staff_check_in"), {"reservation": booking.pk})
    assert Visit.objects.filter(reservation=booking).exists()


def test_a_no_show_by_mistake_is_put_back_in_the_queue_in_their_place(client, procedure):
    """Helper 45: a walk-in marked absent by mistake could never be restored and had to
    take a new ticket at the end of the queue."""
    clerk = _clerk(procedure)
    first = services.visit_issue_walk_in(procedure=procedure)
    second = services.visit_issue_walk_in(procedure=procedure)
    called = services.visit_call_next(staff=clerk)
    assert called.pk == first.pk
    services.visit_act(visit=called, action="no_show", actor=clerk)
    client.force_login(clerk.user)
    page = client.get(reverse("reservations:queue"), {"status": "no_show"}).content.decode()
    assert "%d/back/" % first.pk in page

    client.post(reverse("reservations:visit_action", args=[first.pk, "back"]))

    first.refresh_from_db()
    assert first.status == VisitStatus.WAITING and first.no_show_at is None
    assert services.visit_call_next(staff=clerk).pk == first.pk  # ahead of the second
    assert Visit.objects.get(pk=second.pk).status == VisitStatus.WAITING
