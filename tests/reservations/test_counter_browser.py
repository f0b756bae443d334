"""At the counter in Chromium: a booked citizen checks in at the kiosk, the clerk calls
and serves them, the display board shows the number; a walk-in takes a ticket."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from organization.models import Role
from reservations.models import ConsentRecord, Visit, VisitStatus
from tests.organization.factories import make_staff_member
from tests.reservations.factories import ProcedureFactory, add_clerk, add_rule, booked_now

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, user):
    page.goto("/accounts/login/")
    page.get_by_label("ユーザー名").fill(user.username)
    page.get_by_label("パスワード").fill("secret-pass-123")
    page.get_by_role("button", name="ログイン").click()


def test_kiosk_check_in_call_serve_and_the_display_board(page, browser, live_server):
    now = timezone.now()
    today = timezone.localdate(now)
    procedure = ProcedureFactory(name="住民票の写し", lead_time_minutes=0)
    add_rule(procedure, "本人確認書類")
    clerk = add_clerk(procedure, day=today, start=dt.time(0, 0), end=dt.time(23, 59))
    reservation = booked_now(procedure, clerk)

    # The kiosk tablet, enrolled by staff once: from then on it holds no staff session.
    kiosk_staff = make_staff_member(role=Role.COUNTER_STAFF)
    log_in(page, kiosk_staff.user)
    page.goto("/counter/kiosk/")
    page.get_by_label("この受付機の名前").fill("1階待合")
    page.get_by_role("button", name="このブラウザを受付機として登録し、ログアウトする").click()
    page.wait_for_url("**/counter/kiosk/")
    page.get_by_label("予約番号を入力するか、QRコードをスキャナーにかざしてください").fill(
        reservation.code.lower()
    )
    page.get_by_role("button", name="受付する").click()
    expect(page.get_by_role("status")).to_have_text("A001")

    # A walk-in takes a number at the same kiosk.
    page.goto("/counter/kiosk/")
    page.get_by_role("button", name="住民票の写し").click()
    expect(page.get_by_role("status")).to_have_text("B001")

    # The clerk calls the next citizen and serves them.
    clerk_context = browser.new_context(base_url=live_server.url, locale="ja-JP")
    clerk_page = clerk_context.new_page()
    log_in(clerk_page, clerk.user)
    clerk_page.goto("/counter/")
    clerk_page.get_by_role("button", name="次の方を呼ぶ").click()
    expect(clerk_page.get_by_text("A001").first).to_be_visible()

    # The display board (no login) shows the number being called.
    # Closed at once: an open board keeps polling the live server after this test ends.
    board_context = browser.new_context(base_url=live_server.url)
    board = board_context.new_page()
    board.goto("/display/")
    board_ticket = board.locator(".display-ticket").first.inner_text()
    board_context.close()
    assert board_ticket == "A001"

    called = Visit.objects.get(ticket="A001")
    assert called.status == VisitStatus.CALLED
    clerk_page.get_by_role("button", name="開始").first.click()
    # 完了 cannot be undone: the browser asks first.
    questions = []
    clerk_page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    clerk_page.get_by_role("button", name="完了").first.click()
    expect(clerk_page.get_by_role("heading", name="ご来庁ありがとうございました")).to_be_visible()
    assert "A001" in questions[0]
    called.refresh_from_db()
    assert called.status == VisitStatus.DONE
    clerk_context.close()


def _everyones_queue(browser, live_server, clerk, language, size):
    """A browser of ``size`` (width, height) in ``language``, ``clerk`` logged in on the
    queue of every clerk: (its context, the page)."""
    width, height = size
    context = browser.new_context(
        base_url=live_server.url, locale="ja-JP", viewport={"width": width, "height": height}
    )
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill(clerk.user.username)
    page.locator("input[name=password]").fill("secret-pass-123")
    page.locator("form button[type=submit]").last.click()
    page.goto("/counter/?staff=all")
    page.locator(".queue-table").wait_for()
    return context, page


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_queue_fits_a_phone_and_names_stay_whole(browser, live_server, language):
    """Its table scrolls inside its box (the visually hidden labels of the transfer
    forms used to widen the page), and a citizen's name is not one character a line."""
    today = timezone.localdate()
    procedure = ProcedureFactory(name="住民票の写し", lead_time_minutes=0)
    clerk = add_clerk(procedure, day=today, start=dt.time(0, 0), end=dt.time(23, 59))
    booked_now(procedure, clerk, citizen_name="長谷川 美智子")
    from reservations import services

    services.visit_issue_walk_in(procedure=procedure)
    context, page = _everyones_queue(browser, live_server, clerk, language, (390, 844))
    width = page.evaluate("document.documentElement.scrollWidth")
    name_lines = page.evaluate(
        """() => { const cell = [...document.querySelectorAll('.queue-citizen')]
             .find(c => c.textContent.includes('長谷川'));
           const range = document.createRange(); range.selectNodeContents(cell.firstChild);
           return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size; }"""
    )
    context.close()

    assert width <= 390
    assert name_lines == 1


