"""A citizen books on a phone in Japanese, sees the confirmation, then cancels from the
link; and the same page refuses to book without every consent."""

import pytest
from django.conf import settings
from playwright.sync_api import expect

from reservations.models import Reservation, ReservationStatus
from tests.reservations.factories import bookable_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def procedure():
    rules = ["顔写真（6か月以内に撮影、縦4cm×横3cm）", "本人確認書類（マイナンバーカードなど）"]
    names = {"name": "JR定期券割引の証明書", "name_en": "JR pass certificate"}
    return bookable_in(3, *rules, code="jr-commuter-pass", **names)


def choose_first_time(page, procedure):
    page.goto("/book/%s/?month=%s" % (procedure.code, procedure.test_day.strftime("%Y-%m")))
    expect(page.get_by_text("顔写真（6か月以内に撮影、縦4cm×横3cm）")).to_be_visible()
    page.locator("td.day-open a").first.click()
    heading = page.locator("#times-heading")
    heading.wait_for()
    # Focus moves to the list of times, whose count is announced.
    expect(page.locator("#times-heading")).to_be_focused()
    assert "件の空き時間" in page.locator("#times").inner_text()
    page.locator("#times a").first.click()


def fill_details(page):
    page.get_by_label("お名前").fill("山田 太郎")
    page.get_by_label("ふりがな").fill("ヤマダ タロウ")
    page.get_by_label("メールアドレス").fill("taro@example.jp")


def test_book_with_consent_see_confirmation_then_cancel(page, procedure):
    choose_first_time(page, procedure)
    fill_details(page)
    page.get_by_label("顔写真（6か月以内に撮影、縦4cm×横3cm）").check()
    page.get_by_label("本人確認書類（マイナンバーカードなど）").check()
    page.get_by_role("button", name="この日時で予約する").click()

    expect(page.get_by_text("予約が確定しました。")).to_be_visible()
    reservation = Reservation.objects.get()
    expect(page.get_by_text(reservation.code)).to_be_visible()
    expect(
        page.get_by_role("img", name="予約番号 %s のQRコード" % reservation.code)
    ).to_be_visible()
    shots = settings.VAR_DIR / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "booking-confirmation.png"), full_page=True)

    page.get_by_role("link", name="予約を取り消す").click()
    page.get_by_role("button", name="はい、この予約を取り消します").click()

    expect(page.get_by_text("予約を取り消しました。").first).to_be_visible()
    reservation.refresh_from_db()
    assert reservation.status == ReservationStatus.CANCELLED


def test_booking_is_refused_without_every_consent(page, procedure):
    choose_first_time(page, procedure)
    fill_details(page)
    page.get_by_label("顔写真（6か月以内に撮影、縦4cm×横3cm）").check()
    page.get_by_role("button", name="この日時で予約する").click()

    summary = page.locator("#form-errors")
    expect(summary.get_by_text("問題があります")).to_be_visible()
    expect(page.locator("#form-errors")).to_be_focused()
    assert Reservation.objects.count() == 0
    # Each problem is listed and links to its field: following it moves focus there.
    link = summary.get_by_role(
        "link", name="本人確認書類（マイナンバーカードなど）: 持参することを確認してください。"
    )
    link.click()
    rule_id = page.evaluate("document.activeElement.id")
    assert rule_id.startswith("id_rule_")
    assert page.evaluate("document.activeElement.type") == "checkbox"


def test_a_long_name_wraps_on_a_phone_and_focus_is_plain_to_see(page, procedure):
    choose_first_time(page, procedure)
    name = page.get_by_label("お名前")
    name.focus()
    ring = page.evaluate("getComputedStyle(document.activeElement).outlineColor")
    assert ring == "rgb(255, 191, 71)"  # the site's yellow ring, not Bootstrap's faint glow
    name.fill("Wolfeschlegelsteinhausenbergerdorffwelchevoralternwarengewissenhaftschaferswessen")
    page.get_by_label("メールアドレス").fill("w@example.jp")
    page.get_by_label("顔写真（6か月以内に撮影、縦4cm×横3cm）").check()
    page.get_by_label("本人確認書類（マイナンバーカードなど）").check()
    page.get_by_role("button", name="この日時で予約する").click()

    expect(page.get_by_text("予約が確定しました。")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
