"""After the booking: its e-mails (the confirmation, the hold to confirm, the reminders),
the manage link, cancelling and rescheduling, and a hold that lapses."""

import datetime as dt

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.utils import translation

from reservations import selectors, services, tasks
from reservations.models import Counter, ReservationStatus
from tests.reservations.factories import DAY, NOW, add_clerk, at, book, citizen

pytestmark = pytest.mark.django_db


def test_confirmation_email_has_code_documents_calendar_and_manage_link(
    procedure, django_capture_on_commit_callbacks
):
    add_clerk(procedure)

    with django_capture_on_commit_callbacks(execute=True):
        result = book(procedure, at(DAY, 9))

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["citizen1@example.jp"]
    assert result.reservation.code in message.body
    assert "顔写真（6か月以内に撮影、縦4cm×横3cm）" in message.body
    assert "/booking/%s/" % result.token in message.body
    attachments = {a.filename: a.content for a in message.attachments if isinstance(a, tuple)}
    ics = attachments["madoguchi-%s.ics" % result.reservation.code]
    assert "DTSTART:20300612T000000Z" in ics  # 9:00 JST


def test_an_english_booking_gets_the_place_in_english_in_its_email(
    procedure, django_capture_on_commit_callbacks
):
    clerk = add_clerk(procedure)
    Counter.objects.filter(shifts__staff=clerk).update(
        name_en="Counter 5", location="本庁舎1階", location_en="Main building, 1st floor"
    )

    # The e-mail goes out on commit, after the page's language is gone: it is written in
    # the language the citizen booked in.
    with django_capture_on_commit_callbacks(execute=True), translation.override("en"):
        result = book(procedure, at(DAY, 9))

    assert result.reservation.language == "en"
    assert "Counter 5 (Main building, 1st floor)" in mail.outbox[0].body
    assert "本庁舎" not in mail.outbox[0].body


def test_manage_token_is_long_and_forged_tokens_find_nothing(procedure):
    add_clerk(procedure)
    result = book(procedure, at(DAY, 9))

    assert selectors.reservation_by_token(result.token) == result.reservation
    signature = result.token.rsplit("~", 1)[1]
    assert len(signature) * 6 >= 128
    forged = result.token[:-3] + ("AAA" if not result.token.endswith("AAA") else "BBB")
    assert selectors.reservation_by_token(forged) is None
    assert selectors.reservation_by_token("%s.guess~sig" % result.reservation.code) is None


def test_cancel_is_refused_after_the_cutoff(procedure):
    add_clerk(procedure)
    reservation = book(procedure, at(DAY, 9)).reservation

    with pytest.raises(services.BookingError) as error:
        services.reservation_cancel(reservation=reservation, now=at(DAY, 7, 30))

    assert error.value.code == "cutoff"
    reservation.refresh_from_db()
    assert reservation.status == ReservationStatus.CONFIRMED


def test_a_cancelled_slot_is_offered_again_only_after_the_delay(procedure, settings):
    settings.BOOKING_RERELEASE_DELAY_MINUTES = 30
    add_clerk(procedure, end=dt.time(9, 30))
    reservation = book(procedure, at(DAY, 9)).reservation
    services.reservation_cancel(reservation=reservation, now=NOW)

    soon = selectors.day_times(procedure=procedure, day=DAY, now=NOW + dt.timedelta(minutes=5))
    later = selectors.day_times(procedure=procedure, day=DAY, now=NOW + dt.timedelta(minutes=31))

    assert soon.slots == []
    assert [slot.start for slot in later.slots] == [at(DAY, 9)]
    with pytest.raises(services.BookingError):
        book(procedure, at(DAY, 9), citizen(2), now=NOW + dt.timedelta(minutes=5))


def test_reschedule_moves_the_booking_and_keeps_the_consents(procedure):
    add_clerk(procedure)
    old = book(procedure, at(DAY, 9)).reservation

    new = services.reservation_reschedule(
        reservation=old, new_start=at(DAY, 10), now=NOW
    ).reservation

    old.refresh_from_db()
    assert old.status == ReservationStatus.CANCELLED
    assert old.rescheduled_to == new
    assert new.start_at == at(DAY, 10)
    assert new.code != old.code
    assert list(new.consents.values_list("rule_text", flat=True)) == list(
        old.consents.values_list("rule_text", flat=True)
    )


def test_reschedule_to_a_taken_time_leaves_the_booking_unchanged(procedure):
    add_clerk(procedure)
    old = book(procedure, at(DAY, 9), citizen(1)).reservation
    book(procedure, at(DAY, 10), citizen(2))

    with pytest.raises(services.BookingError):
        services.reservation_reschedule(reservation=old, new_start=at(DAY, 10), now=NOW)

    old.refresh_from_db()
    assert old.status == ReservationStatus.CONFIRMED
    assert old.start_at == at(DAY, 9)


def test_reschedule_may_overlap_the_citizens_own_current_time(procedure):
    add_clerk(procedure, end=dt.time(10, 0))
    old = book(procedure, at(DAY, 9)).reservation

    new = services.reservation_reschedule(
        reservation=old, new_start=at(DAY, 9, 30), now=NOW
    ).reservation

    assert new.start_at == at(DAY, 9, 30)