@pytest.mark.parametrize("language", ["ja", "en"])
def test_every_action_is_in_view_on_a_counter_tablet(browser, live_server, language):
    """Helper 42: at 1024 px in English the actions column was cut ("Done, must come b…",
    half a Transfer button): clerks had to scroll the table sideways for every citizen."""
    today = timezone.localdate()
    procedure = ProcedureFactory(
        name="住民票の写し",
        name_en="Copy of the certificate of residence (juminhyo)",
        lead_time_minutes=0,
    )
    clerk = add_clerk(procedure, day=today, start=dt.time(0, 0), end=dt.time(23, 59))
    add_clerk(procedure, day=today, start=dt.time(0, 0), end=dt.time(23, 59))
    reservation = booked_now(procedure, clerk, citizen_name="長谷川 美智子")
    from reservations import services

    services.visit_check_in(reservation=reservation, by_staff=clerk)
    called = services.visit_call_next(staff=clerk)
    services.visit_act(visit=called, action="serve", actor=clerk)
    services.visit_issue_walk_in(procedure=procedure)
    context, page = _everyones_queue(browser, live_server, clerk, language, (1024, 768))
    box = page.evaluate(
        """() => { const box = document.querySelector('.table-responsive');
           return [box.scrollWidth, box.clientWidth]; }"""
    )
    actions = page.locator(".queue-actions .btn, .queue-actions select").count()
    context.close()

    assert actions >= 4  # done, done and come back, transfer choice and button
    assert box[0] <= box[1], "the queue table scrolls sideways at 1024 px"


def test_the_queue_refreshes_after_a_list_is_closed_and_says_when_it_does_not(browser, live_server):
    """Helper 45: opening and closing a citizen's documents with the mouse left the
    focus in the table and stopped the refresh for good, with no notice."""
    today = timezone.localdate()
    procedure = ProcedureFactory(name="住民票の写し", lead_time_minutes=0)
    add_rule(procedure, "本人確認書類")
    clerk = add_clerk(procedure, day=today, start=dt.time(0, 0), end=dt.time(23, 59))
    reservation = booked_now(procedure, clerk, citizen_name="長谷川 美智子")
    ConsentRecord.objects.create(
        reservation=reservation, rule_text="本人確認書類", rule_version=1, agreed_at=timezone.now()
    )
    context, page = _everyones_queue(browser, live_server, clerk, "ja", (1366, 900))
    polls = []
    page.on("request", lambda request: "/counter/" in request.url and polls.append(request))
    summary = page.locator(".queue-documents summary").first

    summary.click()
    expect(page.locator("#queue-paused")).to_be_visible(timeout=3000)
    summary.click()
    page.wait_for_timeout(6000)
    refreshed = len(polls)
    page.locator(".queue-actions button").first.focus()  # a keyboard user in the table
    expect(page.locator("#queue-paused-focus")).to_be_visible(timeout=7000)
    context.close()

    assert refreshed >= 1


def test_a_refused_action_is_said_in_view_of_the_row(browser, live_server):
    """The page opens at the citizen's row; the refusal, at the top, was off the screen."""
    today = timezone.localdate()
    procedure = ProcedureFactory(name="住民票の写し", lead_time_minutes=0)
    clerk = add_clerk(procedure, day=today, start=dt.time(0, 0), end=dt.time(23, 59))
    colleague = add_clerk(procedure, day=today, start=dt.time(0, 0), end=dt.time(23, 59))
    from reservations import services

    for _n in range(30):  # enough rows that the last one is far down the page
        services.visit_issue_walk_in(procedure=procedure)
    last = Visit.objects.order_by("-pk").first()
    context, page = _everyones_queue(browser, live_server, clerk, "ja", (1024, 768))
    page.locator("#to-%d" % last.pk).select_option(str(colleague.pk))
    # Meanwhile a manager marks that citizen a no-show: the transfer is refused.
    Visit.objects.filter(pk=last.pk).update(status=VisitStatus.NO_SHOW)
    page.locator("#visit-%d form[action$='transfer/'] button" % last.pk).click()
    page.wait_for_load_state()
    page.wait_for_timeout(1500)  # Bootstrap scrolls smoothly to the row
    row = page.locator("#visit-%d" % last.pk).bounding_box()
    box = page.locator(".messages .alert").first.bounding_box()
    context.close()

    assert 0 <= row["y"] < 768, "the page opens at the citizen's row"
    assert 0 <= box["y"] < row["y"], "the refusal is in view, above the row"
