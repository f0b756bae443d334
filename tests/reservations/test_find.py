"""Find my booking / send my link again: the same answer whether or not anything
matched, links only to the booking's own address, phone-only bookings shown after code,
phone and date, limited per address and per contact, every use logged."""

import datetime as dt
import logging

import pytest
from django.core import mail
from django.urls import reverse

from reservations import services
from reservations.models import ReservationEvent
from tests.reservations import factories
from tests.reservations.factories import ProcedureFactory, add_clerk, at, citizen, open_day

pytestmark = pytest.mark.django_db

DAY = open_day(10)
FIND = "/booking/find/"


@pytest.fixture
def procedure():
    procedure = ProcedureFactory()
    add_clerk(procedure, day=DAY)
    return procedure


def book(procedure, *, email="taro@example.jp", phone=""):
    return factories.book(
        procedure,
        at(DAY, 9),
        citizen(name="山田 太郎", kana="ヤマダ", email=email, phone=phone),
        now=None,  # DAY is ten days from today: the real clock
    )


def find(client, remote="127.0.0.1", **data):
    return client.post(FIND, data, REMOTE_ADDR=remote)


def test_the_find_page_is_at_booking_find(client):
    assert reverse("reservations:find") == FIND
    assert client.get(FIND).status_code == 200


def test_an_email_alone_sends_the_links_of_open_bookings_to_that_address(
    client, procedure, django_capture_on_commit_callbacks
):
    result = book(procedure)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = find(client, contact="Taro@Example.jp")

    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == ["taro@example.jp"]
    assert reverse("reservations:manage", args=[result.token]) in message.body
    assert result.reservation.events.filter(kind=ReservationEvent.Kind.LINK_SENT).exists()


def test_code_and_email_send_that_bookings_link(
    client, procedure, django_capture_on_commit_callbacks
):
    result = book(procedure)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        find(client, contact="taro@example.jp", code=result.reservation.code.lower())

    assert len(mail.outbox) == 1


def test_the_answer_is_the_same_whether_or_not_anything_matched(
    client, procedure, django_capture_on_commit_callbacks
):
    book(procedure)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        matched = find(client, contact="taro@example.jp")
        unknown = find(client, contact="nobody@example.jp")
        wrong_code = find(client, contact="taro@example.jp", code="ACDE-FGHJ")

    assert matched["Location"] == unknown["Location"] == wrong_code["Location"]
    page = client.get(matched["Location"])
    assert 'id="find-sent"' in page.content.decode()
    assert len(mail.outbox) == 1


def test_a_phone_only_booking_is_shown_after_code_phone_and_date(client, procedure):
    result = book(procedure, email="", phone="090-1234-5678")
    code = result.reservation.code

    wrong_day = find(client, contact="09012345678", code=code, day=DAY + dt.timedelta(days=1))
    right = find(client, contact="090-1234-5678", code=code, day=DAY.isoformat())

    assert wrong_day["Location"] == FIND + "?sent=1"
    assert right["Location"] == reverse("reservations:manage", args=[result.token])
    assert result.reservation.events.filter(kind=ReservationEvent.Kind.LINK_SHOWN).exists()


def test_a_phone_number_needs_the_code_and_the_date(client, procedure):
    response = find(client, contact="090-1234-5678")

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"code", "day"}


def test_a_phone_match_of_a_booking_with_an_email_sends_the_link_instead_of_showing_it(
    client, procedure, django_capture_on_commit_callbacks
):
    result = book(procedure, phone="090-1234-5678")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = find(
            client, contact="090-1234-5678", code=result.reservation.code, day=DAY.isoformat()
        )

    assert response["Location"] == FIND + "?sent=1"
    assert len(mail.outbox) == 1


def test_cancelled_bookings_are_not_sent(client, procedure, django_capture_on_commit_callbacks):
    result = book(procedure)
    services.reservation_cancel(reservation=result.reservation)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        find(client, contact="taro@example.jp")

    assert mail.outbox == []


def test_find_is_limited_per_contact_and_per_address(client, procedure, settings):
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "find_contact": (2, 3600),
        "find": (4, 600),
    }

    same_contact = [
        find(client, "10.0.0.%d" % n, contact="taro@example.jp").status_code for n in range(3)
    ]
    other_contacts = [
        find(client, "10.0.1.1", contact="p%d@example.jp" % n).status_code for n in range(5)
    ]

    assert same_contact == [302, 302, 429]
    assert other_contacts == [302, 302, 302, 302, 429]


def test_every_use_is_logged_without_the_contact_itself(client, procedure, caplog):
    with caplog.at_level(logging.INFO, logger="reservations.find"):
        find(client, contact="taro@example.jp")

    (record,) = [r for r in caplog.records if r.name == "reservations.find"]
    assert "taro@example.jp" not in record.getMessage()
    assert "0 matched" in record.getMessage()


def test_the_links_go_out_in_the_bookings_language_not_the_askers(
    client, procedure, django_capture_on_commit_callbacks
):
    book(procedure)  # booked in Japanese
    mail.outbox.clear()
    client.cookies["django_language"] = "ko"

    with django_capture_on_commit_callbacks(execute=True):
        find(client, contact="taro@example.jp")

    (message,) = mail.outbox
    assert "予約" in message.subject
    assert not any("\uac00" <= c <= "\ud7a3" for c in message.subject + message.body)
