"""A resident books on a phone in each citizen language, choosing it with the switch:
every page of the journey, the e-mail and the calendar file are in that language, and
axe-core finds no serious or critical violation on any page."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from config.languages import html_lang
from reservations.models import Reservation
from tests.reservations.factories import bookable_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = ["ja", "ja-easy", "en", "zh-hans", "ko", "vi", "pt-br"]
READING = re.compile(r"（[\u3041-\u309fー]+）")


@pytest.fixture
def procedure():
    names = {"name": "住民票の写しの交付", "name_en": "Copy of the certificate of residence"}
    return bookable_in(3, "本人確認書類（マイナンバーカードなど）", code="juminhyo", **names)


def _in(language: str, msgid: str) -> str:
    with translation.override(language):
        return gettext(msgid)


def _findings(axe, page) -> list[str]:
    result = axe.run(page)
    return [
        "%s %s %s" % (page.url, violation["id"], node["target"])
        for violation in result.response["violations"]
        if violation["impact"] in ("serious", "critical")
        for node in violation["nodes"]
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_resident_books_end_to_end_in_their_language(browser, live_server, procedure, language):
    context = browser.new_context(
        base_url=live_server.url, locale="ja-JP", viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    axe = Axe()
    found = []

    # The switch is in the header of a phone-sized page, without opening the menu.
    page.goto("/")
    switch = page.locator("#language-select")
    expect(switch).to_be_visible()
    switch.select_option(language)
    page.locator(".lang-switch-button").click()
    expect(page.locator("html")).to_have_attribute("lang", html_lang(language))
    found += _findings(axe, page)

    page.goto("/book/%s/?month=%s" % (procedure.code, procedure.test_day.strftime("%Y-%m")))
    assert page.locator("html").get_attribute("lang") == html_lang(language)
    found += _findings(axe, page)
    page.locator("td.day-open a").first.click()
    page.locator("#times-heading").wait_for()
    found += _findings(axe, page)
    page.locator("#times a").first.click()
    page.locator("form.booking-form").wait_for()
    found += _findings(axe, page)

    page.locator("#id_name").fill("Nguyen Van An")
    page.locator("#id_kana").fill("グエン バン アン")
    page.locator("#id_email").fill("an@example.jp")
    for box in page.locator("form.booking-form input[type=checkbox]").all():
        box.check()
    page.locator("form.booking-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/booking/[^/]+/$"))  # the booking's own page

    reservation = Reservation.objects.get()
    assert reservation.language == language
    expect(page.get_by_text(reservation.code).first).to_be_visible()
    assert page.locator("html").get_attribute("lang") == html_lang(language)
    if language == "ja-easy":
        assert page.locator("ruby rt").count() > 0  # furigana on the page
    found += _findings(axe, page)
    context.close()

    # The e-mail and its calendar file, in the language of the booking.
    message = mail.outbox[-1]
    confirmed = _in(language, "Your booking at the city hall is confirmed.")
    if language != "en":
        assert confirmed != "Your booking at the city hall is confirmed."  # translated
    assert confirmed in READING.sub("", message.body)
    html = message.alternatives[0].content
    assert '<html lang="%s">' % html_lang(language) in html
    ics = next(a[1] for a in message.attachments if isinstance(a, tuple) and a[0].endswith(".ics"))
    assert _in(language, "Please bring:") in ics

    assert found == []


def _fonts_drawing(context, page, selector: str) -> set[str]:
    """The installed fonts Chromium drew the element's text with, Latin fonts left out."""
    cdp = context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    return {font["familyName"] for font in fonts if not font["familyName"].startswith("DejaVu")}


@pytest.mark.parametrize("language", ["zh-hans", "ja"])
def test_chinese_and_japanese_text_is_drawn_in_one_font(browser, live_server, procedure, language):
    """A Japanese font has no 预 or 约: Chinese text asks for a Chinese font first, so a
    heading is not drawn in two fonts, one character in each."""
    context = browser.new_context(
        base_url=live_server.url, locale="ja-JP", viewport={"width": 390, "height": 844}
    )
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    page.goto("/book/")
    heading = _fonts_drawing(context, page, "h1")
    paragraph = _fonts_drawing(context, page, "main p")
    context.close()

    assert len(heading) == 1, heading
    assert paragraph == heading


@pytest.mark.parametrize(("language", "width"), [("pt-br", 360), ("en", 320), ("vi", 320)])
def test_the_month_calendar_fits_a_small_phone(browser, live_server, procedure, language, width):
    """Seven equal columns: 「Fechado」 under each weekend day made the Portuguese page
    378 px wide on a 360 px phone, its Sunday cut off (helper 43)."""
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": width, "height": 800},
        extra_http_headers={"Accept-Language": language},
    )
    page = context.new_page()

    page.goto("/book/%s/" % procedure.code)

    assert page.evaluate("document.documentElement.scrollWidth") <= width
    context.close()
