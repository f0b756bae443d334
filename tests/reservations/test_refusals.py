"""A time the calendar never offered is refused with its real reason, never "just taken",
and such a URL never shows the booking form."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation

from reservations import services
from tests.reservations.factories import (
    DAY,
    NOW,
    add_clerk,
    add_shift,
    at,
    citizen,
    close_day,
    consents,
    open_day,
    procedure_with,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _japanese():
    with translation.override("ja"):
        yield


@pytest.fixture
def procedure():
    procedure = procedure_with(booking_horizon_days=60, lead_time_minutes=60)
    clerk = add_clerk(procedure, day=DAY, start=dt.time(9, 0), end=dt.time(12, 0))
    add_shift(clerk, day=DAY, start=dt.time(13, 0), end=dt.time(17, 0))
    return procedure


def refusal(procedure, start, now=NOW):
    with pytest.raises(services.BookingError) as caught:
        services.reservation_book(
            procedure=procedure,
            start=start,
            citizen=citizen(2),
            consented_rules=consents(procedure),
            now=now,
        )
    return caught.value


def test_a_closed_day_is_refused_as_closed_with_its_reason(procedure):
    close_day(DAY, "庁舎点検")

    error = refusal(procedure, at(DAY, 9))

    assert error.code == "closed"
    assert "庁舎点検" in str(error.message)
    assert "埋まりました" not in str(error.message)


def test_a_public_holiday_is_refused_as_closed_with_the_holidays_name(procedure):
    holiday = dt.date(2030, 7, 15)  # 海の日 (third Monday of July)
    add_clerk(procedure, day=holiday)

    error = refusal(procedure, at(holiday, 9))

    assert error.code == "closed"
    assert "海の日" in str(error.message)


def test_a_weekend_without_shifts_is_refused_as_closed(procedure):
    saturday = dt.date(2030, 6, 15)

    error = refusal(procedure, at(saturday, 9))

    assert error.code == "closed"


def test_a_weekday_without_a_shift_is_refused_as_not_offered(procedure):
    error = refusal(procedure, at(DAY + dt.timedelta(days=1), 9))

    assert error.code == "no_service"


def test_the_lunch_hour_is_refused_as_outside_the_hours_and_names_them(procedure):
    error = refusal(procedure, at(DAY, 12, 0))

    assert error.code == "outside_hours"
    assert "9:00–12:00, 13:00–17:00" in str(error.message)


def test_a_time_after_closing_is_refused_as_outside_the_hours(procedure):
    assert refusal(procedure, at(DAY, 16, 45)).code == "outside_hours"


def test_a_start_within_the_hours_whose_visit_runs_past_them_says_so(procedure):
    """11:45 is within 9:00–12:00: "outside the hours" was not the reason (helper 43)."""
    with translation.override("en"):
        message = str(refusal(procedure, at(DAY, 11, 45)).message)

    assert "11:45 is outside" not in message
    assert "would run past the end of the hours" in message and "earlier time" in message


def test_a_time_off_the_grid_is_refused_as_off_the_grid(procedure):
    error = refusal(procedure, at(DAY, 9, 10))

    assert error.code == "off_grid"
    assert "30" in str(error.message)


def test_a_day_beyond_the_horizon_is_refused_with_the_last_bookable_day(procedure):
    far = DAY + dt.timedelta(days=63)  # a Wednesday
    add_clerk(procedure, day=far)

    error = refusal(procedure, at(far, 9))

    assert error.code == "beyond_horizon"
    assert "2030年8月9日" in str(error.message)  # NOW + 60 days


def test_a_past_time_is_refused_as_past(procedure):
    error = refusal(procedure, at(DAY, 9), now=at(DAY, 10))

    assert error.code == "past"


def test_a_time_inside_the_lead_time_is_refused_as_too_soon(procedure):
    error = refusal(procedure, at(DAY, 10), now=at(DAY, 9, 30))

    assert error.code == "too_late"
    assert "60" in str(error.message)


def test_only_an_offered_time_that_is_taken_is_called_just_taken(procedure):
    services.reservation_book(
        procedure=procedure,
        start=at(DAY, 9),
        citizen=citizen(1),
        consented_rules=consents(procedure),
        now=NOW,
    )

    error = refusal(procedure, at(DAY, 9))

    assert error.code == "slot_taken"


# --- The pages (real clock) ---------------------------------------------------------


@pytest.fixture
def live_procedure():
    day = open_day(10)
    procedure = procedure_with(clerk_days=[day], code="resident-record")
    procedure.test_day = day
    return procedure


def details(procedure, day, hhmm):
    return reverse("reservations:details", args=[procedure.code, day, hhmm])


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("closed", "臨時休業"),
        ("lunch", "9:00–12:00"),
        ("off_grid", "30分ごと"),
        ("no_service", "受け付けていません"),
        ("past", "過ぎて"),
    ],
)
def test_the_form_is_never_shown_for_a_time_never_offered(client, live_procedure, case, expected):
    day = live_procedure.test_day
    hhmm = "0900"
    if case == "closed":
        close_day(day, "臨時休業")
    elif case == "lunch":
        hhmm = "1200"
    elif case == "off_grid":
        hhmm = "0910"
    elif case == "no_service":
        day = open_day(20)
    elif case == "past":
        day = dt.date.today() - dt.timedelta(days=1)

    response = client.get(details(live_procedure, day, hhmm))

    assert response.status_code == 302
    assert response["Location"] == reverse("reservations:day", args=[live_procedure.code, day])
    shown = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert expected in shown
    assert "埋まりました" not in shown
    page = client.get(response["Location"])
    assert "form" not in page.context or page.context.get("form") is None
