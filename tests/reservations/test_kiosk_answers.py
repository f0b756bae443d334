"""The kiosk answers what really happened to a code or a tap: a visit served or done
is not told to wait, a second check-in says so, a double tap is one ticket, a refusal
speaks the citizen's language and goes away for the next person, the privacy notice
stays on the tablet, and a walk-in before opening is told when service starts."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from reservations import services
from reservations.models import Visit, VisitStatus
from tests.reservations import test_kiosk
from tests.reservations.factories import add_clerk, as_kiosk, booked_now

pytestmark = pytest.mark.django_db

# The kiosk tests' fixtures and helpers: today, a procedure, a clerk on shift all day.
KIOSK, today, procedure = test_kiosk.KIOSK, test_kiosk.today, test_kiosk.procedure
all_day_clerk = test_kiosk.all_day_clerk


@pytest.mark.parametrize("status", [VisitStatus.SERVING, VisitStatus.DONE])
def test_a_visit_being_served_or_done_is_not_checked_in_again(client, procedure, today, status):
    """The kiosk never tells someone to wait for a call that will not come."""
    reservation = booked_now(procedure, all_day_clerk(procedure, today))
    visit = services.visit_check_in(reservation=reservation).visit
    Visit.objects.filter(pk=visit.pk).update(status=status)
    as_kiosk(client)

    html = client.post(KIOSK, {"code": reservation.code}).content.decode()

    assert "すでに窓口で終わっています" in html and 'role="alert"' in html
    assert "待合スペースでお待ちください" not in html
    assert 'data-kiosk-return="' in html  # the message goes away for the next person
    assert Visit.objects.get(pk=visit.pk).status == status


def test_checking_in_twice_at_the_kiosk_says_so_with_the_same_number(client, procedure, today):
    reservation = booked_now(procedure, all_day_clerk(procedure, today))
    as_kiosk(client)
    client.post(KIOSK, {"code": reservation.code})

    html = client.post(KIOSK, {"code": reservation.code}).content.decode()

    assert "すでに受付済みです" in html
    assert Visit.objects.get(reservation=reservation).ticket in html
    assert Visit.objects.count() == 1


def test_staff_are_told_a_code_is_already_served_or_checked_in(client, procedure, today):
    clerk = all_day_clerk(procedure, today)
    done = booked_now(procedure, clerk)
    waiting = booked_now(procedure, all_day_clerk(procedure, today))
    visit = services.visit_check_in(reservation=done).visit
    Visit.objects.filter(pk=visit.pk).update(status=VisitStatus.DONE)
    services.visit_check_in(reservation=waiting)
    client.force_login(clerk.user)
    url = reverse("reservations:staff_check_in")

    served = client.post(url, {"code": done.code}, follow=True).content.decode()
    again = client.post(url, {"code": waiting.code}, follow=True).content.decode()
    unknown = client.post(url, {"code": "ZZZZ-ZZZZ"}, follow=True).content.decode()

    assert "この予約はすでに対応済みです（番号 %s）" % visit.ticket in served
    assert "受付済みです：番号" in again
    assert "この予約番号の予約はありません" in unknown and "職員にお尋ねください" not in unknown


def test_the_kiosk_speaks_the_citizens_language_when_it_refuses(client, procedure):
    as_kiosk(client)
    client.cookies["django_language"] = "ko"

    html = client.post(KIOSK, {"code": "ZZZZ-ZZZZ"}).content.decode()

    assert "이 예약 번호를 찾을 수 없습니다" in html


def test_a_double_tap_on_a_walk_in_button_gives_one_ticket(client, procedure, today):
    all_day_clerk(procedure, today)
    as_kiosk(client)
    url = reverse("reservations:kiosk_walk_in", args=[procedure.code])

    first = client.post(url).content.decode()
    second = client.post(url).content.decode()

    assert Visit.objects.count() == 1
    ticket = Visit.objects.get().ticket
    assert ticket in first and ticket in second
    # Back at the start (Done, or the countdown), the next person's tap is a new ticket.
    client.get(KIOSK + "?start")
    client.post(url)
    assert Visit.objects.count() == 2


def test_the_kiosk_privacy_notice_stays_on_the_kiosk(client, procedure, settings):
    settings.KIOSK_RETURN_SECONDS = 20
    as_kiosk(client)
    start = client.get(KIOSK).content.decode()

    assert 'href="/counter/kiosk/privacy/"' in start and 'href="/privacy/"' not in start
    response = client.get("/counter/kiosk/privacy/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-kiosk-return="60"' in html  # a text to read: longer than a result screen
    # No way off the tablet: no staff login, no city website, no citizen menu.
    assert "/accounts/login/" not in html and 'href="https://' not in html
    assert "navbar-toggler" not in html and "/booking/find/" not in html


def test_a_walk_in_before_the_counter_opens_is_told_when_it_opens(client, procedure, today):
    """Nobody serves the procedure yet: the ticket says when its clerks start, not
    "you are next"."""
    local = timezone.localtime()
    if local.time() >= dt.time(22, 50):
        pytest.skip("too close to midnight for a shift later today")
    starts = (local + dt.timedelta(minutes=60)).time().replace(second=0, microsecond=0)
    starts = min(starts, dt.time(23, 50))
    add_clerk(procedure, day=today, start=starts, end=dt.time(23, 59))
    as_kiosk(client)

    html = client.post(reverse("reservations:kiosk_walk_in", args=[procedure.code])).content
    html = html.decode()

    assert "%d:%02d" % (starts.hour, starts.minute) in html and "から対応します" in html
    assert "次にお呼びします" not in html