def test_a_held_booking_is_confirmed_from_the_email(procedure, django_capture_on_commit_callbacks):
    procedure.requires_email_confirmation = True
    procedure.save()
    add_clerk(procedure)

    with django_capture_on_commit_callbacks(execute=True):
        reservation = book(procedure, at(DAY, 9)).reservation
    assert reservation.status == ReservationStatus.PENDING
    assert "15" in mail.outbox[0].subject

    with django_capture_on_commit_callbacks(execute=True):
        services.reservation_confirm_email(
            reservation=reservation, now=NOW + dt.timedelta(minutes=10)
        )

    reservation.refresh_from_db()
    assert reservation.status == ReservationStatus.CONFIRMED
    assert len(mail.outbox) == 2  # then the confirmation itself


def test_an_unconfirmed_hold_is_released_after_15_minutes(procedure):
    procedure.requires_email_confirmation = True
    procedure.save()
    add_clerk(procedure, end=dt.time(9, 30))
    held = book(procedure, at(DAY, 9), citizen(1)).reservation

    assert selectors.day_times(procedure=procedure, day=DAY, now=NOW).slots == []
    later = NOW + dt.timedelta(minutes=16)
    assert services.reservations_expire_holds(now=later) == 1

    held.refresh_from_db()
    assert held.status == ReservationStatus.EXPIRED
    with pytest.raises(services.BookingError) as error:
        services.reservation_confirm_email(reservation=held, now=later)
    assert error.value.code == "hold_lapsed"
    assert book(procedure, at(DAY, 9), citizen(2), now=later).reservation.pk


def test_a_lapsed_hold_does_not_block_the_slot_before_the_release_job_runs(procedure):
    procedure.requires_email_confirmation = True
    procedure.save()
    add_clerk(procedure, end=dt.time(9, 30))
    held = book(procedure, at(DAY, 9), citizen(1)).reservation
    later = NOW + dt.timedelta(minutes=16)  # the beat job has not run yet

    second = book(procedure, at(DAY, 9), citizen(2), now=later).reservation

    held.refresh_from_db()
    assert held.status == ReservationStatus.EXPIRED
    assert second.staff_id == held.staff_id


def test_email_confirmation_needs_an_email_address(procedure):
    procedure.requires_email_confirmation = True
    procedure.save()
    add_clerk(procedure)

    with pytest.raises(services.BookingError) as error:
        book(procedure, at(DAY, 9), citizen(1, email="", phone="0312345678"))

    assert error.value.code == "email_required"


def test_the_hold_texts_say_the_hold_time_in_the_citizens_language(
    procedure, django_capture_on_commit_callbacks
):
    from reservations.forms import CitizenDetailsForm

    # given a procedure whose bookings are held until confirmed from the e-mail
    procedure.requires_email_confirmation = True
    procedure.save()
    add_clerk(procedure, end=dt.time(9, 30))
    minutes = services.HOLD_MINUTES
    # when a citizen books it in Japanese, and lets the hold lapse
    with translation.override("ja"), django_capture_on_commit_callbacks(execute=True):
        held = book(procedure, at(DAY, 9)).reservation
        form = CitizenDetailsForm(rules=[], email_required=True)
    later = NOW + dt.timedelta(minutes=minutes + 1)
    with translation.override("ja"), pytest.raises(services.BookingError) as error:
        services.reservation_confirm_email(reservation=held, now=later)
    # then the form, the e-mail's subject and the refusal name the hold time, translated
    assert "%d分間" % minutes in str(form.fields["email"].help_text)
    assert mail.outbox[0].subject == "%d分以内に予約を確定してください" % minutes
    assert error.value.code == services.BookingErrorCode.HOLD_LAPSED
    with translation.override("ja"):
        assert str(error.value.message).startswith("%d分以内に確認がなかったため" % minutes)


def test_reminders_go_out_once_for_tomorrows_bookings(
    procedure, monkeypatch, django_capture_on_commit_callbacks
):
    add_clerk(procedure)
    book(procedure, at(DAY, 9), citizen(1))
    mail.outbox.clear()
    the_day_before = at(DAY - dt.timedelta(days=1), 10)
    monkeypatch.setattr("reservations.tasks.timezone.now", lambda: the_day_before)

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.reservations_send_reminders() == 1
        assert tasks.reservations_send_reminders() == 0

    assert len(mail.outbox) == 1
    assert "citizen1@example.jp" in mail.outbox[0].to


def test_a_failed_reminder_is_retried_by_the_outbox_sweep(
    procedure, monkeypatch, django_capture_on_commit_callbacks
):
    from outbox.models import Email, EmailStatus
    from outbox.services import emails_send_due

    add_clerk(procedure)
    with django_capture_on_commit_callbacks(execute=True):
        book(procedure, at(DAY, 9), citizen(1))
    mail.outbox.clear()
    monkeypatch.setattr(
        "reservations.tasks.timezone.now", lambda: at(DAY - dt.timedelta(days=1), 10)
    )
    real_send = EmailMultiAlternatives.send

    def failing(message, fail_silently=False):
        raise OSError("SMTP down")

    monkeypatch.setattr(EmailMultiAlternatives, "send", failing)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.reservations_send_reminders() == 1
    reminder = Email.objects.get(kind="booking_reminder")
    assert reminder.status == EmailStatus.PENDING
    assert reminder.last_error == "OSError"
    monkeypatch.setattr(EmailMultiAlternatives, "send", real_send)

    assert tasks.reservations_send_reminders() == 0  # not promised twice
    assert emails_send_due(now=reminder.next_attempt_at) == 1
    assert len(mail.outbox) == 1
    assert "citizen1@example.jp" in mail.outbox[0].to
