"""In Chromium: the period picker follows the period type in place; the manager
navigation stays on one line at 1366 px; the booked-vs-walk-in page reads well."""

import datetime as dt
import os

import pytest
from playwright.sync_api import expect

from organization.models import Role
from tests.dashboards.factories import answered_visits, procedure_with_clerk
from tests.organization.factories import make_staff_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DAY = dt.date(2025, 7, 15)
SHOTS = os.environ.get("MADOGUCHI_SCREENSHOTS")  # a folder: save screenshots to look at


def _history():
    procedure, clerk = procedure_with_clerk(DAY)
    answers = {"booked": [3, 5, 5, 5, 5, 5], "walk_in": [4, 2, 5, 1, 3]}
    answered_visits(procedure, clerk, DAY, **answers, wait_booked=2, wait=25)


def _login(page, member):
    page.goto("/accounts/login/")
    page.get_by_label("ユーザー名").fill(member.user.username)
    page.get_by_label("パスワード").fill("secret-pass-123")
    page.get_by_role("button", name="ログイン").click()


def test_the_period_list_follows_the_period_type_in_place(page):
    _history()
    _login(page, make_staff_member(role=Role.MANAGER))
    page.goto("/dashboards/?kind=quarter&period=2025-Q2")

    page.get_by_label("期間", exact=True).select_option("month")

    which = page.get_by_label("対象")
    expect(which.locator("option").first).to_contain_text("（途中）")
    expect(which.locator("option[value='2025-09']")).to_have_count(1)
    expect(which).to_have_value("2025-09")  # the chosen quarter's last month
    expect(which.locator("option[value='2003-04']")).to_have_count(0)
    page.get_by_role("button", name="表示").click()
    page.wait_for_url("**period=2025-09**")


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_manager_navigation_stays_on_one_line_at_1366_px(browser, live_server, language):
    _history()
    manager = make_staff_member(role=Role.MANAGER)
    context = browser.new_context(
        base_url=live_server.url,
        locale="ja-JP" if language == "ja" else "en-US",
        viewport={"width": 1366, "height": 900},
    )
    page = context.new_page()
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(manager.user.username)
    page.locator("#id_password").fill("secret-pass-123")
    page.locator("#id_password").press("Enter")
    page.wait_for_url("**/staff/**")
    page.goto("/dashboards/comparison/?kind=quarter&period=2025-Q2")

    links = page.locator("nav[aria-label] a.btn-sm")
    tops = {round(links.nth(i).bounding_box()["y"]) for i in range(links.count())}

    assert len(tops) == 1
    if SHOTS:
        page.screenshot(path="%s/comparison-desktop-%s.png" % (SHOTS, language), full_page=True)
        page.goto("/dashboards/review/2025-Q2/")
        page.screenshot(path="%s/review-desktop-%s.png" % (SHOTS, language), full_page=True)
    context.close()


def test_the_comparison_page_on_a_phone(page):
    _history()
    _login(page, make_staff_member(role=Role.MANAGER))

    page.goto("/dashboards/comparison/?kind=quarter&period=2025-Q2")

    expect(page.get_by_test_id("comparison-sentence")).to_contain_text("差があるとは言えません")
    expect(page.locator("svg.kpi-chart").first).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing wider than the phone
    # The charts keep a readable size and scroll in their own box (their labels were
    # 5 px when they shrank to the phone's width).
    chart = page.evaluate("document.querySelector('svg.kpi-chart').getBoundingClientRect().width")
    assert chart >= 450
    if SHOTS:
        page.screenshot(path="%s/comparison-phone-ja.png" % SHOTS, full_page=True)
        page.goto("/dashboards/letters/?kind=year&period=2025")
        page.screenshot(path="%s/letters-phone-ja.png" % SHOTS, full_page=True)
        page.goto("/dashboards/?kind=quarter&period=2025-Q2")
        page.screenshot(path="%s/overview-phone-ja.png" % SHOTS, full_page=True)
