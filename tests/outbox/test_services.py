"""The e-mail outbox: every promised e-mail is a row written with the change that
promises it, sent once by the relay, retried with back-off, failed after a limit."""

import datetime as dt
import smtplib

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from organization.selectors import site_settings
from outbox import services as outbox
from outbox.models import Email, EmailStatus
from reservations import services
from reservations.models import Reservation
from tests.reservations.factories import DAY, NOW, at, book

pytestmark = pytest.mark.django_db


def _smtp_down(monkeypatch, error=None):
    def send(message, fail_silently=False):
        raise error or smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(EmailMultiAlternatives, "send", send)


def test_a_booking_writes_its_confirmation_row_in_its_own_transaction(procedure):
    result = book(procedure, at(DAY, 9))

    row = Email.objects.get()
    assert (row.key, row.kind, row.object_id) == (
        "booking-confirmed:%d" % result.reservation.pk,
        "booking_confirmed",
        result.reservation.pk,
    )
    assert (row.status, row.recipient, row.language) == (
        EmailStatus.PENDING,
        "citizen1@example.jp",
        "ja",
    )


def test_a_booking_rolled_back_leaves_no_email_behind(procedure):
    with pytest.raises(RuntimeError), transaction.atomic():
        book(procedure, at(DAY, 9))
        raise RuntimeError("the request failed after the booking")

    assert not Reservation.objects.exists()
    assert not Email.objects.exists()


def test_the_same_promise_twice_writes_one_row(procedure):
    reservation = book(procedure, at(DAY, 9)).reservation
    from reservations import emails

    emails.booking_email_queue(reservation, "booking_confirmed")

    assert Email.objects.count() == 1


