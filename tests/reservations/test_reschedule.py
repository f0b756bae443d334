"""Rescheduling is a two-step change (choose, then confirm "from → to"); the e-mail says
what changed; one calendar event per booking moves or is removed (RFC 5545)."""

import datetime as dt

import icalendar
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from reservations import services
from reservations.models import ConsentRecord, Reservation, ReservationStatus
from tests.reservations.factories import ProcedureFactory, add_clerk, add_rule, at, first_open_day
from tests.reservations.test_views import book_via_service

pytestmark = pytest.mark.django_db


# Two months ahead, so the calendar's opening month differs from this month.
BOOKED_DAY = first_open_day((dt.date.today().replace(day=1) + dt.timedelta(days=45)).replace(day=3))
NEXT_DAY = first_open_day(BOOKED_DAY + dt.timedelta(days=1))


@pytest.fixture
def procedure():
    procedure = ProcedureFactory(code="seal-registration", booking_horizon_days=120)
    add_rule(procedure, "印鑑")
    add_clerk(procedure, day=BOOKED_DAY)
    add_clerk(procedure, day=NEXT_DAY)
    return procedure


@pytest.fixture
def booking(procedure):
    return book_via_service(procedure, BOOKED_DAY)


def parse(body: bytes):
    calendar = icalendar.Calendar.from_ical(body)
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def confirm_url(token, day=NEXT_DAY, hhmm="1030"):
    return reverse("reservations:reschedule_confirm", args=[token, day, hhmm])


def test_the_reschedule_calendar_opens_at_the_bookings_month(client, booking):
    response = client.get(reverse("reservations:reschedule", args=[booking.token]))

    assert response.context["month"].first_day == BOOKED_DAY.replace(day=1)


def test_choosing_a_time_shows_from_and_to_and_changes_nothing(client, booking):
    response = client.get(confirm_url(booking.token), HTTP_ACCEPT_LANGUAGE="en")

    content = response.content.decode()
    assert response.status_code == 200
    assert "9:00–9:30" in content and "10:30–11:00" in content
    assert Reservation.objects.get().start_at == at(BOOKED_DAY, 9)


def test_the_times_of_the_reschedule_page_link_to_the_confirmation_step(client, booking):
    response = client.get(
        reverse("reservations:reschedule", args=[booking.token]), {"date": NEXT_DAY}
    )

    assert confirm_url(booking.token, hhmm="0900") in response.content.decode()
    assert "<button" not in response.content.decode().split('id="times"')[1].split("</div>")[0]


def test_confirming_moves_the_booking_and_the_email_says_what_changed(
    client, booking, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(confirm_url(booking.token), follow=True)

    old = Reservation.objects.get(pk=booking.reservation.pk)
    new = old.rescheduled_to
    assert new.start_at == at(NEXT_DAY, 10, 30)
    assert new.code in response.content.decode()
    (message,) = mail.outbox
    assert "9:00" in message.body and "10:30" in message.body
    assert old.code in message.body and new.code in message.body
    assert "使えません" in message.body  # the old code no longer works
    (ics,) = [a for a in message.attachments if isinstance(a, tuple) and a[0].endswith(".ics")]
    calendar, event = parse(ics[1].encode())
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == new.calendar_uid == old.calendar_uid
    assert int(event["SEQUENCE"]) == 1


def test_a_time_never_offered_is_refused_with_its_reason_on_the_confirmation_step(client, booking):
    response = client.get(confirm_url(booking.token, hhmm="0910"), follow=True)

    assert "30分ごと" in response.content.decode()
    assert Reservation.objects.count() == 1


def test_the_calendar_file_keeps_one_uid_through_changes_and_cancels_it(client, booking):
    first = client.get(reverse("reservations:ics", args=[booking.token]))
    client.post(confirm_url(booking.token))
    new = Reservation.objects.get(status=ReservationStatus.CONFIRMED)
    token = services.manage_token_for(new)
    moved = client.get(reverse("reservations:ics", args=[token]))
    client.post(reverse("reservations:cancel", args=[token]))
    cancelled = client.get(reverse("reservations:ics", args=[token]))

    steps = [parse(r.content) for r in (first, moved, cancelled)]
    assert len({str(event["UID"]) for _calendar, event in steps}) == 1
    assert [int(event["SEQUENCE"]) for _calendar, event in steps] == [0, 1, 2]
    assert [str(calendar["METHOD"]) for calendar, _event in steps] == [
        "REQUEST",
        "REQUEST",
        "CANCEL",
    ]
    assert str(steps[2][1]["STATUS"]) == "CANCELLED"
    assert steps[1][1].decoded("DTSTART") == at(NEXT_DAY, 10, 30).astimezone(dt.UTC)


def test_the_cancellation_email_carries_a_calendar_cancel(
    booking, django_capture_on_commit_callbacks
):
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.reservation_cancel(reservation=booking.reservation)

    (message,) = mail.outbox
    (ics,) = [a for a in message.attachments if isinstance(a, tuple) and a[0].endswith(".ics")]
    calendar, event = parse(ics[1].encode())
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(event["UID"]) == booking.reservation.calendar_uid


def test_after_a_rule_changed_the_citizen_agrees_to_the_new_wording_to_reschedule(
    client, procedure, booking
):
    rule = procedure.document_rules.get()
    rule.text = "印鑑（登録するもの）"
    services.document_rule_save(rule=rule, wording_changed=True)

    page = client.get(reverse("reservations:reschedule", args=[booking.token]))
    refused = client.post(confirm_url(booking.token))
    agreed = client.post(
        confirm_url(booking.token),
        {"rule_%d" % rule.pk: "on", "rule_%d_version" % rule.pk: 2},
    )

    assert "印鑑（登録するもの）" in page.content.decode()
    assert refused.status_code == 200 and refused.context["form"].errors
    assert agreed.status_code == 302
    new = Reservation.objects.get(status=ReservationStatus.CONFIRMED)
    consent = ConsentRecord.objects.get(reservation=new)
    assert (consent.rule_text, consent.rule_version) == ("印鑑（登録するもの）", 2)
    assert consent.agreed_at > timezone.now() - dt.timedelta(minutes=1)
