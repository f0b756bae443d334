"""The staff header on a 1366×768 office screen: one line for a manager (the role with
the most links) in Japanese and in English; on a 390 px phone it still folds into the
menu without overflowing."""

import os

import pytest
from django.conf import settings as django_settings
from django.test import Client

from organization.models import Role
from tests.organization.factories import make_staff_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("MADOGUCHI_SCREENSHOTS")  # a folder: keep screenshots to look at

# Everything in the header bar that must sit on its one line, with its box.
HEADER_BOXES = """
() => [...document.querySelectorAll(
  "header .navbar-brand, header .lang-switch, header .navbar-nav > .nav-item,"
  + " header .navbar-toggler"
)].filter(el => el.offsetParent !== null).map(el => {
  const box = el.getBoundingClientRect();
  return {text: el.innerText.trim(), top: box.top, middle: (box.top + box.bottom) / 2};
})
"""


def _manager_context(browser, live_server, settings, *, language, width, height):
    settings.TWO_FACTOR_REQUIRED = False
    manager = make_staff_member(role=Role.MANAGER)
    client = Client()
    client.force_login(manager.user)
    context = browser.new_context(
        base_url=live_server.url, locale="ja-JP", viewport={"width": width, "height": height}
    )
    context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            },
            {
                "name": django_settings.LANGUAGE_COOKIE_NAME,
                "value": language,
                "url": live_server.url,
            },
        ]
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_managers_header_fits_one_line_at_1366_px(browser, live_server, settings, language):
    context, page = _manager_context(
        browser, live_server, settings, language=language, width=1366, height=768
    )
    page.goto("/staff/")
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "header-1366-%s.png" % language))

    boxes = page.evaluate(HEADER_BOXES)
    header_height = page.locator("header nav").evaluate("el => el.getBoundingClientRect().height")
    # The rarer pages are one click away in "More", inside the window.
    page.locator(".nav-more summary").click()
    more = page.locator(".nav-more .dropdown-menu")
    more_links = [link.inner_text() for link in more.locator("a").all() if link.is_visible()]
    more_right = more.evaluate("el => el.getBoundingClientRect().right")
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "header-1366-%s-more.png" % language))
    page.keyboard.press("Escape")
    closed = page.locator(".nav-more details[open]").count() == 0
    context.close()

    texts = [box["text"] for box in boxes]
    # Every staff destination is reachable from the header (directly or in its menu).
    assert len(boxes) >= 8, texts
    middles = [box["middle"] for box in boxes]
    assert max(middles) - min(middles) <= 4, boxes  # one line: all centred on one row
    assert header_height <= 72, header_height  # one row of 44 px targets plus padding
    assert len(more_links) == 3, more_links  # booking, finding a booking, administration
    assert more_right <= 1366
    assert closed


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_managers_header_folds_into_a_menu_on_a_phone(browser, live_server, settings, language):
    context, page = _manager_context(
        browser, live_server, settings, language=language, width=390, height=844
    )
    page.goto("/staff/")
    overflow = page.evaluate("document.documentElement.scrollWidth")
    page.locator("header .navbar-toggler").click()
    page.locator("#main-nav.show").wait_for()
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "header-390-%s.png" % language), full_page=True)
    visible = [
        link.inner_text().strip()
        for link in page.locator("#main-nav a.nav-link, #main-nav button.nav-link").all()
        if link.is_visible()
    ]
    context.close()

    assert overflow <= 390
    assert len(visible) >= 8, visible  # the menu lists every link, log-out included


# Each citizen language's labels, where they are longest (Português) and shortest.
CITIZEN_LABELS = """
() => [...document.querySelectorAll(
  "header .nav-link, header .site-name, header .site-service, header .lang-switch-button"
)].filter(el => el.offsetParent !== null).map(el => {
  // The lines its text takes: the distinct tops of the text's boxes.
  const range = document.createRange();
  range.selectNodeContents(el);
  const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top / 4)));
  return {text: el.innerText.trim(), lines: tops.size};
})
"""


@pytest.mark.parametrize("language", ["pt-br", "en", "vi", "ja"])
@pytest.mark.parametrize("width", [1024, 1366])
def test_the_citizens_header_breaks_no_label_in_any_language(browser, live_server, language, width):
    context = browser.new_context(
        base_url=live_server.url, locale="ja-JP", viewport={"width": width, "height": 800}
    )
    context.add_cookies(
        [{"name": django_settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    page = context.new_page()
    page.goto("/book/")
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "citizen-header-%s-%d.png" % (language, width)))
    labels = page.evaluate(CITIZEN_LABELS)
    overflow = page.evaluate("document.documentElement.scrollWidth")
    context.close()

    # The links are in the bar (not folded into the menu), each label on one line.
    assert any(label["text"] for label in labels), labels
    assert [label for label in labels if label["lines"] > 1] == []
    assert overflow <= width
