"""The kiosk in Chromium: enrolment ends the staff session, the result screens return
to the start by themselves, and the kiosk page alone may use the camera — with a fake
camera that shows a booking's QR code, the kiosk reads it and checks the citizen in."""

import datetime as dt
import io
import os

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from config.documents import qr_png
from organization.models import Role
from reservations.models import Visit
from reservations.views.counter import KIOSK_COOKIE
from tests.conftest import CHROMIUM_ARGS, chromium_path
from tests.organization.factories import make_staff_member
from tests.reservations.factories import (
    ProcedureFactory,
    add_clerk,
    add_rule,
    booked_now,
    enrolled_kiosk,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FAKE_CAMERA = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


@pytest.fixture
def procedure():
    procedure = ProcedureFactory(name="住民票の写し", code="juminhyo", lead_time_minutes=0)
    add_rule(procedure, "本人確認書類")
    return procedure


def kiosk_context(browser, live_server, **options):
    _device, token = enrolled_kiosk()
    context = browser.new_context(base_url=live_server.url, locale="ja-JP", **options)
    context.add_cookies([{"name": KIOSK_COOKIE, "value": token, "url": live_server.url}])
    return context


@pytest.fixture
def kiosk_page(browser, live_server, procedure):
    """The start screen of an enrolled kiosk, the procedure served all day today."""
    add_clerk(procedure, day=timezone.localdate(), start=dt.time(0, 0), end=dt.time(23, 59))
    context = kiosk_context(browser, live_server)
    page = context.new_page()
    page.goto("/counter/kiosk/")
    yield page
    context.close()


def test_enrolment_ends_the_staff_session_and_leaves_only_the_kiosk(page):
    clerk = make_staff_member(role=Role.COUNTER_STAFF)
    page.goto("/accounts/login/")
    page.get_by_label("ユーザー名").fill(clerk.user.username)
    page.get_by_label("パスワード").fill("secret-pass-123")
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url("**/staff/**")

    page.goto("/counter/kiosk/")
    page.get_by_label("この受付機の名前").fill("1階待合 左")
    page.get_by_role("button", name="このブラウザを受付機として登録し、ログアウトする").click()

    page.wait_for_url("**/counter/kiosk/")
    expect(
        page.get_by_role("heading", name="いらっしゃいませ。受付をしてください。")
    ).to_be_visible()
    assert page.locator(".staff-nav").count() == 0
    cookie = next(c for c in page.context.cookies() if c["name"] == KIOSK_COOKIE)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert "sessionid" not in {c["name"] for c in page.context.cookies()}
    assert page.evaluate("document.cookie").find(KIOSK_COOKIE) == -1  # not readable by script
    for path in ("/counter/", "/complaints/", "/staff/", "/notices/"):
        page.goto(path)
        assert "/accounts/login/" in page.url, path


def test_the_ticket_counts_down_and_returns_to_the_start(kiosk_page, settings):
    page = kiosk_page
    settings.KIOSK_RETURN_SECONDS = 4  # read when the ticket is shown

    page.get_by_role("button", name="住民票の写し").click()

    expect(page.get_by_role("status")).to_have_text("B001")
    timer = page.get_by_role("timer")
    assert "秒で最初の画面に戻ります" in timer.inner_text()
    page.wait_for_function(
        "() => parseInt(document.querySelector('[data-kiosk-countdown]').textContent, 10) < 4"
    )
    page.wait_for_url("**/counter/kiosk/", timeout=8_000)
    expect(
        page.get_by_role("heading", name="いらっしゃいませ。受付をしてください。")
    ).to_be_visible()


def test_the_done_button_returns_at_once(kiosk_page):
    page = kiosk_page
    page.get_by_role("button", name="住民票の写し").click()

    page.get_by_role("link", name="完了").click()

    page.wait_for_url("**/counter/kiosk/")


def _qr_video(path, text: str) -> None:
    """A Y4M clip (what Chromium's fake camera plays) showing the QR code of ``text``."""
    width, height = 640, 480
    code = Image.open(io.BytesIO(qr_png(text, border=4))).convert("L")
    frame = Image.new("L", (width, height), 255)
    frame.paste(code, ((width - code.width) // 2, (height - code.height) // 2))
    # Limited-range luma, neutral chroma: a grey-scale picture in 4:2:0.
    luma = bytes(16 + (value * 219) // 255 for value in frame.tobytes())
    chroma = bytes([128]) * (width // 2 * height // 2)
    with open(path, "wb") as video:
        video.write(b"YUV4MPEG2 W%d H%d F10:1 Ip A1:1 C420jpeg\n" % (width, height))
        for _ in range(10):
            video.write(b"FRAME\n" + luma + chroma + chroma)


def test_the_camera_is_allowed_on_the_kiosk_only_and_reads_the_booking_qr_code(
    browser, live_server, procedure, tmp_path
):
    today = timezone.localdate()
    clerk = add_clerk(procedure, day=today, start=dt.time(0, 0), end=dt.time(23, 59))
    reservation = booked_now(procedure, clerk)
    video = tmp_path / "qr.y4m"
    _qr_video(video, reservation.code)
    get_user_media = """() => navigator.mediaDevices.getUserMedia({video: true})
        .then(stream => { stream.getTracks().forEach(t => t.stop()); return "allowed"; })
        .catch(error => error.name)"""

    # A browser of its own: the fake camera is a launch option.
    camera_browser = browser.browser_type.launch(
        executable_path=chromium_path(),
        args=[*CHROMIUM_ARGS, *FAKE_CAMERA, "--use-file-for-fake-video-capture=%s" % video],
    )
    try:
        context = kiosk_context(camera_browser, live_server)
        page = context.new_page()
        page.set_default_timeout(15_000)

        page.goto("/book/")
        refused_on_booking = page.evaluate(get_user_media)
        page.goto("/display/")
        refused_on_display = page.evaluate(get_user_media)
        page.goto("/counter/kiosk/")
        allowed_on_kiosk = page.evaluate(get_user_media)

        # The citizen presses the camera button and holds up the booking's QR code.
        page.get_by_role("button", name="カメラで読み取る").click()
        page.locator(".kiosk-ticket").filter(has_text="A001").wait_for()
    finally:
        camera_browser.close()

    assert refused_on_booking == "NotAllowedError"
    assert refused_on_display == "NotAllowedError"
    assert allowed_on_kiosk == "allowed"
    assert Visit.objects.get(reservation=reservation).ticket == "A001"


def test_a_refusal_offers_codes_for_phones_and_the_booking_pages_stay_closed(
    browser, live_server, procedure, settings
):
    settings.KIOSK_RETURN_SECONDS = 5
    shots = os.environ.get("MADOGUCHI_SCREENSHOTS")
    today = timezone.localdate()
    add_clerk(procedure, day=today + dt.timedelta(days=1), start=dt.time(9), end=dt.time(17))
    context = kiosk_context(browser, live_server, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto("/counter/kiosk/")

    page.get_by_role("button", name="住民票の写し").click()

    page.locator(".kiosk-slot").first.wait_for()
    if shots:
        page.screenshot(path=os.path.join(shots, "kiosk-refused.png"), full_page=True)
    codes = page.locator(".kiosk-slot .kiosk-qr svg")
    assert codes.count() == 3
    assert all(code.bounding_box()["width"] >= 150 for code in codes.all())  # scannable
    expect(page.get_by_text("お手持ちのスマートフォンで読み取って予約してください")).to_be_visible()
    assert page.locator("a[href*='/book/']").count() == 0

    # Typed into the address bar anyway: the page's code, no form, and back to the start.
    page.goto("/book/juminhyo/")
    if shots:
        page.screenshot(path=os.path.join(shots, "kiosk-own-phone.png"), full_page=True)
    expect(page.locator(".kiosk-qr svg")).to_be_visible()
    assert page.locator("form").count() == 0
    page.wait_for_url("**/counter/kiosk/", timeout=10_000)
    context.close()
