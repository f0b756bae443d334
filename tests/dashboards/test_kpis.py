"""Each KPI's definition, held to small hand-made data."""

import datetime as dt
import functools
from decimal import Decimal

import pytest

from complaints import services as complaint_services
from complaints.models import Category
from dashboards import periods, rollup, selectors
from dashboards.models import Kpi, Target
from notices.models import LetterBatch
from organization.models import Role
from reservations.models import ReservationStatus, VisitKind
from tests.complaints.factories import close, department_with_head, record
from tests.dashboards.factories import booking, procedure_with_clerk, visit
from tests.organization.factories import make_staff_member
from tests.reservations.factories import at

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 7, 15)  # a Tuesday in fiscal 2025 Q2 (July–September)
Q2 = periods.quarter(2025, 2)
EVERYTHING = selectors.Filters()


@pytest.fixture
def counter_day():
    procedure, clerk = procedure_with_clerk(DAY)
    a = booking(procedure, clerk, at(DAY, 10), email="a@example.jp")
    b = booking(procedure, clerk, at(DAY, 11), email="b@example.jp")
    c = booking(procedure, clerk, at(DAY, 14), email="a@example.jp")  # a booked before
    booking(procedure, clerk, at(DAY, 13), email="c@example.jp", status=ReservationStatus.CANCELLED)
    booked = functools.partial(visit, procedure, DAY, kind=VisitKind.BOOKED)
    # Came early: waits from the booked time (10:00), called at 10:05.
    booked(reservation=a, arrived=at(DAY, 9, 50), wait=5, handle=10, answer=5)
    # Came late: waits from arrival.
    booked(reservation=b, arrived=at(DAY, 11, 10), wait=2, handle=20, answer=3)
    booked(reservation=c, no_show=True)
    visit(procedure, DAY, arrived=at(DAY, 9), wait=30, handle=10, answer=4)
    visit(procedure, DAY, arrived=at(DAY, 9, 30), wait=50, handle=12)
    rollup.facts_refresh([DAY, DAY - dt.timedelta(days=3)])
    return procedure


def values(period=Q2, filters=EVERYTHING):
    return {k.code: k for k in selectors.kpis(period, filters)}


def test_counter_kpis_follow_their_definitions(counter_day):
    kpi = values()

    assert kpi[Kpi.SATISFACTION].value == 66.7  # 2 of 3 answers are 4 or 5
    assert kpi[Kpi.SATISFACTION].basis == "3 answers"
    assert kpi[Kpi.RESPONSE_RATE].value == 75.0  # 3 answers, 4 finished visits
    assert kpi[Kpi.ONLINE_SHARE].value == 50.0  # 2 booked of 4 who came
    assert kpi[Kpi.BOOKING_COMPLETION].value == 50.0  # 2 served of 4 due (1 cancelled, 1 absent)
    assert kpi[Kpi.NO_SHOW_RATE].value == 33.3  # 1 of 3 booked visits due
    assert (kpi[Kpi.WAIT_P50_BOOKED].value, kpi[Kpi.WAIT_P90_BOOKED].value) == (2.0, 5.0)
    assert (kpi[Kpi.WAIT_P50_WALK_IN].value, kpi[Kpi.WAIT_P90_WALK_IN].value) == (30.0, 50.0)
    assert kpi[Kpi.HANDLING_P50].value == 10.0
    assert kpi[Kpi.RETENTION].value == 25.0  # a@ booked online before: 1 of 4 online bookings


def test_an_empty_period_has_no_values_rather_than_zeros(counter_day):
    kpi = values(periods.quarter(2025, 3))

    assert all(k.value is None for k in kpi.values())
    assert kpi[Kpi.SATISFACTION].basis == "0 answers"


def test_a_period_without_answers_shows_no_satisfaction_but_the_visits(counter_day):
    from reservations.models import SurveyAnswer

    SurveyAnswer.objects.all().delete()
    rollup.facts_refresh([DAY])
    kpi = values()

    assert kpi[Kpi.SATISFACTION].value is None
    assert kpi[Kpi.RESPONSE_RATE].value == 0.0
    assert kpi[Kpi.ONLINE_SHARE].value == 50.0


def test_filters_by_procedure_and_department(counter_day):
    other, _clerk = procedure_with_clerk(DAY)
    visit(other, DAY, arrived=at(DAY, 9), wait=5, handle=5)
    rollup.facts_refresh([DAY])

    only_other = values(filters=selectors.Filters(procedure_id=other.pk))
    department = values(filters=selectors.Filters(department_id=counter_day.department_id))

    assert only_other[Kpi.ONLINE_SHARE].value == 0.0  # its one visit was a walk-in
    assert department[Kpi.ONLINE_SHARE].value == 50.0


def test_months_and_the_fiscal_year_add_up_the_same_days(counter_day):
    month = values(periods.period_containing(DAY, "month"))
    year = values(periods.period_containing(DAY, "year"))

    assert month[Kpi.ONLINE_SHARE].value == year[Kpi.ONLINE_SHARE].value == 50.0
    assert periods.period_containing(DAY, "year").key == "2025"


def test_targets_are_compared_in_the_kpis_direction(counter_day):
    Target.objects.create(fiscal_year=2025, quarter=2, kpi=Kpi.SATISFACTION, value=Decimal("70"))
    Target.objects.create(fiscal_year=2025, quarter=2, kpi=Kpi.NO_SHOW_RATE, value=Decimal("40"))

    kpi = values()

    assert kpi[Kpi.SATISFACTION].met is False  # 66.7 < 70, higher is better
    assert kpi[Kpi.NO_SHOW_RATE].met is True  # 33.3 <= 40, lower is better
    assert kpi[Kpi.ONLINE_SHARE].met is None  # no target


