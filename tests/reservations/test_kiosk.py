"""The check-in kiosk as a locked public device: enrolment by counter staff, the device
cookie instead of a staff session, revocation, the camera only on its page, the
walk-in ticket's wait, the refusal's next times, the return to the start."""

import datetime as dt
import hashlib
import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from config.documents import qr_svg
from organization.models import Role
from reservations import selectors, services
from reservations.models import KioskDevice, Reservation, ReservationStatus, Visit, VisitStatus
from reservations.views.counter import KIOSK_COOKIE
from tests.organization.factories import make_staff_member
from tests.reservations.factories import (
    ProcedureFactory,
    add_clerk,
    add_rule,
    as_kiosk,
    booked_now,
    enrolled_kiosk,
)

pytestmark = pytest.mark.django_db

KIOSK = "/counter/kiosk/"
ENROL = "/counter/kiosk/enrol/"


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def procedure():
    procedure = ProcedureFactory(name="住民票の写し", code="juminhyo", lead_time_minutes=0)
    add_rule(procedure, "本人確認書類")
    return procedure


def all_day_clerk(procedure, today):
    return add_clerk(procedure, day=today, start=dt.time(0, 0), end=dt.time(23, 59))


# --- Enrolment -------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.COUNTER_STAFF, Role.MANAGER, Role.ADMINISTRATOR])
def test_counter_roles_enrol_a_browser_which_then_holds_no_staff_session(client, role):
    member = make_staff_member(role=role)
    client.force_login(member.user)

    response = client.post(ENROL, {"name": "1階待合 左"})

    assert response.status_code == 302 and response["Location"] == KIOSK
    device = KioskDevice.objects.get()
    assert device.name == "1階待合 左" and device.created_by == member
    assert "_auth_user_id" not in client.session  # logged out
    cookie = response.cookies[KIOSK_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    assert int(cookie["max-age"]) > 300 * 24 * 3600
    # Only the hash is stored: the cookie's value is nowhere in the database.
    assert device.token_hash == hashlib.sha256(cookie.value.encode()).hexdigest()
    assert not KioskDevice.objects.filter(token_hash=cookie.value).exists()
    assert len(cookie.value) >= 40
    # The kiosk now opens with the cookie alone, and is no staff session.
    page = client.get(KIOSK)
    assert page.status_code == 200
    assert client.get("/counter/").status_code == 302


def test_the_kiosk_cookie_is_secure_under_https_only(client, settings):
    settings.HTTPS_ONLY = True
    client.force_login(make_staff_member(role=Role.COUNTER_STAFF).user)

    response = client.post(ENROL, {"name": "受付機"}, secure=True)

    assert response.cookies[KIOSK_COOKIE]["secure"]


def test_enrolment_needs_a_name(client):
    client.force_login(make_staff_member(role=Role.COUNTER_STAFF).user)

    response = client.post(ENROL, {"name": "  "})

    assert response.status_code == 400
    assert "このフィールドは必須です" in response.content.decode()
    assert not KioskDevice.objects.exists()
    assert "_auth_user_id" in client.session  # still logged in, nothing happened


def test_department_staff_cannot_enrol_a_kiosk(client):
    client.force_login(make_staff_member(role=Role.DEPARTMENT_STAFF).user)

    assert client.get(ENROL).status_code == 403
    assert client.post(ENROL, {"name": "x"}).status_code == 403
    assert not KioskDevice.objects.exists()


def test_enrolling_a_kiosk_browser_again_revokes_its_previous_credential(client):
    old = as_kiosk(client)
    client.force_login(make_staff_member(role=Role.COUNTER_STAFF).user)

    client.post(ENROL, {"name": "新しい名前"})

    old.refresh_from_db()
    assert old.revoked_at is not None
    assert KioskDevice.objects.filter(revoked_at__isnull=True).get().name == "新しい名前"


def test_counter_staff_opening_the_kiosk_without_enrolment_get_the_enrolment_page(client):
    client.force_login(make_staff_member(role=Role.COUNTER_STAFF).user)

    response = client.get(KIOSK)

    assert response.status_code == 302 and response["Location"] == ENROL
    assert "キオスク" in client.get(ENROL).content.decode()


def test_anonymous_browsers_get_the_login_page_for_the_kiosk(client):
    response = client.get(KIOSK)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/counter/kiosk/")


# --- The device credential -------------------------------------------------------------


def test_a_revoked_kiosk_gets_the_login_page_and_forgets_its_cookie(client):
    device = as_kiosk(client)
    assert client.get(KIOSK).status_code == 200

    services.kiosk_devices_revoke(devices=[device])
    response = client.get(KIOSK)

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert response.cookies[KIOSK_COOKIE].value == ""  # deleted


def test_an_unknown_token_gets_the_login_page(client):
    client.cookies[KIOSK_COOKIE] = "made-up-token"

    response = client.get(KIOSK)

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_kiosk_records_when_it_was_last_seen(client):
    device = as_kiosk(client)
    assert device.last_seen_at is None

    client.get(KIOSK)

    device.refresh_from_db()
    assert device.last_seen_at is not None


def test_a_staff_session_in_the_kiosk_browser_ends_when_the_kiosk_opens(client):
    as_kiosk(client)
    client.force_login(make_staff_member(role=Role.MANAGER).user)

    response = client.get(KIOSK)

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert client.get("/complaints/").status_code == 302


def test_the_kiosk_shows_no_staff_navigation(client):
    as_kiosk(client)

    html = client.get(KIOSK).content.decode()

    assert "staff-nav" not in html
    staff_labels = ["本日の受付状況", "電話での予約代行", "苦情・ご意見"]
    staff_labels += ["職員ログイン", "ログアウト"]
    for label in staff_labels:
        assert label not in html
    assert 'href="/counter/"' not in html and 'href="/complaints/' not in html


def test_kiosk_posts_keep_csrf_protection(procedure):
    client = Client(enforce_csrf_checks=True)
    as_kiosk(client)

    assert client.post(KIOSK, {"code": "ABCD-EFGH"}).status_code == 403
    walk_in = reverse("reservations:kiosk_walk_in", args=[procedure.code])
    assert client.post(walk_in).status_code == 403
    assert not Visit.objects.exists()


def test_the_admin_lists_kiosks_and_revokes_them(admin_client):
    device, _token = enrolled_kiosk("2階 待合")

    listing = admin_client.get("/admin/reservations/kioskdevice/")
    response = admin_client.post(
        "/admin/reservations/kioskdevice/",
        {"action": "revoke", "_selected_action": [device.pk]},
        follow=True,
    )

    assert "2階 待合" in listing.content.decode()
    assert response.status_code == 200
    device.refresh_from_db()
    assert device.revoked_at is not None
    assert admin_client.get("/admin/reservations/kioskdevice/add/").status_code == 403


# --- The camera ------------------------------------------------------------------------


def test_only_the_kiosk_page_may_use_the_camera(client):
    as_kiosk(client)

    kiosk = client.get(KIOSK)
    others = [client.get(path) for path in ("/", "/book/", "/display/", "/accounts/login/")]

    assert "camera=(self)" in kiosk["Permissions-Policy"]
    for response in others:
        assert "camera=()" in response["Permissions-Policy"]


# --- Check-in, tickets, refusals -------------------------------------------------------


def test_a_booked_citizen_checks_in_at_the_kiosk_and_the_screen_returns(
    client, procedure, today, settings
):
    settings.KIOSK_RETURN_SECONDS = 17
    reservation = booked_now(procedure, all_day_clerk(procedure, today))
    as_kiosk(client)

    response = client.post(KIOSK, {"code": reservation.code.lower()})

    html = response.content.decode()
    assert response.status_code == 200
    assert Visit.objects.get(reservation=reservation).ticket in html
    assert 'data-kiosk-return="17"' in html
    assert 'data-kiosk-return-url="/counter/kiosk/?start"' in html
    assert '<meta http-equiv="refresh" content="17;url=/counter/kiosk/?start">' in html  # no JS
    assert ">完了<" in html  # the done button


def test_a_wrong_code_at_the_kiosk_gets_a_message(client, procedure):
    as_kiosk(client)

    response = client.post(KIOSK, {"code": "ZZZZ-ZZZZ"})

    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert "この予約番号は見つかりませんでした" in response.content.decode()
    assert not Visit.objects.exists()


def test_the_old_code_of_a_moved_booking_says_it_was_moved(client, procedure, today):
    """Not just "not valid": the citizen is told to use the new code (helper 43)."""
    old = booked_now(procedure, all_day_clerk(procedure, today))
    Reservation.objects.filter(pk=old.pk).update(status=ReservationStatus.CANCELLED)
    new = booked_now(procedure, old.staff, email_key="other@example.jp")
    Reservation.objects.filter(pk=old.pk).update(rescheduled_to=new)
    as_kiosk(client)

    response = client.post(KIOSK, {"code": old.code})

    assert "新しい予約番号になっています" in response.content.decode()
    assert not Visit.objects.exists()


def test_a_citizen_already_called_is_sent_to_the_counter_not_to_sit_down(client, procedure, today):
    """Helper 45: the kiosk told a citizen called to counter 2 to wait in the waiting
    area; they sat down and became a no-show 10 minutes later."""
    clerk = all_day_clerk(procedure, today)
    reservation = booked_now(procedure, clerk)
    services.visit_check_in(reservation=reservation, by_staff=clerk)
    visit = services.visit_call_next(staff=clerk)
    as_kiosk(client)

    html = client.post(KIOSK, {"code": reservation.code}).content.decode()

    assert "ただいま、あなたの番号をお呼びしています" in html
    assert "今すぐ%sへお越しください" % visit.counter.name in html
    assert "待合スペースでお待ちください" not in html


def _served(procedure, clerk, today, minutes):
    """A walk-in visit of today served in ``minutes`` (a measured handling time)."""
    visit = services.visit_issue_walk_in(procedure=procedure)
    start = timezone.now() - dt.timedelta(hours=1)
    Visit.objects.filter(pk=visit.pk).update(
        status=VisitStatus.DONE,
        staff=clerk,
        serving_at=start,
        done_at=start + dt.timedelta(minutes=minutes),
    )


def test_the_walk_in_ticket_shows_who_is_ahead_and_the_estimated_wait(
    client, procedure, today, settings
):
    settings.KIOSK_WAIT_MIN_SAMPLES = 3
    clerks = [all_day_clerk(procedure, today) for _ in range(2)]
    for minutes in (6, 10, 30):  # median 10 minutes
        _served(procedure, clerks[0], today, minutes)
    for _ in range(3):
        services.visit_issue_walk_in(procedure=procedure)
    other = ProcedureFactory(code="inkan")
    all_day_clerk(other, today)
    services.visit_issue_walk_in(procedure=other)  # another procedure's queue: not ahead
    as_kiosk(client)

    response = client.post(reverse("reservations:kiosk_walk_in", args=[procedure.code]))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-people-ahead="3"' in html and "3人" in html
    assert "約15分" in html  # 10 min × 3 ahead ÷ 2 clerks
    assert "camera" not in response.get("Permissions-Policy", "camera=()").replace("camera=()", "")


def test_the_walk_in_ticket_says_when_there_is_too_little_data(client, procedure, today, settings):
    settings.KIOSK_WAIT_MIN_SAMPLES = 3
    clerk = all_day_clerk(procedure, today)
    _served(procedure, clerk, today, 8)
    services.visit_issue_walk_in(procedure=procedure)
    as_kiosk(client)

    response = client.post(reverse("reservations:kiosk_walk_in", args=[procedure.code]))

    html = response.content.decode()
    assert 'data-people-ahead="1"' in html
    assert "待ち時間を見積もれません" in html
    assert not re.search(r"約\d+分", html)


def test_the_first_walk_in_is_next(client, procedure, today):
    all_day_clerk(procedure, today)
    as_kiosk(client)

    html = client.post(reverse("reservations:kiosk_walk_in", args=[procedure.code])).content
    html = html.decode()

    assert 'data-people-ahead="0"' in html and "次にお呼びします" in html


def test_wait_estimate_counts_due_bookings_ahead_of_walk_ins(procedure, today):
    clerk = all_day_clerk(procedure, today)
    due = booked_now(procedure, clerk)
    services.visit_check_in(reservation=due)
    walk_in = services.visit_issue_walk_in(procedure=procedure)

    wait = selectors.walk_in_wait(visit=walk_in, now=timezone.now(), samples_needed=1)

    assert wait.ahead == 1
    assert wait.minutes is None and wait.samples == 0
    assert wait.clerks == 1


def test_the_ticket_prints_on_an_80mm_receipt_printer(client, procedure, today):
    from django.contrib.staticfiles import finders

    all_day_clerk(procedure, today)
    as_kiosk(client)

    html = client.post(reverse("reservations:kiosk_walk_in", args=[procedure.code])).content
    stylesheet = Path(finders.find("css/kiosk.css")).read_text(encoding="utf-8")

    assert "css/kiosk.css" in html.decode() and "data-print" in html.decode()
    assert re.search(r"@media print\s*{[^@]*@page\s*{\s*size:\s*80mm auto;", stylesheet)


def test_a_walk_in_after_todays_reception_hears_it_has_ended(procedure, today):
    """Helper 45: at 17:20 the kiosk said nobody could handle the procedure today."""
    add_clerk(procedure, day=today, start=dt.time(9), end=dt.time(12))
    evening = timezone.make_aware(dt.datetime.combine(today, dt.time(17, 20)))

    with pytest.raises(services.WalkInRefused, match="本日のこの手続きの受付は終了しました"):
        services.visit_issue_walk_in(procedure=procedure, now=evening)
    with pytest.raises(services.WalkInRefused, match="担当できる職員がおりません"):
        services.visit_issue_walk_in(procedure=ProcedureFactory(), now=evening)


def test_a_refused_walk_in_gets_a_qr_code_per_next_time_and_no_booking_link(
    client, procedure, today, settings
):
    settings.KIOSK_RETURN_SECONDS = 25
    # A clerk tomorrow and after, nobody today.
    for days in (1, 2, 3):
        add_clerk(procedure, day=today + dt.timedelta(days=days), start=dt.time(9), end=dt.time(12))
    as_kiosk(client)

    response = client.post(reverse("reservations:kiosk_walk_in", args=[procedure.code]))

    html = response.content.decode()
    assert response.status_code == 200
    assert not Visit.objects.exists()
    # Nothing on the shared tablet opens the booking form: no link into /book/ at all.
    assert not re.search(r'href="[^"]*/book/', html), html
    assert "お手持ちのスマートフォンで読み取って予約してください" in html
    slots = re.findall(r'<li class="kiosk-slot">(.*?)</li>', html, re.S)
    with pytest.raises(services.WalkInRefused) as refusal:
        services.visit_issue_walk_in(procedure=procedure, now=timezone.now())
    assert len(slots) == len(refusal.value.next_slots) == 3
    for slot, next_slot in zip(slots, refusal.value.next_slots, strict=True):
        start = timezone.localtime(next_slot.start)
        url = "http://testserver" + reverse(
            "reservations:details", args=[procedure.code, start.date(), start]
        )
        # One code per time, carrying the booking address of that time for a phone.
        assert slot.count("<svg") == 1
        assert qr_svg(url) in slot
        assert "<form" in Client().get(url).content.decode()  # on a phone: its booking form
    assert "http://testserver/book/juminhyo/" in html  # the procedure's own calendar
    assert 'data-kiosk-return="25"' in html


def test_an_unknown_procedure_at_the_kiosk_is_a_404(client):
    as_kiosk(client)

    assert client.post("/counter/kiosk/walk-in/nothing/").status_code == 404


def test_an_administrator_revokes_a_kiosk_in_the_admin(client):
    admin_member = make_staff_member(role=Role.ADMINISTRATOR)
    admin_member.user.is_staff = True
    admin_member.user.save()
    device, _token = enrolled_kiosk("2階 待合")
    client.force_login(admin_member.user)

    client.post(
        "/admin/reservations/kioskdevice/",
        {"action": "revoke", "_selected_action": [device.pk]},
    )

    device.refresh_from_db()
    assert device.revoked_at is not None
