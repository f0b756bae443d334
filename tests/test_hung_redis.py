"""A Redis that accepts connections and never answers (a hung server, a full network
buffer) costs a request at most about one timeout: the circuit breaker skips Redis for
a while after the first timeout, and publishing a task after a commit gives up quickly
and leaves the e-mail in the outbox for the sweep. ``bench/faults.py --hung-redis``
does the same through gunicorn."""

import socket
import threading
import time

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from config.cache import redis_breaker
from config.celery import app as celery_app
from outbox.models import Email, EmailStatus
from outbox.services import emails_send_due
from reservations.models import Reservation, ReservationStatus
from tests.reservations.test_views import FUTURE_DAY, details_url, form_data

pytestmark = pytest.mark.django_db


class HungServer:
    """Accepts every connection and never sends a byte."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.port = self.sock.getsockname()[1]
        self.accepted = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted.append(conn)

    def close(self):
        self.sock.close()
        for conn in self.accepted:
            conn.close()


def _use_broker(url: str | None, eager: bool) -> None:
    celery_app.conf.broker_url = url
    celery_app.conf.task_always_eager = eager
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def hung_redis(settings):
    server = HungServer()
    url = "redis://127.0.0.1:%d/0" % server.port
    settings.REDIS_TIMEOUT = 1
    settings.REDIS_BREAKER_SECONDS = 5
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.ReusingRedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    old_url, old_eager = celery_app.conf.broker_url, celery_app.conf.task_always_eager
    _use_broker(url, eager=False)
    redis_breaker.reset()
    yield server
    _use_broker(old_url, old_eager)
    redis_breaker.reset()
    server.close()


@pytest.fixture
def procedure():
    from tests.reservations.factories import procedure_with

    return procedure_with("本人確認書類", clerk_days=[FUTURE_DAY], code="juminhyo")


def _timed(call):
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


def test_cache_calls_pay_one_timeout_then_skip_redis(hung_redis):
    started = time.monotonic()
    values = [cache.get("key-%d" % n) for n in range(10)]
    cache.set("key", 1)

    assert values == [None] * 10
    assert time.monotonic() - started < 2  # not 11 timeouts of a second
    assert hung_redis.accepted  # it was tried


def test_pages_answer_within_two_seconds_while_redis_hangs(client, hung_redis, procedure):
    calendar, first = _timed(
        lambda: client.get(reverse("reservations:calendar", args=[procedure.code]))
    )
    day, second = _timed(
        lambda: client.get(reverse("reservations:day", args=[procedure.code, FUTURE_DAY]))
    )

    assert (calendar.status_code, day.status_code) == (200, 200)
    assert first < 2
    assert second < 0.5  # the breaker is open: Redis is not asked again


def test_a_booking_is_answered_as_booked_and_its_email_sent_when_redis_is_back(
    client, hung_redis, procedure, django_capture_on_commit_callbacks
):
    def post():
        # The e-mail task is published on commit, within the request.
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(details_url(procedure), form_data(procedure))

    response, took = _timed(post)

    assert response.status_code == 302
    assert took < 2
    reservation = Reservation.objects.get()
    assert reservation.status == ReservationStatus.CONFIRMED
    confirmation = Email.objects.get(key="booking-confirmed:%d" % reservation.pk)
    assert confirmation.status == EmailStatus.PENDING
    assert mail.outbox == []

    # Redis is back (or the worker's sweep runs): the e-mail goes out, once.
    assert emails_send_due() == 1
    assert emails_send_due() == 0
    assert [m.to for m in mail.outbox] == [["taro@example.jp"]]


def test_a_publish_that_times_out_opens_the_breaker_for_the_next_requests(
    hung_redis, django_capture_on_commit_callbacks
):
    from outbox import tasks

    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.outbox_send.delay_on_commit("booking-confirmed:1")
    first = time.monotonic() - started
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.outbox_send.delay_on_commit("booking-confirmed:2")
    second = time.monotonic() - started

    assert 0.5 < first < 2  # the broker's timeout, once
    assert second < 0.2  # then not tried while the breaker is open
    assert redis_breaker.is_open()
