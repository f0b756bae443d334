"""Counter safety: no-show and done ask for confirmation, every status has its own colour
and mark beside its text, and the queue shows today's date in 和暦 and 西暦."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from organization.models import Role
from reservations import services
from reservations.models import VisitStatus
from reservations.templatetags.booking import wareki
from tests.organization.factories import make_staff_member
from tests.reservations.factories import ProcedureFactory, add_clerk, booked_now

pytestmark = pytest.mark.django_db


@pytest.fixture
def called_visit():
    today = timezone.localdate()
    procedure = ProcedureFactory(lead_time_minutes=0)
    clerk = add_clerk(procedure, day=today, start=dt.time(0, 0), end=dt.time(23, 59))
    reservation = booked_now(procedure, clerk)
    services.visit_check_in(reservation=reservation, by_staff=clerk)
    visit = services.visit_call_next(staff=clerk)
    return visit, clerk


def action_url(visit, action):
    return reverse("reservations:visit_action", args=[visit.pk, action])


@pytest.mark.parametrize("action", ["no_show", "done"])
def test_no_show_and_done_ask_for_confirmation_before_acting(client, called_visit, action):
    visit, clerk = called_visit
    if action == "done":
        services.visit_act(visit=visit, action="serve", actor=clerk)
    client.force_login(clerk.user)

    asked = client.post(action_url(visit, action), {"query": "status=called"})
    visit.refresh_from_db()
    status_after_asking = visit.status
    confirmed = client.post(action_url(visit, action), {"confirmed": "1", "query": "status=called"})
    visit.refresh_from_db()

    assert asked.status_code == 200
    assert status_after_asking in (VisitStatus.CALLED, VisitStatus.SERVING)
    assert 'name="confirmed" value="1"' in asked.content.decode()
    assert confirmed.status_code == 302
    assert visit.status == {"no_show": VisitStatus.NO_SHOW, "done": VisitStatus.DONE}[action]


def test_the_queue_marks_irreversible_actions_and_gives_each_status_its_colour(
    client, called_visit
):
    _visit, clerk = called_visit
    client.force_login(clerk.user)

    content = client.get(reverse("reservations:queue"), HTTP_ACCEPT_LANGUAGE="ja").content
    content = content.decode()

    assert "data-confirm=" in content
    assert "status-badge-called" in content
    assert "呼出中" in content or "呼び出し" in content  # the text beside the colour


def test_the_queue_heading_has_todays_date_in_both_calendars(client, called_visit):
    _visit, clerk = called_visit
    client.force_login(clerk.user)
    today = timezone.localdate()

    content = client.get(reverse("reservations:queue"), HTTP_ACCEPT_LANGUAGE="ja").content
    content = content.decode()

    assert "%d年%d月%d日" % (today.year, today.month, today.day) in content
    assert "令和%d年" % (today.year - 2018) in content


def test_wareki_names_the_first_year_gannen():
    assert wareki(dt.date(2019, 5, 1)) == "令和元年5月1日"
    assert wareki(dt.date(2026, 11, 30)) == "令和8年11月30日"
    assert wareki(dt.date(2019, 4, 30)) == "平成31年4月30日"


def test_a_transfer_without_a_chosen_clerk_gets_a_message(client, called_visit):
    visit, _clerk = called_visit
    client.force_login(make_staff_member(role=Role.MANAGER).user)

    response = client.post(action_url(visit, "transfer"), {"to": ""}, follow=True)

    assert response.status_code == 200
    visit.refresh_from_db()
    assert visit.status == VisitStatus.CALLED
