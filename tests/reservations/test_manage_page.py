"""The booking's page tells where the confirmation went, can be printed, shows a held
booking only as "confirm from the e-mail", and a cancelled one offers to book again."""

import pytest
from django.urls import reverse

from reservations import services
from tests.reservations import factories
from tests.reservations.factories import at, citizen, open_day, procedure_with

pytestmark = pytest.mark.django_db

DAY = open_day(10)


@pytest.fixture
def procedure():
    return procedure_with("本人確認書類", clerk_days=[DAY], code="resident-card")


def book(procedure, email="taro.yamada@example.jp", phone=""):
    return factories.book(
        procedure,
        at(DAY, 9),
        citizen(name="山田 太郎", kana="ヤマダ", email=email, phone=phone),
        now=None,  # DAY is ten days from today: the real clock
    )


def page(client, result):
    response = client.get(
        reverse("reservations:manage", args=[result.token]), HTTP_ACCEPT_LANGUAGE="en"
    )
    return response.content.decode()


def test_the_page_shows_the_masked_address_the_confirmation_went_to(client, procedure):
    content = page(client, book(procedure))

    assert "t***@example.jp" in content
    assert "taro.yamada@example.jp" not in content
    assert "data-print" in content


def test_a_phone_only_booking_is_told_to_note_the_code_or_print(client, procedure):
    content = page(client, book(procedure, email="", phone="090-1234-5678"))

    assert "note the booking code or print this page" in content
    assert "***-****-5678" in content
    assert "keep the e-mail" not in content


def test_a_held_booking_shows_only_confirm_from_the_email(client, procedure):
    procedure.requires_email_confirmation = True
    procedure.save()
    result = book(procedure)

    content = page(client, result)
    ics = client.get(reverse("reservations:ics", args=[result.token]))

    assert "Confirm from the e-mail we sent to t***@example.jp" in content
    assert 'class="qr-code' not in content  # no QR code
    assert "Show this code at the counter" not in content
    assert ".ics" not in content
    assert "本人確認書類" not in content
    assert content.count("Confirm from the e-mail") == 1
    assert ics.status_code == 404


def test_a_cancelled_booking_offers_book_again_and_no_documents(client, procedure):
    result = book(procedure)
    services.reservation_cancel(reservation=result.reservation)

    content = page(client, result)

    assert "Book again" in content
    assert reverse("reservations:calendar", args=[procedure.code]) in content
    assert "本人確認書類" not in content
    assert 'class="qr-code' not in content  # no QR code


def test_a_broken_booking_link_says_so_on_the_not_found_page(client):
    client.cookies["django_language"] = "ja"

    broken = client.get("/booking/not-a-real-token/")
    unknown = client.get("/no-such-page/")

    assert broken.status_code == 404 and unknown.status_code == 404
    assert "この予約のリンクは無効です" in broken.content.decode()
    assert "ページが見つかりません" in broken.content.decode()
    assert "この予約のリンクは無効です" not in unknown.content.decode()
    assert "Resolver404" not in unknown.content.decode()


def test_the_documents_read_in_the_readers_language_while_their_wording_is_the_same(
    client,
):
    from reservations.models import DocumentRule
    from reservations.services import document_rule_save

    procedure = procedure_with(clerk_days=[DAY], code="with-english")
    rule = DocumentRule.objects.create(
        procedure=procedure, text="本人確認書類", text_en="Proof of identity"
    )
    result = book(procedure)  # booked in Japanese

    assert "Proof of identity" in page(client, result)  # read in English
    # The calendar file downloaded from the English page says so too (helper 43: its
    # labels were English and its documents Japanese).
    ics = client.get(reverse("reservations:ics", args=[result.token]), HTTP_ACCEPT_LANGUAGE="en")
    assert (
        "Proof of identity" in ics.content.decode() and "本人確認書類" not in ics.content.decode()
    )
    rule.text_en = "Proof of identity (a card with your photo)"
    document_rule_save(rule=rule, wording_changed=True)
    # The wording changed since: the page shows what the citizen agreed to.
    english = page(client, result)
    assert "本人確認書類" in english and "a card with your photo" not in english
