"""A deadline counted from a closed day, or from after closing time, starts at the next
opening (QA: a critical complaint received on a Saturday, on 29 December, on a public
holiday or in the evening was due that very day, and overdue as soon as saved)."""

import datetime as dt

import pytest

from complaints.services.deadlines import clock_start, closing_time
from organization.services import site_settings_update
from tests.complaints.factories import CALM, CRITICAL, department_with_head, escalate, record
from tests.organization.factories import make_staff_member
from tests.reservations.factories import at

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 6, 1)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (at(MONDAY, 9), MONDAY),  # an ordinary morning: the same day, as before
        (at(dt.date(2026, 6, 5), 17, 0), dt.date(2026, 6, 5)),  # Friday before closing
        (at(dt.date(2026, 6, 6), 10), dt.date(2026, 6, 8)),  # Saturday: Monday
        (at(dt.date(2026, 6, 5), 18), dt.date(2026, 6, 8)),  # Friday evening: Monday
        (at(dt.date(2026, 6, 5), 17, 15), dt.date(2026, 6, 8)),  # at closing time
        (at(dt.date(2026, 12, 29), 10), dt.date(2027, 1, 4)),  # year-end closure
        (at(dt.date(2026, 11, 3), 10), dt.date(2026, 11, 4)),  # Culture Day
        (at(dt.date(2026, 12, 28), 20), dt.date(2027, 1, 4)),  # evening before the closure
    ],
)
def test_a_critical_initial_report_is_due_on_the_first_business_day_after_receipt(received, due):
    clerk = make_staff_member()

    complaint = record(clerk, severity=CRITICAL, received_at=received)

    assert complaint.initial_report_due == due
    assert complaint.overdue_reports(received.date()) == []


def test_days_are_counted_from_the_next_opening_after_a_weekend_receipt():
    clerk = make_staff_member()

    saturday = record(clerk, severity=CALM, received_at=at(dt.date(2026, 6, 6), 10))
    monday = record(clerk, severity=CALM, received_at=at(dt.date(2026, 6, 8), 10))

    # Level 1: three business days, counted as from Monday.
    assert saturday.initial_report_due == monday.initial_report_due == dt.date(2026, 6, 11)
    assert saturday.closing_report_due == monday.closing_report_due


def test_a_department_asked_on_a_closed_day_gets_its_full_answer_time():
    zeimu, _head = department_with_head("zeimu")
    koho, _koho_head = department_with_head("koho")
    clerk = make_staff_member(department=zeimu)
    complaint = record(clerk, received_at=at(dt.date(2026, 6, 5), 10))

    escalation = escalate(complaint, by=clerk, to=koho, at=at(dt.date(2026, 6, 6), 10))

    # Level 1: five business days from Monday 8 June.
    assert escalation.due_on == dt.date(2026, 6, 15)


def test_the_closing_time_is_read_from_the_sites_opening_hours():
    site_settings_update(opening_hours="平日 9時00分〜16時00分（土日祝・年末年始を除く）")

    assert closing_time() == dt.time(16, 0)
    assert clock_start(at(MONDAY, 16, 30)) == MONDAY + dt.timedelta(days=1)
    assert clock_start(at(MONDAY, 15, 59)) == MONDAY


def test_opening_hours_naming_no_time_close_at_a_quarter_past_five():
    site_settings_update(opening_hours="平日のみ")

    assert closing_time() == dt.time(17, 15)