def test_letter_conversion_counts_bookings_within_30_days_of_mailing(rule):
    procedure = rule.procedure
    from tests.reservations.factories import add_clerk

    clerk = add_clerk(procedure, day=DAY)
    mailed = at(DAY - dt.timedelta(days=40), 9)
    batch = LetterBatch.objects.create(rule=rule, created_at=mailed, mailed_at=mailed)
    from tests.notices.factories import batch_letters

    letters = batch_letters(rule, batch, 4)
    # Booked through the letters 3, 29 and 31 days after mailing: the last too late to count.
    for letter, hour, days in zip(letters[:3], (10, 11, 12), (3, 29, 31), strict=True):
        made = mailed + dt.timedelta(days=days)
        booking(procedure, clerk, at(DAY, hour), referral_code=letter.code, created_at=made)

    rollup.letter_facts_refresh(all_batches=True)
    rows = selectors.letter_batches(periods.period_containing(mailed.date(), "quarter"), EVERYTHING)

    assert [(r["letters"], r["converted"], r["rate"]) for r in rows] == [(4, 2, 50.0)]


@pytest.fixture
def complaint_city():
    shimin, head = department_with_head("shimin")
    clerk = make_staff_member(department=shimin)
    manager = make_staff_member(role=Role.MANAGER, department=shimin)
    return shimin, head, clerk, manager


def test_complaint_kpis_follow_their_definitions(counter_day, complaint_city):
    shimin, head, clerk, manager = complaint_city
    received = at(DAY, 10)
    first = record(clerk, received_at=received, procedure=counter_day)
    # Level 1: initial report due within 3 business days; this one is on time.
    complaint_services.complaint_report_submit(
        complaint=first, actor=clerk, kind="initial", body="r", at=received + dt.timedelta(days=1)
    )
    second = record(clerk, received_at=received, procedure=counter_day)
    complaint_services.complaint_report_submit(
        complaint=second, actor=clerk, kind="initial", body="r", at=received + dt.timedelta(days=9)
    )
    close(first, handler=clerk, owner_department=shimin, owner_member=head, approver=manager)
    first.refresh_from_db()
    rollup.facts_refresh_changed()  # the job: the months of these complaints

    start, end = (
        dt.datetime.combine(Q2.start, dt.time.min, tzinfo=received.tzinfo),
        dt.datetime.combine(Q2.end, dt.time.min, tzinfo=received.tzinfo),
    )
    kpi = values()

    assert kpi[Kpi.COMPLAINTS_PER_1000].value == 500.0  # 2 complaints, 4 visits
    assert kpi[Kpi.REPORTS_ON_TIME].value == 50.0
    # Closed today, so the days to close belong to the quarter of today, not Q2.
    assert kpi[Kpi.DAYS_TO_CLOSE].value is None
    today_quarter = values(periods.period_containing(first.closed_at.date(), "quarter"))
    assert today_quarter[Kpi.DAYS_TO_CLOSE].value == float(first.days_to_close)
    assert start < received < end


def test_recurrence_counts_complaints_of_a_category_already_closed(complaint_city):
    shimin, head, clerk, manager = complaint_city
    april = dt.date(2025, 4, 8)
    old = record(clerk, received_at=at(april, 10))
    close(
        old,
        handler=clerk,
        owner_department=shimin,
        owner_member=head,
        approver=manager,
        at=[at(april, hour) for hour in (11, 12, 13, 14)],
    )
    record(clerk, received_at=at(DAY, 10))  # the same category came back
    other = Category.objects.get(name_ja="施設・設備")
    record(clerk, received_at=at(DAY, 11), category=other)
    rollup.facts_refresh_changed()

    rows = {r["category"]: r for r in selectors.complaint_categories(Q2, EVERYTHING)}

    waiting = rows["Waiting time"]  # English names on English pages
    assert (waiting["now"], waiting["before"], waiting["recurrences"]) == (1, 1, 1)
    assert (rows["Facilities"]["now"], rows["Facilities"]["recurrences"]) == (1, 0)


def test_overdue_now_counts_open_complaints_past_a_deadline(complaint_city):
    _shimin, _head, clerk, _manager = complaint_city
    record(clerk, received_at=at(dt.date(2025, 7, 1), 10))
    record(clerk)

    assert selectors.overdue_now(EVERYTHING) == 1


def test_the_dashboards_overdue_link_lists_what_it_counts(client, complaint_city):
    """Helper 42: 「期限を過ぎた未終結の苦情が 2 件」 linked to a list of 3 (an answer
    the manager's own department owed was listed too)."""
    from django.urls import reverse

    from complaints.models import Escalation
    from tests.complaints.factories import escalate

    shimin, _head, clerk, manager = complaint_city
    record(clerk, received_at=at(dt.date(2025, 7, 1), 10))
    owed = record(clerk)
    escalate(owed, by=clerk, to=shimin, role="information")
    Escalation.objects.filter(complaint=owed).update(due_on=dt.date(2025, 7, 1))
    client.force_login(manager.user)

    page = client.get(reverse("dashboards:complaints")).content.decode()
    listed = client.get(reverse("complaints:list"), {"overdue": "reports"})

    assert "?overdue=reports" in page
    assert listed.context["page"].paginator.count == selectors.overdue_now(EVERYTHING) == 1
    everything = client.get(reverse("complaints:list"), {"overdue": "1"})
    assert everything.context["page"].paginator.count == 2  # with the answer owed
