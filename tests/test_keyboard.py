"""Keyboard alone: a citizen books from the calendar to the confirmation with Tab,
Enter and Space only, hears a form error (focus moves to the error summary), and a
counter clerk checks a citizen in and calls them without a mouse."""

import pytest
from playwright.sync_api import expect

from reservations.models import Reservation, ReservationStatus, Visit, VisitStatus
from tests.reservations.test_browser import procedure  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def tab_to(page, selector: str, *, limit: int = 80) -> None:
    """Press Tab until the focused element matches ``selector`` (fails if it never does)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError("%s cannot be reached with Tab" % selector)


def test_a_citizen_books_with_the_keyboard_alone(page, procedure):  # noqa: F811
    page.goto("/book/%s/?month=%s" % (procedure.code, procedure.test_day.strftime("%Y-%m")))

    tab_to(page, "td.day-open a")
    page.keyboard.press("Enter")
    page.locator("#times-heading").wait_for()
    expect(page.locator("#times-heading")).to_be_focused()  # the number of free times is read out
    tab_to(page, "#times a")
    page.keyboard.press("Enter")

    page.locator("#id_name").wait_for()
    tab_to(page, "#id_name")
    page.keyboard.type("山田 太郎")
    tab_to(page, "#id_kana")
    page.keyboard.type("ヤマダ タロウ")
    tab_to(page, "#id_email")
    page.keyboard.type("taro@example.jp")
    tab_to(page, "input[type=checkbox]")
    page.keyboard.press("Space")  # only the first rule: the form must say what is missing
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")

    page.locator("#form-errors").wait_for()
    expect(page.locator("#form-errors")).to_be_focused()  # the error summary is announced first
    assert page.locator("#form-errors").get_attribute("role") == "alert"
    unticked = page.locator("input[type=checkbox]:not(:checked)")
    assert unticked.get_attribute("aria-invalid") == "true"
    tab_to(page, "input[type=checkbox]:not(:checked)")
    page.keyboard.press("Space")
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")

    page.get_by_text("予約が確定しました。").wait_for()
    assert Reservation.objects.get().status == ReservationStatus.CONFIRMED


def test_a_clerk_checks_in_and_calls_with_the_keyboard_alone(page, live_server):
    import datetime as dt

    from django.utils import timezone

    from tests.reservations.factories import ProcedureFactory, add_clerk, booked_now

    now = timezone.now()
    juminhyo = ProcedureFactory(name="住民票の写し", lead_time_minutes=0)
    clerk = add_clerk(juminhyo, day=timezone.localdate(now), start=dt.time(0), end=dt.time(23, 59))
    reservation = booked_now(juminhyo, clerk)
    # The citizen at the enrolled kiosk (its own browser: no staff session there).
    from reservations.views.counter import KIOSK_COOKIE
    from tests.reservations.factories import enrolled_kiosk

    _device, token = enrolled_kiosk()
    page.context.add_cookies([{"name": KIOSK_COOKIE, "value": token, "url": live_server.url}])
    page.goto("/counter/kiosk/")
    tab_to(page, "input[name=code]")
    page.keyboard.type(reservation.code)
    page.keyboard.press("Enter")
    page.get_by_role("status").wait_for()
    ticket = page.get_by_role("status").inner_text()
    page.context.clear_cookies()

    page.goto("/accounts/login/")
    tab_to(page, "#id_username")
    page.keyboard.type(clerk.user.username)
    tab_to(page, "#id_password")
    page.keyboard.type("secret-pass-123")
    page.keyboard.press("Enter")
    page.wait_for_url("**/staff/**")

    page.goto("/counter/")
    tab_to(page, "form[action$='/counter/call-next/'] button")
    page.keyboard.press("Enter")
    page.get_by_text(ticket).first.wait_for()
    assert Visit.objects.get(reservation=reservation).status == VisitStatus.CALLED
