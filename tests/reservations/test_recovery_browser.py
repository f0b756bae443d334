"""A citizen who lost the e-mail recovers, on a phone, in Japanese and in English: find
the booking → the link comes again → reschedule with a confirmation step → cancel. The
calendar file of each step parses (icalendar), keeps one UID, and has the right SEQUENCE
and METHOD. A phone-only booking is found by code, phone and date."""

import datetime as dt
import re
from urllib.parse import urlsplit

import icalendar
import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from playwright.sync_api import expect

from reservations import services
from reservations.models import Reservation, ReservationStatus
from tests.reservations.factories import ProcedureFactory, add_clerk, add_rule, open_day
from tests.reservations.test_views import book_via_service
from tests.test_keyboard import tab_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = {
    "ja": {
        "send": "リンクを再送する",
        "sent": "受け付けました。メールをご確認ください。",
        "change": "日時を変更する",
        "yes_change": "はい、この日時に変更します",
        "moved": "予約の日時を変更しました。",
        "cancel": "予約を取り消す",
        "yes_cancel": "はい、この予約を取り消します",
        "cancelled": "予約を取り消しました。",
        "book_again": "もう一度予約する",
        "contact": "予約のときに入力したメールアドレスまたは電話番号",
        "code": "予約番号",
        "day": "予約の日付（電話番号で探す場合のみ）",
    },
    "en": {
        "send": "Send my link again",
        "sent": "Thank you. Please check your e-mail.",
        "change": "Change the time",
        "yes_change": "Yes, change to this time",
        "moved": "Your booking has been moved.",
        "cancel": "Cancel this booking",
        "yes_cancel": "Yes, cancel this booking",
        "cancelled": "Your booking has been cancelled.",
        "book_again": "Book again",
        "contact": "E-mail address or phone number used for the booking",
        "code": "Booking code",
        "day": "Date of the booking (only with a phone number)",
    },
}


@pytest.fixture
def procedure():
    cache.clear()
    procedure = ProcedureFactory(
        code="juminhyo-copy", name="住民票の写し", name_en="Copy of the residence record"
    )
    add_rule(procedure, "本人確認書類", text_en="Proof of identity")
    procedure.first_day = open_day(5)
    procedure.second_day = open_day((procedure.first_day - dt.date.today()).days + 1)
    add_clerk(procedure, day=procedure.first_day)
    add_clerk(procedure, day=procedure.second_day)
    return procedure


def phone_page(browser, live_server, language):
    context = browser.new_context(
        base_url=live_server.url,
        locale="ja-JP" if language == "ja" else "en-US",
        viewport={"width": 390, "height": 844},
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


def shoot(page, name):
    shots = settings.VAR_DIR / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / ("%s.png" % name)), full_page=True)


def calendar_of(page, path):
    response = page.request.get(path)
    assert response.status == 200
    calendar = icalendar.Calendar.from_ical(response.body())
    (event,) = calendar.walk("VEVENT")
    return str(calendar["METHOD"]), str(event["UID"]), int(event["SEQUENCE"])


def ics_path(page):
    return re.sub(r"(/booking/[^/]+/).*", r"\1calendar.ics", page.url.split("?")[0])


@pytest.mark.parametrize("language", ["ja", "en"])
def test_lose_the_email_find_reschedule_with_confirmation_then_cancel(
    browser, live_server, procedure, language
):
    text = TEXT[language]
    booked = book_via_service(procedure, procedure.first_day)
    mail.outbox.clear()
    context, page = phone_page(browser, live_server, language)

    # Lost the e-mail: find the booking with the e-mail address alone.
    page.goto("/booking/find/")
    shoot(page, "find-%s" % language)
    page.get_by_label(text["contact"]).fill("Taro@Example.jp")
    page.get_by_role("button", name=text["send"]).click()
    expect(page.get_by_text(text["sent"])).to_be_visible()
    shoot(page, "find-sent-%s" % language)
    (message,) = mail.outbox
    link = re.search(r"https?://\S+/booking/\S+/", message.body).group(0)

    # The link again: the booking's page.
    page.goto(urlsplit(link).path)
    expect(page.get_by_text(booked.reservation.code).first).to_be_visible()
    first = calendar_of(page, ics_path(page))
    assert first[0] == "REQUEST" and first[2] == 0

    # Reschedule: the calendar opens at the booking's month; choosing a time only asks.
    page.get_by_role("link", name=text["change"]).click()
    month = procedure.first_day.strftime("%Y-%m")
    expect(page.locator("a.day-link[href*='month=%s']" % month).first).to_be_visible()
    page.locator("a.day-link[href*='date=%s']" % procedure.second_day.isoformat()).click()
    page.locator("#times a").nth(2).click()  # 10:00
    expect(page.get_by_text("9:00–9:30")).to_be_visible()
    expect(page.get_by_text("10:00–10:30")).to_be_visible()
    assert Reservation.objects.get(pk=booked.reservation.pk).status == "confirmed"
    shoot(page, "reschedule-confirm-%s" % language)
    page.get_by_role("button", name=text["yes_change"]).click()
    expect(page.get_by_text(text["moved"])).to_be_visible()
    shoot(page, "rescheduled-%s" % language)
    moved = calendar_of(page, ics_path(page))
    assert moved == ("REQUEST", first[1], 1)

    # Cancel: the calendar file now removes the one event.
    page.get_by_role("link", name=text["cancel"]).click()
    page.get_by_role("button", name=text["yes_cancel"]).click()
    expect(page.get_by_text(text["cancelled"]).first).to_be_visible()
    expect(page.get_by_role("link", name=text["book_again"])).to_be_visible()
    shoot(page, "cancelled-%s" % language)
    cancelled = calendar_of(page, ics_path(page))
    assert cancelled == ("CANCEL", first[1], 2)
    assert not Reservation.objects.filter(status=ReservationStatus.CONFIRMED).exists()
    context.close()