def test_the_confirmation_goes_out_on_commit_once(procedure, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        reservation = book(procedure, at(DAY, 9)).reservation

    row = Email.objects.get()
    assert row.status == EmailStatus.SENT and row.attempts == 1 and row.sent_at
    assert len(mail.outbox) == 1 and reservation.code in mail.outbox[0].body
    # A second relay (the sweep, a redelivered task) finds nothing to send.
    assert outbox.email_send(key=row.key) == ""
    assert outbox.emails_send_due(now=timezone.now() + dt.timedelta(days=1)) == 0
    assert len(mail.outbox) == 1


def test_a_booking_email_is_claimed_built_and_recorded_in_four_statements(
    procedure, django_assert_num_queries
):
    # given: a promised confirmation (with its reservation's language and parameters)
    reservation = book(procedure, at(DAY, 9)).reservation
    site_settings()  # cached for every e-mail and page

    # when: the relay sends it: claim and read the row (UPDATE … RETURNING), the
    # booking with its procedure, its consents, the outcome
    with django_assert_num_queries(4):
        status = outbox.email_send(key="booking-confirmed:%d" % reservation.pk)

    # then: it went out once, recorded as the first attempt
    row = Email.objects.get()
    assert status == EmailStatus.SENT
    assert (row.status, row.attempts, row.claimed_until) == (EmailStatus.SENT, 1, None)
    assert len(mail.outbox) == 1 and reservation.code in mail.outbox[0].body


def test_a_row_claimed_by_a_living_relay_is_left_alone_and_taken_over_after_its_lease(
    procedure, settings
):
    book(procedure, at(DAY, 9))
    now = timezone.now()
    Email.objects.update(status=EmailStatus.SENDING, claimed_until=now + dt.timedelta(minutes=5))

    assert outbox.emails_send_due(now=now) == 0
    assert mail.outbox == []

    # The relay died mid-send: after the lease another one sends it.
    assert outbox.emails_send_due(now=now + dt.timedelta(minutes=6)) == 1
    assert len(mail.outbox) == 1


def test_a_failed_send_is_retried_with_back_off_then_marked_failed(
    procedure, monkeypatch, settings
):
    settings.OUTBOX_RETRY_SECONDS = 60
    settings.OUTBOX_MAX_ATTEMPTS = 3
    book(procedure, at(DAY, 9))
    _smtp_down(monkeypatch)
    row = Email.objects.get()
    now = timezone.now()

    assert outbox.email_send(key=row.key, now=now) == EmailStatus.PENDING
    row.refresh_from_db()
    assert row.next_attempt_at == now + dt.timedelta(seconds=60)
    assert outbox.emails_send_due(now=now + dt.timedelta(seconds=30)) == 0  # not yet due

    second = now + dt.timedelta(seconds=60)
    assert outbox.email_send(key=row.key, now=second) == EmailStatus.PENDING
    row.refresh_from_db()
    assert row.next_attempt_at == second + dt.timedelta(seconds=120)  # doubled

    third = second + dt.timedelta(seconds=120)
    assert outbox.email_send(key=row.key, now=third) == EmailStatus.FAILED
    row.refresh_from_db()
    assert (row.status, row.attempts, row.claimed_until) == (EmailStatus.FAILED, 3, None)
    # No address in what is kept about the failure: the error's class and nothing else.
    assert row.last_error == "SMTPServerDisconnected"
    assert outbox.emails_send_due(now=third + dt.timedelta(days=1)) == 0


@pytest.mark.parametrize(
    "error, kept",
    [
        (
            smtplib.SMTPRecipientsRefused({"citizen1@example.jp": (550, b"no such user")}),
            "SMTPRecipientsRefused 550",
        ),
        (smtplib.SMTPDataError(554, b"rejected for citizen1@example.jp"), "SMTPDataError 554"),
    ],
)
def test_an_address_refused_for_good_fails_at_once_for_staff_to_see(
    procedure, monkeypatch, settings, error, kept
):
    """A 5xx refusal of the recipient or the message cannot succeed later: the row is
    failed on the first attempt (the booking's page and the outbox show it), not after
    eight retries spread over hours."""
    settings.OUTBOX_MAX_ATTEMPTS = 8
    book(procedure, at(DAY, 9))
    _smtp_down(monkeypatch, error)
    row = Email.objects.get()

    assert outbox.email_send(key=row.key) == EmailStatus.FAILED
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (EmailStatus.FAILED, 1, kept)


@pytest.mark.parametrize(
    "error",
    [
        smtplib.SMTPRecipientsRefused({"citizen1@example.jp": (450, b"mailbox busy")}),
        smtplib.SMTPSenderRefused(553, b"sender not allowed", "city@example.jp"),
        smtplib.SMTPAuthenticationError(535, b"bad login"),
    ],
)
def test_a_passing_refusal_or_a_server_set_up_error_is_retried(procedure, monkeypatch, error):
    """A 4xx reply passes; a refused sender or login is fixed in the server's set-up, after
    which the retries must go through without anyone pressing "send again"."""
    book(procedure, at(DAY, 9))
    _smtp_down(monkeypatch, error)

    assert outbox.email_send(key=Email.objects.get().key) == EmailStatus.PENDING


def test_an_smtp_reply_keeps_its_code_not_its_text(procedure, monkeypatch):
    book(procedure, at(DAY, 9))
    _smtp_down(monkeypatch, smtplib.SMTPDataError(554, b"rejected for citizen1@example.jp"))

    outbox.email_send(key=Email.objects.get().key)

    assert Email.objects.get().last_error == "SMTPDataError 554"


def test_send_again_resends_a_failed_email(procedure, monkeypatch, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 1
    book(procedure, at(DAY, 9))
    real_send = EmailMultiAlternatives.send
    _smtp_down(monkeypatch)
    row = Email.objects.get()
    assert outbox.email_send(key=row.key) == EmailStatus.FAILED
    monkeypatch.setattr(EmailMultiAlternatives, "send", real_send)

    assert outbox.emails_send_again(email_ids=[row.pk]) == 1
    assert outbox.emails_send_due() == 1

    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (EmailStatus.SENT, 1, "")
    assert len(mail.outbox) == 1


def test_every_change_of_a_booking_promises_its_email(procedure):
    procedure.requires_email_confirmation = True
    procedure.save()
    held = book(procedure, at(DAY, 9)).reservation
    services.reservation_confirm_email(reservation=held, now=NOW + dt.timedelta(minutes=5))
    moved = services.reservation_reschedule(
        reservation=held, new_start=at(DAY, 10), now=NOW + dt.timedelta(minutes=6)
    ).reservation
    services.reservation_cancel(reservation=moved, now=NOW + dt.timedelta(minutes=7))

    assert list(Email.objects.order_by("id").values_list("key", flat=True)) == [
        "booking-hold:%d" % held.pk,
        "booking-confirmed:%d" % held.pk,
        "booking-changed:%d" % moved.pk,
        "booking-cancelled:%d" % moved.pk,
    ]


def test_each_kind_is_rendered_from_its_own_template_in_the_booking_language(
    procedure, django_capture_on_commit_callbacks
):
    from django.utils import translation

    procedure.requires_email_confirmation = True
    procedure.save()
    with django_capture_on_commit_callbacks(execute=True), translation.override("en"):
        held = book(procedure, at(DAY, 9)).reservation
    with django_capture_on_commit_callbacks(execute=True):  # the relay runs in Japanese
        services.reservation_confirm_email(reservation=held, now=NOW + dt.timedelta(minutes=5))

    hold, confirmed = mail.outbox
    assert "15" in hold.subject
    assert hold.subject != confirmed.subject
    assert all(m.to == ["citizen1@example.jp"] for m in mail.outbox)
    # Both in English, the language of the booking, whatever the relay's language.
    assert not any("\u3040" <= ch <= "\u30ff" for ch in confirmed.subject)


def test_an_email_about_a_booking_that_is_gone_is_not_sent(procedure):
    reservation = book(procedure, at(DAY, 9)).reservation
    Email.objects.update(object_id=reservation.pk + 1000)

    assert outbox.email_send(key=Email.objects.get().key) == EmailStatus.SKIPPED
    assert mail.outbox == []


def test_sent_emails_are_forgotten_after_the_keeping_period(procedure, settings):
    settings.OUTBOX_KEEP_DAYS = 30
    book(procedure, at(DAY, 9))  # at NOW
    assert outbox.emails_send_due(now=NOW) == 1

    assert outbox.emails_purge(now=NOW + dt.timedelta(days=29)) == 0
    assert outbox.emails_purge(now=NOW + dt.timedelta(days=31)) == 1
    assert not Email.objects.exists()


def test_a_confirmation_sent_again_after_the_booking_was_cancelled_is_not_sent(procedure):
    reservation = book(procedure, at(DAY, 9)).reservation
    confirmation = Email.objects.get()
    outbox.email_send(key=confirmation.key)
    services.reservation_cancel(reservation=reservation, now=NOW)
    outbox.emails_send_due()
    mail.outbox.clear()

    assert outbox.emails_send_again(email_ids=[confirmation.pk]) == 1
    outbox.emails_send_due()

    confirmation.refresh_from_db()
    assert confirmation.status == EmailStatus.SKIPPED
    assert mail.outbox == []  # no "booking confirmed" for a cancelled booking


def test_a_confirmation_retried_after_a_move_is_not_sent_and_the_change_is(procedure, monkeypatch):
    reservation = book(procedure, at(DAY, 9)).reservation
    real_send = EmailMultiAlternatives.send
    _smtp_down(monkeypatch)
    outbox.email_send(key=Email.objects.get().key)  # fails: retried later
    monkeypatch.setattr(EmailMultiAlternatives, "send", real_send)
    services.reservation_reschedule(reservation=reservation, new_start=at(DAY, 10), now=NOW)

    outbox.emails_send_due(now=timezone.now() + dt.timedelta(hours=3))

    kinds = dict(Email.objects.values_list("kind", "status"))
    assert kinds == {"booking_confirmed": EmailStatus.SKIPPED, "booking_changed": EmailStatus.SENT}
    assert len(mail.outbox) == 1


def test_only_a_confirmed_booking_s_email_carries_its_qr_code(procedure):
    def images(message):
        return [a for a in message.attachments if getattr(a, "get_content_type", None)]

    reservation = book(procedure, at(DAY, 9)).reservation
    outbox.emails_send_due()
    services.reservation_cancel(reservation=reservation, now=NOW)
    outbox.emails_send_due()

    confirmed, cancelled = mail.outbox
    assert [image.get_content_type() for image in images(confirmed)] == ["image/png"]
    assert "cid:booking-qr" in confirmed.alternatives[0][0]
    assert images(cancelled) == [] and "cid:booking-qr" not in cancelled.alternatives[0][0]


def test_send_again_leaves_waiting_and_not_needed_rows_alone(procedure):
    book(procedure, at(DAY, 9))
    row = Email.objects.get()

    assert outbox.emails_send_again(email_ids=[row.pk]) == 0
    Email.objects.filter(pk=row.pk).update(status=EmailStatus.SKIPPED)
    assert outbox.emails_send_again(email_ids=[row.pk]) == 0
    assert Email.objects.get().status == EmailStatus.SKIPPED
