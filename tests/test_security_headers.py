"""The Content-Security-Policy holds: no inline script, handler or style on any page,
and the browser reports no violation while pages run (htmx, Bootstrap, the charts)."""

import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from organization.models import Role
from tests.organization.factories import make_staff_member

INLINE = [
    (
        re.compile(
            r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I
        ),
        "inline script",
    ),
    (re.compile(r"\son[a-z]+=\"", re.I), "inline event handler"),
    (re.compile(r"<[a-z][^>]*\sstyle=\"", re.I), "inline style attribute"),
    (re.compile(r"<style[\s>]", re.I), "style element"),
]


def assert_no_inline_code(html: str, where: str) -> None:
    for pattern, what in INLINE:
        match = pattern.search(html)
        assert match is None, "%s on %s: %s" % (
            what,
            where,
            html[match.start() : match.start() + 80],
        )


@pytest.mark.django_db
def test_every_page_sends_the_policy_and_has_no_inline_code(client):
    call_command("seed_demo", stdout=io.StringIO())
    public = ["/", "/book/", reverse("reservations:display"), "/privacy/", "/accessibility/"]
    staff = {
        Role.COUNTER_STAFF: ["/staff/", "/counter/", "/complaints/", "/complaints/new/"],
        Role.MANAGER: ["/dashboards/", "/dashboards/review/", "/complaints/knowledge/"],
        Role.DEPARTMENT_STAFF: ["/notices/", "/notices/import/"],
    }
    for path in public:
        response = client.get(path, follow=True)
        assert "script-src 'self'" in response["Content-Security-Policy"]
        assert_no_inline_code(response.content.decode(), path)
    for role, paths in staff.items():
        client.force_login(make_staff_member(role=role).user)
        for path in paths:
            response = client.get(path, follow=True)
            assert response.status_code == 200, path
            assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
            assert_no_inline_code(response.content.decode(), path)


