"""axe-core in Chromium: no serious or critical accessibility violation on the public
pages and the staff pages, in Japanese and in English."""

import io

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command

from complaints.models import Complaint, Status
from notices.models import ImportRun
from reservations.models import Procedure, QuestionChoice, Reservation, ReservationStatus, Visit
from reservations.services import manage_token_for
from tests.reservations.factories import first_free_time

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PUBLIC = [
    "/",
    "/book/",
    "/book/juminhyo/",
    "/display/",
    "/accounts/login/",
    "/privacy/",
    "/accessibility/",
]
STAFF = [
    "/staff/",
    "/counter/",
    "/counter/kiosk/enrol/",
    "/staff/phone-booking/",
    "/complaints/",
    "/complaints/new/",
    "/complaints/knowledge/",
    "/notices/",
    "/notices/import/",
    "/dashboards/",
    "/dashboards/letters/",
    "/dashboards/complaints/",
    "/dashboards/review/",
]


def booking_pages() -> list[str]:
    """The citizen's steps beyond the calendar, on demo data: a day's times, the booking
    form, and a booking's manage, cancel, reschedule and confirm pages."""
    procedure = Procedure.objects.get(code="juminhyo")
    day, hhmm = first_free_time(procedure, within_days=30)
    booking = Reservation.objects.filter(status=ReservationStatus.CONFIRMED).latest("start_at")
    token = manage_token_for(booking)
    representative = QuestionChoice.objects.get(question__procedure=procedure, label="代理人")
    return [
        "/book/juminhyo/%s/" % day.isoformat(),
        "/book/juminhyo/%s/%s/" % (day.isoformat(), hhmm),  # the questions
        "/book/juminhyo/%s/%s/?answered=1" % (day.isoformat(), hhmm),
        "/book/juminhyo/%s/%s/?q_%d=%d"
        % (day.isoformat(), hhmm, representative.question_id, representative.pk),
        "/booking/%s/" % token,
        "/booking/%s/cancel/" % token,
        "/booking/%s/reschedule/" % token,
        "/booking/%s/reschedule/%s/%s/" % (token, day.isoformat(), hhmm),
        "/booking/%s/confirm/" % token,
        "/booking/find/",
        "/booking/find/?sent=1",
    ]


def serious(axe, page, path) -> list[str]:
    response = page.goto(path)
    if response.status != 200:  # a page that did not open is a finding too
        return ["%s answered %d" % (path, response.status)]
    page.wait_for_load_state("networkidle")
    return findings(axe, page, path)


def findings(axe, page, where: str) -> list[str]:
    """The serious and critical violations axe finds on the page as it is now."""
    result = axe.run(page)
    return [
        "%s %s %s" % (where, violation["id"], node["target"])
        for violation in result.response["violations"]
        if violation["impact"] in ("serious", "critical")
        for node in violation["nodes"]
    ]


@pytest.mark.parametrize("locale", ["ja-JP", "en-US"])
def test_no_serious_accessibility_violation(browser, live_server, locale):
    call_command("seed_demo", stdout=io.StringIO())
    complaint = Complaint.objects.order_by("pk").first()
    closed = Complaint.objects.filter(status=Status.CLOSED).first()
    survey = Visit.objects.filter(status="done").first()
    context = browser.new_context(base_url=live_server.url, locale=locale)
    page = context.new_page()
    axe = Axe()
    found = [
        v
        for path in [
            *PUBLIC,
            *booking_pages(),
            "/survey/%s/" % survey.survey_token,
            "/survey/%s/thanks/" % survey.survey_token,
        ]
        for v in serious(axe, page, path)
    ]
    page.goto("/accounts/login/")
    page.fill("#id_username", "manager")
    page.fill("#id_password", "madoguchi-demo")
    page.press("#id_password", "Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)  # logged in, moved on
    page.wait_for_load_state("networkidle")
    found += [
        v
        for path in [
            *STAFF,
            "/complaints/%d/" % complaint.pk,
            "/complaints/knowledge/%d/" % closed.pk,
            "/counter/visits/%d/receipt" % survey.pk,
            "/accounts/2fa/setup/",
            "/notices/import/%d/" % ImportRun.objects.latest("pk").pk,
        ]
        for v in serious(axe, page, path)
    ]
    context.close()
    found += kiosk_findings(browser, live_server, locale)

    assert found == []


def kiosk_findings(browser, live_server, locale) -> list[str]:
    """The kiosk's screens as an enrolled kiosk browser sees them: the start, a walk-in
    ticket, a check-in, a refusal with the next times and a booking page's own-phone screen."""
    from reservations.views.counter import KIOSK_COOKIE
    from tests.reservations.factories import enrolled_kiosk, kiosk_day

    booking, later = kiosk_day(name="後日の手続き", name_en="Another day")
    _device, token = enrolled_kiosk()
    context = browser.new_context(base_url=live_server.url, locale=locale)
    context.add_cookies([{"name": KIOSK_COOKIE, "value": token, "url": live_server.url}])
    page = context.new_page()
    axe = Axe()
    found = serious(axe, page, "/counter/kiosk/")

    def after(action, ready: str, what: str) -> list[str]:
        page.goto("/counter/kiosk/")
        action()
        page.locator(ready).wait_for()
        return findings(axe, page, "kiosk " + what)

    found += after(
        lambda: page.locator("form[action$='/walk-in/juminhyo/'] button").click(),
        "[data-people-ahead]",
        "ticket",
    )
    found += after(
        lambda: (page.fill("#kiosk-code", booking.code), page.press("#kiosk-code", "Enter")),
        ".kiosk-ticket",
        "check-in",
    )
    found += after(
        lambda: page.locator("form[action$='/walk-in/%s/'] button" % later.code).click(),
        ".kiosk-slots",
        "refusal",
    )
    # A booking page asked for on the kiosk: its code, to book on one's own phone.
    found += ["kiosk " + finding for finding in serious(axe, page, "/book/juminhyo/")]
    context.close()
    return found
