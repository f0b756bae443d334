"""A service that goes away (the database, Redis, the broker) never loses a booking and
never shows a 500: the citizen gets a "try again in a few seconds" page (503) or the
page works without the service. ``bench/faults.py`` does the same with real restarts."""

import socket

import pytest
from django.core import mail
from django.db import OperationalError
from django.urls import reverse
from kombu.exceptions import OperationalError as BrokerUnavailable

from outbox import tasks as outbox_tasks
from outbox.models import Email, EmailStatus
from outbox.services import emails_send_due
from reservations import selectors
from reservations.models import Reservation
from tests.reservations.test_views import details_url, form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def procedure():
    from tests.reservations.factories import procedure_with
    from tests.reservations.test_views import FUTURE_DAY

    return procedure_with("本人確認書類", clerk_days=[FUTURE_DAY], code="juminhyo")


def test_a_database_outage_gets_a_503_with_retry_after_not_a_500(client, monkeypatch):
    def down():
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(selectors, "procedure_list_public", down)
    client.raise_request_exception = False

    response = client.get(reverse("reservations:procedures"))

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "もう一度お試しください" in response.content.decode()
    assert "server closed" not in response.content.decode()


def test_other_errors_stay_a_plain_500(client, monkeypatch):
    def broken():
        raise ZeroDivisionError

    monkeypatch.setattr(selectors, "procedure_list_public", broken)
    client.raise_request_exception = False

    assert client.get(reverse("reservations:procedures")).status_code == 500


def test_a_booking_is_kept_when_the_broker_is_down_after_commit(
    client, procedure, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise BrokerUnavailable("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(outbox_tasks.outbox_send, "delay", broker_down)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(details_url(procedure), form_data(procedure))

    assert response.status_code == 302
    assert Reservation.objects.count() == 1
    # The e-mail waits in the outbox for the sweep.
    assert Email.objects.get().status == EmailStatus.PENDING
    assert mail.outbox == []
    assert emails_send_due() == 1
    assert len(mail.outbox) == 1


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_pages_and_bookings_work_while_the_redis_cache_is_down(client, procedure, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.ReusingRedisCache",
            "LOCATION": "redis://127.0.0.1:%d/0" % _closed_port(),
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }

    calendar = client.get(reverse("reservations:calendar", args=[procedure.code]))
    booked = client.post(details_url(procedure), form_data(procedure))

    assert calendar.status_code == 200
    assert booked.status_code == 302
    assert Reservation.objects.count() == 1
