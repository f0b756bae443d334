"""A booking held until it is confirmed from the e-mail is confirmed only from the e-mail
(helper 43: adding ``confirm/`` to the page's own address confirmed it, and a move of the
held booking came out confirmed), never shows "held until" a time already past, and a
phone-only change is never said to be e-mailed."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from reservations import services
from reservations.models import Reservation, ReservationStatus
from tests.reservations.factories import add_clerk, at, book, citizen, procedure_with
from tests.reservations.test_views import FUTURE_DAY as DAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(django_capture_on_commit_callbacks):
    """A booking of a procedure confirmed from the e-mail, held now (real time)."""
    procedure = procedure_with("本人確認書類", clerk_days=[DAY], code="tennyu-held")
    procedure.requires_email_confirmation = True
    procedure.save()
    with django_capture_on_commit_callbacks(execute=True):
        result = book(procedure, at(DAY, 9), citizen(1), now=None)
    assert result.reservation.status == ReservationStatus.PENDING
    return result


def _status(result) -> str:
    return Reservation.objects.get(pk=result.reservation.pk).status


def test_the_manage_link_with_confirm_added_does_not_confirm(client, held):
    keyless = reverse("reservations:confirm", args=[held.token])

    page = client.get(keyless).content.decode()
    client.post(keyless)

    assert "この予約を確定する" not in page and "メールのリンクを開いてください" in page
    assert _status(held) == ReservationStatus.PENDING


def test_the_link_in_the_email_confirms(client, held):
    body = mail.outbox[-1].body
    link = re.search(r"https?://\S+/confirm/\S+/", body).group(0)
    path = link.split("//", 1)[1].split("/", 1)[1]

    page = client.get("/" + path).content.decode()
    client.post("/" + path)

    assert "この予約を確定する" in page
    assert _status(held) == ReservationStatus.CONFIRMED
    assert held.token in path and "/confirm/" in path  # the key is the e-mail's own


def test_a_forged_confirmation_key_is_a_404(client, held):
    url = reverse("reservations:confirm_from_email", args=[held.token, "x" * 43])

    assert client.post(url).status_code == 404
    assert _status(held) == ReservationStatus.PENDING


def test_a_held_booking_cannot_be_moved_before_it_is_confirmed(client, held):
    with pytest.raises(services.BookingError) as refused:
        services.reservation_reschedule(reservation=held.reservation, new_start=at(DAY, 10))
    page = client.get(reverse("reservations:reschedule", args=[held.token]), follow=True)

    assert refused.value.code == "not_confirmed"
    assert "まだ確定していません" in page.content.decode()
    assert Reservation.objects.count() == 1


def test_a_lapsed_hold_reads_as_released_at_once(client, held):
    Reservation.objects.filter(pk=held.reservation.pk).update(
        hold_expires_at=timezone.now() - dt.timedelta(minutes=1)
    )

    page = client.get(reverse("reservations:manage", args=[held.token])).content.decode()

    assert "確保しています" not in page and _status(held) == ReservationStatus.EXPIRED


def test_confirming_a_cancelled_booking_says_it_was_cancelled(held):
    services.reservation_cancel(reservation=held.reservation)

    with pytest.raises(services.BookingError) as refused:
        services.reservation_confirm_email(reservation=held.reservation)

    assert "取り消されています" in str(refused.value.message)


def test_a_phone_only_change_is_not_said_to_be_emailed(client):
    procedure = procedure_with("本人確認書類", clerk_days=[DAY], code="phone-only-move")
    add_clerk(procedure, start=dt.time(9, 0), end=dt.time(12, 0))
    result = book(procedure, at(DAY, 9), citizen(1, email="", phone="090-1111-2222"), now=None)
    confirm = reverse(
        "reservations:reschedule_confirm", args=[result.token, DAY.isoformat(), "1000"]
    )

    step = client.get(confirm).content.decode()
    done = client.post(confirm, follow=True).content.decode()
    old = client.get(reverse("reservations:manage", args=[result.token])).content.decode()

    for page in (step, done, old):
        assert "メールでお送り" not in page and "メールしました" not in page
    assert "メールは送られない" in step and "メールは送られない" in done
    assert "控えていない場合は" in old
