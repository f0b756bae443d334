"""Nobody books or manages a booking on the kiosk tablet: a booking made there would leave
its confirmation page, with the link that cancels it, to the next person. An enrolled
kiosk browser gets the code of the page to open it on one's own phone instead."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from config.documents import qr_svg
from reservations.models import Reservation, ReservationStatus
from reservations.views.counter import KIOSK_COOKIE
from tests.organization.factories import make_staff_member
from tests.reservations.factories import as_kiosk, enrolled_kiosk, procedure_with
from tests.reservations.test_views import (
    FUTURE_DAY,
    book_via_service,
    details_url,
    form_data,
)

pytestmark = pytest.mark.django_db

OWN_PHONE = "お手持ちのスマートフォンで読み取って予約してください"


@pytest.fixture
def procedure():
    return procedure_with(
        "本人確認書類",
        clerk_days=[FUTURE_DAY],
        code="jr-commuter-pass",
        name="JR定期券割引の証明書",
    )


def _booking_pages(procedure, token: str) -> list[str]:
    return [
        reverse("reservations:procedures"),
        reverse("reservations:calendar", args=[procedure.code])
        + "?month=%s" % FUTURE_DAY.strftime("%Y-%m"),
        reverse("reservations:day", args=[procedure.code, FUTURE_DAY]),
        details_url(procedure),
        reverse("reservations:find"),
        reverse("reservations:manage", args=[token]),
        reverse("reservations:cancel", args=[token]),
        reverse("reservations:confirm", args=[token]),
        reverse("reservations:reschedule", args=[token]),
        reverse("reservations:ics", args=[token]),
    ]


def test_a_kiosk_gets_the_code_of_every_public_booking_page_and_no_form(client, procedure):
    token = book_via_service(procedure).token
    as_kiosk(client)

    for url in _booking_pages(procedure, token):
        response = client.get(url)

        html = response.content.decode()
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("text/html"), url  # not the .ics file
        assert "no-store" in response["Cache-Control"], url
        assert OWN_PHONE in html, url
        # The code carries the same address, for the citizen's own phone.
        assert qr_svg("http://testserver" + url) in html, url
        assert "<form" not in html, url
        assert not re.search(r'href="[^"]*/(book|booking)/', html), url
        assert 'data-kiosk-return="' in html and 'href="/counter/kiosk/?start"' in html, url


def test_a_kiosk_shows_a_booking_address_but_never_a_manage_link_in_text(client, procedure):
    token = book_via_service(procedure).token
    as_kiosk(client)

    calendar = client.get(reverse("reservations:calendar", args=[procedure.code])).content
    manage = client.get(reverse("reservations:manage", args=[token])).content.decode()

    assert "http://testserver/book/%s/" % procedure.code in calendar.decode()
    assert token not in re.sub(r"<svg.*?</svg>", "", manage, flags=re.S)
    assert "山田" not in manage  # nothing of the booking itself


def test_a_kiosk_cannot_book_by_posting_the_form(client, procedure):
    as_kiosk(client)

    response = client.post(details_url(procedure), form_data(procedure))

    assert response.status_code == 403
    assert OWN_PHONE in response.content.decode()
    assert not Reservation.objects.exists()


def test_a_kiosk_cannot_cancel_or_find_a_booking(client, procedure):
    result = book_via_service(procedure)
    as_kiosk(client)

    cancel = client.post(reverse("reservations:cancel", args=[result.token]))
    find = client.post(reverse("reservations:find"), {"code": result.reservation.code})

    assert cancel.status_code == find.status_code == 403
    result.reservation.refresh_from_db()
    assert result.reservation.status == ReservationStatus.CONFIRMED
    assert result.reservation.code not in find.content.decode()


def test_a_normal_browser_still_books_and_manages(client, procedure):
    token = book_via_service(procedure).token

    form = client.get(details_url(procedure)).content.decode()
    manage = client.get(reverse("reservations:manage", args=[token])).content.decode()

    assert "<form" in form and OWN_PHONE not in form
    assert reverse("reservations:cancel", args=[token]) in manage and OWN_PHONE not in manage


def test_a_revoked_kiosk_is_an_ordinary_browser_again(client, procedure):
    from reservations.models import KioskDevice
    from reservations.services import kiosk_devices_revoke

    device, token = enrolled_kiosk()
    kiosk_devices_revoke(devices=KioskDevice.objects.filter(pk=device.pk))
    client.cookies[KIOSK_COOKIE] = token

    html = client.get(details_url(procedure)).content.decode()

    assert "<form" in html and OWN_PHONE not in html


def test_telephone_booking_by_staff_is_not_a_public_page(procedure):
    staff = Client()
    staff.force_login(make_staff_member().user)
    staff.cookies[KIOSK_COOKIE] = enrolled_kiosk()[1]

    response = staff.get(
        reverse("reservations:staff_details", args=[procedure.code, FUTURE_DAY, "0900"])
    )

    assert "<form" in response.content.decode()
    assert OWN_PHONE not in response.content.decode()
