"""The display board on a 390 px phone (a citizen looking at the called numbers from the
waiting area's link): no horizontal scrolling, in Japanese and in a long language."""

import datetime as dt
import os

import pytest
from django.utils import timezone

from reservations import services
from reservations.models import Counter
from tests.reservations.factories import ProcedureFactory, add_clerk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("MADOGUCHI_SCREENSHOTS")  # a folder: keep screenshots to look at


def _called_numbers():
    """Two clerks at counters with long English names, each calling a walk-in."""
    today = timezone.localdate()
    procedure = ProcedureFactory(name="住民票の写し", lead_time_minutes=0)
    for _ in range(2):
        clerk = add_clerk(procedure, day=today, start=dt.time(0, 0), end=dt.time(23, 59))
        Counter.objects.filter(shifts__staff=clerk).update(name_en="Resident Registration Counter")
        services.visit_issue_walk_in(procedure=procedure)
        services.visit_call_next(staff=clerk)


@pytest.mark.parametrize("called", [False, True], ids=["waiting", "called"])
@pytest.mark.parametrize("address", ["/display/", "/display/?language=vi"])
def test_the_display_board_fits_a_390_px_phone(browser, live_server, address, called):
    if called:
        _called_numbers()
    context = browser.new_context(
        base_url=live_server.url, locale="ja-JP", viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    page.goto(address)
    page.locator(".display-table").wait_for()
    if SHOTS:
        name = "display-390-%s-%s.png" % ("vi" if "vi" in address else "ja", called)
        page.screenshot(path=os.path.join(SHOTS, name), full_page=True)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    tickets = page.locator(".display-ticket").count()
    context.close()

    assert scroll_width <= 390
    assert tickets == (2 if called else 0)


def _a_busy_moment(called: int, serving: int) -> None:
    """``called`` numbers called and ``serving`` being served, at once, today."""
    import secrets

    from reservations.models import Visit

    procedure = ProcedureFactory(name="住民票の写し")
    clerk = add_clerk(procedure, day=timezone.localdate(), start=dt.time(0), end=dt.time(23, 59))
    counter = Counter.objects.get(shifts__staff=clerk)
    now = timezone.now()
    for n in range(called + serving):
        Visit.objects.create(
            day=timezone.localdate(),
            kind="walk_in",
            procedure=procedure,
            counter=counter,
            ticket="B%03d" % n,
            status="called" if n < called else "serving",
            checked_in_at=now,
            called_at=now - dt.timedelta(minutes=n),
            survey_token=secrets.token_urlsafe(16),
        )


@pytest.mark.parametrize("called", [6, 12])
@pytest.mark.parametrize("size", [(1920, 1080), (1366, 768), (1080, 1920)], ids=str)
def test_every_called_number_fits_the_wall_monitor(browser, live_server, called, size):
    """Nobody scrolls a wall monitor: six calls at once ran 1,371 px down a 1,080 px
    screen (helper 45), and the numbers below the edge became no-shows."""
    _a_busy_moment(called, serving=12)
    width, height = size
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": height}
    )
    page = context.new_page()
    page.goto("/display/?language=en")
    tickets = page.locator(".display-table-called .display-ticket")
    bottoms = [tickets.nth(n).bounding_box() for n in range(tickets.count())]
    scroll_height = page.evaluate("document.documentElement.scrollHeight")
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "display-%dx%d-%d.png" % (width, height, called)))
    context.close()

    assert len(bottoms) == called
    assert all(box["y"] + box["height"] <= height for box in bottoms)
    assert scroll_height <= height
