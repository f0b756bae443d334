"""The relay where workers run: a burst of bookings queues one relay run, which sends
their e-mails in batches over one connection to the mail server; a failure closes the
connection for the next message only; a batch that runs long gives its rest back."""

import time

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.mail.backends.locmem import EmailBackend
from django.core.mail.message import EmailMultiAlternatives
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext
from kombu.exceptions import OperationalError

from config.cache import redis_breaker
from outbox import services as outbox
from outbox import tasks
from outbox.models import Email, EmailStatus
from reservations.models import Reservation
from tests.reservations.factories import DAY, at, book
from tests.reservations.factories import citizen as citizen_no

pytestmark = pytest.mark.django_db

opened = []


class CountingBackend(EmailBackend):
    """The test backend, counting the connections a relay opens and closes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.is_open = False

    def open(self):
        if self.is_open:
            return False
        self.is_open = True
        opened.append(self)
        return True

    def close(self):
        self.is_open = False


def relay_queued_in(queued):
    def apply_async(args, kwargs, countdown=0):
        assert (args, kwargs) == ((), {})
        queued.append("relay in %ss" % countdown)

    return apply_async


@pytest.fixture
def workers(monkeypatch, settings):
    """Tasks go to workers (not run eagerly); what would be queued is recorded."""
    queued = []
    conf = tasks.outbox_send.app.conf
    eager, conf.task_always_eager = conf.task_always_eager, False
    monkeypatch.setattr(tasks.outbox_send_due, "apply_async", relay_queued_in(queued))
    monkeypatch.setattr(tasks.outbox_send, "delay", lambda key: queued.append(key))
    settings.OUTBOX_RELAY_DELAY_SECONDS = 0.5
    settings.EMAIL_BACKEND = "tests.outbox.test_relay.CountingBackend"
    opened.clear()
    redis_breaker.reset()
    cache.delete(outbox.RELAY_QUEUED)
    yield queued
    conf.task_always_eager = eager
    cache.delete(outbox.RELAY_QUEUED)


def book_three(procedure, capture):
    for n, hour in enumerate((9, 10, 11), start=1):
        with capture(execute=True):
            book(procedure, at(DAY, hour), citizen_no(n))


def test_a_burst_of_bookings_queues_one_relay_which_sends_them_over_one_connection(
    procedure, workers, django_capture_on_commit_callbacks
):
    book_three(procedure, django_capture_on_commit_callbacks)

    # One run for the three, half a second later (a burst shares it); none sent in the
    # requests.
    assert workers == ["relay in 0.5s"]
    assert mail.outbox == []

    assert tasks.outbox_send_due() == 3
    assert sorted(m.to[0] for m in mail.outbox) == [
        "citizen1@example.jp",
        "citizen2@example.jp",
        "citizen3@example.jp",
    ]
    assert len(opened) == 1 and not opened[0].is_open  # one connection, closed after
    assert set(Email.objects.values_list("status", "attempts")) == {(EmailStatus.SENT, 1)}

    # The run has started: the next booking queues the next run.
    with django_capture_on_commit_callbacks(execute=True):
        book(procedure, at(DAY, 11, 30), citizen_no(4))
    assert workers == ["relay in 0.5s", "relay in 0.5s"]


def test_a_full_batch_queues_another_run_for_the_next_one(
    procedure, workers, django_capture_on_commit_callbacks, monkeypatch
):
    # A job that promised many e-mails at once: while the batches are full, each run
    # queues the next, so the worker processes share the backlog.
    book_three(procedure, django_capture_on_commit_callbacks)
    monkeypatch.setattr(outbox, "RELAY_BATCH", 2)
    workers.clear()

    assert outbox.emails_send_due() == 3

    assert workers == ["relay in 0s"]  # after the first batch (2), not the second (1)
    assert len(mail.outbox) == 3


def test_a_failed_send_is_retried_alone_and_the_next_message_gets_a_new_connection(
    procedure, workers, django_capture_on_commit_callbacks, monkeypatch
):
    book_three(procedure, django_capture_on_commit_callbacks)
    real_send = EmailMultiAlternatives.send

    def refuse_citizen_2(message, fail_silently=False):
        if message.to == ["citizen2@example.jp"]:
            raise ConnectionResetError("the mail server dropped the line")
        return real_send(message, fail_silently)

    monkeypatch.setattr(EmailMultiAlternatives, "send", refuse_citizen_2)

    assert outbox.emails_send_due() == 2

    assert sorted(m.to[0] for m in mail.outbox) == ["citizen1@example.jp", "citizen3@example.jp"]
    refused = Email.objects.get(recipient="citizen2@example.jp")
    assert (refused.status, refused.attempts, refused.last_error) == (
        EmailStatus.PENDING,
        1,
        "ConnectionResetError",
    )
    assert len(opened) == 2  # the failure closed the first; citizen 3's went over a new one


def test_a_batch_that_runs_past_a_quarter_of_the_lease_gives_its_rest_back_untried(
    procedure, workers, django_capture_on_commit_callbacks, monkeypatch, settings
):
    settings.OUTBOX_LEASE_SECONDS = 0.4
    book_three(procedure, django_capture_on_commit_callbacks)
    real_send = EmailMultiAlternatives.send

    def slow(message, fail_silently=False):
        time.sleep(0.15)  # a mail server that answers slowly
        return real_send(message, fail_silently)

    monkeypatch.setattr(EmailMultiAlternatives, "send", slow)
    monkeypatch.setattr(outbox, "RELAY_BATCH", 3)

    assert outbox.emails_send_due(limit=3) == 1

    rows = list(Email.objects.order_by("next_attempt_at", "pk").values_list("status", "attempts"))
    # Sent once; the other two waiting again as never tried, for the next relay.
    assert rows == [(EmailStatus.SENT, 1), (EmailStatus.PENDING, 0), (EmailStatus.PENDING, 0)]
    assert outbox.emails_send_due() == 2


def test_a_relay_that_cannot_be_queued_blocks_no_later_booking_for_long(
    procedure, workers, django_capture_on_commit_callbacks, monkeypatch
):
    def broker_down(*args, **kwargs):
        raise OperationalError("the broker is down")

    monkeypatch.setattr(outbox, "RELAY_QUEUED_SECONDS", 1)
    monkeypatch.setattr(tasks.outbox_send_due, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        book(procedure, at(DAY, 9), citizen_no(1))

    assert Email.objects.get().status == EmailStatus.PENDING  # the booking and its promise kept

    # The broker is back: a booking after the mark's second queues the relay.
    time.sleep(1.1)
    redis_breaker.reset()
    monkeypatch.setattr(tasks.outbox_send_due, "apply_async", relay_queued_in(workers))
    with django_capture_on_commit_callbacks(execute=True):
        book(procedure, at(DAY, 10), citizen_no(2))
    assert workers == ["relay in 0.5s"]
    assert outbox.emails_send_due() == 2


def test_without_workers_each_booking_sends_its_own_email_in_its_process(
    procedure, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        book(procedure, at(DAY, 9), citizen_no(1))

    assert [m.to for m in mail.outbox] == [["citizen1@example.jp"]]
    assert Email.objects.get().status == EmailStatus.SENT


def test_a_batch_reads_its_bookings_once_not_once_an_email(
    procedure, workers, django_capture_on_commit_callbacks
):
    book_three(procedure, django_capture_on_commit_callbacks)

    with CaptureQueriesContext(connection) as queries:
        assert outbox.emails_send_due() == 3

    reads = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    bookings = [sql for sql in reads if 'FROM "reservations_reservation"' in sql]
    consents = [sql for sql in reads if 'FROM "reservations_consent' in sql]
    assert (len(bookings), len(consents)) == (1, 1)  # for the three e-mails
    # Each still says its own booking's code and documents.
    codes = set(Reservation.objects.values_list("code", flat=True))
    assert {m.to[0]: next(c for c in codes if c in m.body) for m in mail.outbox}.keys() == {
        "citizen1@example.jp",
        "citizen2@example.jp",
        "citizen3@example.jp",
    }
    assert all("本人確認書類" in m.body for m in mail.outbox)


def test_a_failing_preloader_leaves_each_email_to_read_its_own_booking(
    procedure, workers, django_capture_on_commit_callbacks, monkeypatch
):
    from reservations import selectors

    book_three(procedure, django_capture_on_commit_callbacks)

    def down(ids):
        raise DatabaseError("the read failed")

    monkeypatch.setattr(selectors, "reservations_for_emails", down)

    assert outbox.emails_send_due() == 3