@pytest.mark.parametrize("language", ["ja", "en"])
def test_a_phone_only_booking_is_found_by_code_phone_and_date(
    browser, live_server, procedure, language
):
    text = TEXT[language]
    phone_only = services.CitizenDetails("山田 花子", "ヤマダ", "", "090-1234-5678")
    booked = book_via_service(procedure, procedure.first_day, phone_only)
    context, page = phone_page(browser, live_server, language)

    page.goto("/booking/find/")
    page.get_by_label(text["contact"]).fill("09012345678")
    page.get_by_role("button", name=text["send"]).click()
    # The phone number needs the code and the date: the summary lists and links both.
    summary = page.locator("#form-errors")
    expect(page.locator("#form-errors")).to_be_focused()
    assert summary.get_by_role("link").count() == 2
    shoot(page, "find-errors-%s" % language)
    page.get_by_label(text["code"], exact=True).fill(booked.reservation.code.lower())
    page.get_by_label(text["day"]).fill(procedure.first_day.isoformat())
    page.get_by_role("button", name=text["send"]).click()

    expect(page.get_by_text(booked.reservation.code).first).to_be_visible()
    expect(page.get_by_text("***-****-5678")).to_be_visible()
    shoot(page, "phone-only-booking-%s" % language)
    context.close()


def test_find_and_reschedule_with_the_keyboard_alone(browser, live_server, procedure):
    booked = book_via_service(procedure, procedure.first_day)
    context, page = phone_page(browser, live_server, "ja")

    page.goto("/booking/find/")
    tab_to(page, "#id_contact")
    page.keyboard.type("taro@example.jp")
    page.keyboard.press("Enter")
    page.locator("#find-sent").wait_for()

    page.goto("/booking/%s/reschedule/" % booked.token)
    tab_to(page, "a.day-link[href*='date=%s']" % procedure.second_day.isoformat())
    page.keyboard.press("Enter")
    page.locator("#times-heading").wait_for()
    tab_to(page, "#times a")
    page.keyboard.press("Enter")
    page.locator("main button[type=submit]").wait_for()
    tab_to(page, "main button[type=submit]")
    page.keyboard.press("Enter")
    page.get_by_text(TEXT["ja"]["moved"]).wait_for()

    assert Reservation.objects.get(pk=booked.reservation.pk).rescheduled_to is not None
    context.close()


@pytest.mark.parametrize("locale", ["ja-JP", "en-US"])
def test_the_new_pages_have_no_serious_accessibility_violation(
    browser, live_server, procedure, settings, locale
):
    from axe_playwright_python.sync_playwright import Axe

    booked = book_via_service(procedure, procedure.first_day)
    rule = procedure.document_rules.get()
    rule.text = "本人確認書類（顔写真付き）"
    services.document_rule_save(rule=rule, wording_changed=True)
    context = browser.new_context(
        base_url=live_server.url, locale=locale, viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    axe = Axe()
    found = []

    def check(label):
        page.wait_for_load_state("networkidle")
        result = axe.run(page)
        found.extend(
            "%s %s %s" % (label, violation["id"], node["target"])
            for violation in result.response["violations"]
            if violation["impact"] in ("serious", "critical")
            for node in violation["nodes"]
        )

    page.goto("/booking/find/")
    page.locator("#id_contact").fill("090-1234-5678")
    page.locator("main form button[type=submit]").click()
    check("find with errors")
    page.goto("/booking/%s/reschedule/?date=%s" % (booked.token, procedure.second_day.isoformat()))
    check("reschedule with changed rules")
    page.goto("/booking/%s/reschedule/%s/1000/" % (booked.token, procedure.second_day))
    page.locator("main form button[type=submit]").click()
    check("reschedule confirmation with errors")
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "find": (0, 600)}
    page.goto("/booking/find/")
    page.locator("#id_contact").fill("taro@example.jp")
    page.locator("main form button[type=submit]").click()
    too_many = re.compile("^(Too many requests|アクセスが集中しています)$")
    expect(page.locator("h1")).to_have_text(too_many)
    check("429")
    context.close()

    assert found == []
