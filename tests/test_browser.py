import pytest
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_page_in_japanese_then_english(page):
    call_command("seed_demo")

    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "ja"
    assert page.get_by_role("heading", level=1).inner_text() == "市役所の窓口へようこそ"
    expect(page.get_by_role("heading", name="市民課")).to_be_visible()

    # The language switch is in the header of a phone-sized page, outside the menu.
    page.get_by_label("言語").select_option("en")
    page.get_by_role("button", name="切り替え").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome to the city hall counter")
    expect(page.get_by_role("heading", name="Citizens Division")).to_be_visible()


def test_skip_link_moves_focus_to_the_main_content(page):
    page.goto("/")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="メインコンテンツへスキップ")
    assert skip.evaluate("el => el === document.activeElement")
    page.keyboard.press("Enter")

    expect(page.locator("#content")).to_be_focused()


def test_staff_member_logs_in_from_the_browser(page):
    call_command("seed_demo")

    page.goto("/accounts/login/")
    page.get_by_label("ユーザー名").fill("clerk1")
    page.get_by_label("パスワード").fill("madoguchi-demo")
    page.get_by_role("button", name="ログイン").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("職員ホーム")
    expect(page.get_by_text("佐藤 花子").first).to_be_visible()
