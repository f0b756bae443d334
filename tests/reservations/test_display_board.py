"""The public display board: the numbers called and their counters, no names."""

import datetime as dt

import pytest
from django.urls import reverse

from reservations import services
from reservations.models import Visit
from tests.reservations.factories import DAY, add_clerk, at
from tests.reservations.test_counter import booked
from tests.reservations.test_counter import procedure as procedure

pytestmark = pytest.mark.django_db


def _called_today(procedure):
    """A booked citizen called to a counter, the visit moved to today (the board shows
    today's calls)."""
    clerk = add_clerk(procedure)
    reservation = booked(procedure, at(DAY, 10))
    services.visit_check_in(reservation=reservation, now=at(DAY, 9, 55))
    visit = services.visit_call_next(staff=clerk, now=at(DAY, 10))
    Visit.objects.filter(pk=visit.pk).update(day=dt.date.today())
    return reservation, visit


def test_the_display_board_shows_numbers_and_counters_but_no_names(client, procedure):
    reservation, visit = _called_today(procedure)

    response = client.get(reverse("reservations:display_board"))

    content = response.content.decode()
    assert visit.ticket in content
    assert visit.counter.name in content
    assert reservation.citizen_name not in content


def test_the_display_board_calls_only_those_to_walk_to_a_counter_now(client, procedure):
    """A number already at its counter is listed apart, under its own heading, so the
    numbers called (and the latest, highlighted) are the ones to walk up now."""
    clerks = [add_clerk(procedure) for _ in range(2)]
    for n in (1, 2):
        services.visit_check_in(reservation=booked(procedure, at(DAY, 10), n), now=at(DAY, 9))
    serving, called = (services.visit_call_next(staff=c, now=at(DAY, 10)) for c in clerks)
    services.visit_act(visit=serving, action="serve", actor=clerks[0], now=at(DAY, 10, 1))
    Visit.objects.update(day=dt.date.today())

    board = client.get(reverse("reservations:display_board"), HTTP_ACCEPT_LANGUAGE="ja")
    content = board.content.decode()

    heading = content.index("窓口で対応中の番号")
    assert content.index(called.ticket) < heading < content.index(serving.ticket)
    assert content.count('class="latest"') == 1
    assert content.index('class="latest"') < content.index(called.ticket)
    # With only citizens being served, the board asks the others to wait.
    services.visit_act(visit=called, action="serve", actor=clerks[1], now=at(DAY, 10, 2))
    content = client.get(reverse("reservations:display_board")).content.decode()
    assert content.index("しばらくお待ちください") < content.index("窓口で対応中の番号")
    assert 'class="latest"' not in content


def test_the_display_board_names_the_city_in_japanese_then_its_second_language(client):
    from organization.services import site_settings_update

    site_settings_update(city_name="さくら市", city_name_en="Sakura City", city_name_ko="사쿠라시")

    english = client.get("/display/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    korean = client.get("/display/?language=ko").content.decode()

    assert (
        '<span lang="ja">さくら市</span> <span lang="en" class="display-en">Sakura City</span>'
        in english
    )
    assert (
        '<span lang="ja">さくら市</span> <span lang="ko" class="display-en">사쿠라시</span>'
        in korean
    )
    assert "| さくら市</title>" in korean


def test_the_display_board_names_the_counter_in_its_second_language(client, procedure):
    _reservation, visit = _called_today(procedure)
    counter = visit.counter
    counter.name_ja, counter.name_en, counter.name_ko = "2番窓口", "Counter 2", "2번 창구"
    counter.save()

    korean = client.get(reverse("reservations:display_board") + "?language=ko").content.decode()
    portuguese = client.get(reverse("reservations:display_board") + "?language=pt-br")

    assert (
        '<span lang="ja">2番窓口</span> <span lang="ko" class="display-en">2번 창구</span>'
        in korean
    )
    # No Portuguese name given: the English one, marked as English.
    assert '<span lang="en" class="display-en">Counter 2</span>' in portuguese.content.decode()


def test_many_citizens_at_their_counters_never_push_a_called_number_off(client, procedure):
    """The board shows at most 12 of each list: a number called before twelve others
    were called and served is still the one to walk up, and stays on the board."""
    clerks = [add_clerk(procedure) for _ in range(13)]
    for n in range(13):
        services.visit_check_in(reservation=booked(procedure, at(DAY, 10), n), now=at(DAY, 9))
    waiting = services.visit_call_next(staff=clerks[0], now=at(DAY, 10))
    for minute, clerk in enumerate(clerks[1:], start=1):
        visit = services.visit_call_next(staff=clerk, now=at(DAY, 10, minute))
        services.visit_act(visit=visit, action="serve", actor=clerk, now=at(DAY, 10, minute))
    Visit.objects.update(day=dt.date.today())

    content = client.get(reverse("reservations:display_board")).content.decode()

    assert content.index(waiting.ticket) < content.index("窓口で対応中の番号")