# Every CSP violation in the page (its securitypolicyviolation event) and every CSP error
# on the console is reported to the test. The listener is put in by the browser's
# devtools before any of the page's own scripts, so the policy does not stop it.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation(
    [location.pathname, event.violatedDirective, event.blockedURI, event.sample].join(" | ")
  );
});
"""

# URL names that are not pages: they only take POSTs, or answer with a file or a fragment
# that a page loads (the fragments are loaded by their pages below, and polled).
NOT_A_PAGE = {
    "complaints:action",
    "complaints:respond",
    "dashboards:action_done",
    "dashboards:refresh",
    "notices:create_letters",
    "notices:mark_batch",
    "notices:import_resume",  # a POST from the import report
    "notices:import_moves_confirm",  # a POST from the import report
    "notices:release_booking_match",
    "reservations:call_next",
    "reservations:staff_check_in",
    "reservations:visit_action",
    "reservations:kiosk_walk_in",  # its ticket and refusal pages are opened by the kiosk
    "reservations:display_board",  # polled by the display board
    "logout",
    "set_language",
    "healthz",
    "two_factor_verify",  # only after a login with a second factor
}
FILE_SUFFIXES = (".pdf", ".csv", ".ics", ".ico")


def _page_samples() -> dict[str, str]:
    """A real address on the demo data for each URL name that takes arguments."""
    from complaints.models import Complaint, Status
    from notices import services as notice_services
    from notices.models import NoticeRule
    from reservations.codes import confirm_key_for
    from reservations.models import Procedure, Reservation, ReservationStatus, Visit
    from reservations.services import manage_token_for
    from tests.reservations.factories import first_free_time

    procedure = Procedure.objects.get(code="juminhyo")
    day, hhmm = first_free_time(procedure, within_days=60)
    booking = Reservation.objects.filter(status=ReservationStatus.CONFIRMED).latest("start_at")
    token = manage_token_for(booking)
    visit = Visit.objects.filter(status="done").first()
    run = notice_services.certificates_import(
        data=b"record_id,resident_number,name,certificate_type,issued_on,expires_on\n",
        file_name="empty.csv",
    )
    return {
        "reservations:calendar": "/book/juminhyo/",
        "reservations:day": "/book/juminhyo/%s/" % day.isoformat(),
        "reservations:details": "/book/juminhyo/%s/%s/" % (day.isoformat(), hhmm),
        "reservations:staff_calendar": "/staff/phone-booking/juminhyo/",
        "reservations:staff_day": "/staff/phone-booking/juminhyo/%s/" % day.isoformat(),
        "reservations:staff_details": "/staff/phone-booking/juminhyo/%s/%s/"
        % (day.isoformat(), hhmm),
        "reservations:manage": "/booking/%s/" % token,
        "reservations:cancel": "/booking/%s/cancel/" % token,
        "reservations:confirm": "/booking/%s/confirm/" % token,
        "reservations:confirm_from_email": "/booking/%s/confirm/%s/"
        % (token, confirm_key_for(booking)),
        "reservations:reschedule": "/booking/%s/reschedule/" % token,
        "reservations:reschedule_confirm": "/booking/%s/reschedule/%s/%s/"
        % (token, day.isoformat(), hhmm),
        "reservations:survey": "/survey/%s/" % visit.survey_token,
        "reservations:survey_thanks": "/survey/%s/thanks/" % visit.survey_token,
        "reservations:receipt": "/counter/visits/%d/receipt" % visit.pk,
        "complaints:detail": "/complaints/%d/" % Complaint.objects.order_by("pk").first().pk,
        "complaints:knowledge_case": "/complaints/knowledge/%d/"
        % Complaint.objects.filter(status=Status.CLOSED).first().pk,
        "dashboards:review": "/dashboards/review/",  # redirects to the current quarter
        "notices:import_report": "/notices/import/%d/" % run.pk,
        "notices:why_not": "/notices/rules/%d/why-not/"
        % NoticeRule.objects.order_by("pk").first().pk,
        "notices:forecast": "/notices/rules/%d/forecast/"
        % NoticeRule.objects.order_by("pk").first().pk,
    }


def _pages() -> tuple[list[str], list[str]]:
    """The public and the staff pages of the URL walk (tests/test_access.py): a new URL
    without a sample above fails here, so every new page is checked too."""
    from tests.test_access import PUBLIC, URLS, _path, access_of

    samples = _page_samples()
    public, staff, missing = [], [], []
    for name, route in URLS:
        audience = access_of(name)
        if audience == "admin" or name in NOT_A_PAGE or route.endswith(FILE_SUFFIXES):
            continue
        if "<" in route:
            if name not in samples:
                missing.append(name)
                continue
            path = samples[name]
        else:
            path = _path(route)
        (public if audience == PUBLIC else staff).append(path)
    assert missing == [], "Give these URL names a sample address in _page_samples()"
    return public, staff


def _open(page, path: str) -> None:
    response = page.goto(path)
    assert response is not None and response.status == 200, (path, response and response.status)
    page.wait_for_load_state("networkidle")


def _watched_page(browser, base_url: str, violations: list[str], **options):
    """A new context and page whose CSP violations (events and console errors) are added
    to ``violations``."""
    context = browser.new_context(base_url=base_url, locale="ja-JP", **options)
    context.expose_binding("reportCspViolation", lambda _source, text: violations.append(text))
    context.add_init_script(REPORT_VIOLATIONS)
    page = context.new_page()
    page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text
            and violations.append("console: " + message.text)
        ),
    )
    return context, page


def _visit_the_public_pages(page, public: list[str]) -> None:
    """Every public page, in Japanese and then in English; the display board polls."""
    for path in public:
        _open(page, path)
    with page.expect_response(lambda response: "/display/board/" in response.url):
        _open(page, "/display/")
    _open(page, "/")
    page.locator("#language-select").select_option("en")
    page.locator(".lang-switch-button").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.wait_for_load_state("networkidle")
    for path in public:
        _open(page, path)


def _visit_the_staff_pages(page, staff: list[str]) -> None:
    """Every staff page as a manager (who may open all of them)."""
    _open(page, "/accounts/login/")
    page.fill("#id_username", "manager")
    page.fill("#id_password", "madoguchi-demo")
    page.press("#id_password", "Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)  # logged in, moved on
    page.wait_for_load_state("networkidle")
    for path in staff:
        _open(page, path)
    with page.expect_response(lambda response: response.request.headers.get("hx-request")):
        _open(page, "/counter/")  # the queue refreshes itself


def _use_the_kiosk(page, booking, walk_in_procedure: str, not_today_procedure: str) -> None:
    """Start, reload, a check-in, a walk-in ticket, a refusal, the countdown, and a booking
    page asked for on the kiosk."""
    _open(page, "/counter/kiosk/")
    page.reload()
    page.wait_for_load_state("networkidle")
    page.fill("#kiosk-code", booking.code)
    page.press("#kiosk-code", "Enter")
    page.locator(".kiosk-ticket").wait_for()
    page.wait_for_timeout(1500)  # the countdown ticks
    _open(page, "/counter/kiosk/")
    page.get_by_role("button", name=walk_in_procedure).click()
    page.locator("[data-people-ahead]").wait_for()
    _open(page, "/counter/kiosk/")
    page.get_by_role("button", name=not_today_procedure).click()
    page.locator(".kiosk-slot .kiosk-qr svg").first.wait_for()
    page.wait_for_timeout(1500)
    _open(page, "/book/")  # a booking page on the kiosk: its code for one's own phone
    page.locator(".kiosk-qr svg").wait_for()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_browser_reports_no_policy_violation_on_any_page(browser, live_server):
    from reservations.views.counter import KIOSK_COOKIE
    from tests.reservations.factories import enrolled_kiosk, kiosk_day

    call_command("seed_demo", stdout=io.StringIO())
    booking, _not_today = kiosk_day(name="本日受付なしの手続き", code="not-today")
    public, staff = _pages()
    violations: list[str] = []

    # The listener works: a blocked inline style is reported.
    context, page = _watched_page(browser, live_server.url, violations)
    _open(page, "/")
    page.evaluate("() => document.body.setAttribute('style', 'color: red')")
    page.wait_for_timeout(200)
    assert violations, "the CSP listener heard nothing"
    violations.clear()

    _visit_the_public_pages(page, public)
    context.close()
    context, page = _watched_page(browser, live_server.url, violations)
    _visit_the_staff_pages(page, staff)
    context.close()
    _device, token = enrolled_kiosk()
    context, page = _watched_page(browser, live_server.url, violations)
    context.add_cookies([{"name": KIOSK_COOKIE, "value": token, "url": live_server.url}])
    _use_the_kiosk(page, booking, booking.procedure.name, "本日受付なしの手続き")
    context.close()

    assert len(public) >= 10 and len(staff) >= 20
    assert violations == []
