import datetime as dt

import pytest

from complaints import policy, services
from complaints.models import ComplaintEvent, EventKind, SeverityWeight
from complaints.services import ComplaintError
from organization.calendar import business_days_add
from organization.models import Role
from tests.complaints.factories import CALM, CRITICAL, MODERATE, record
from tests.organization.factories import make_staff_member
from tests.reservations.factories import at

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("answers", "level"),
    [
        (CALM, 1),
        (MODERATE, 2),  # financial 3 + dissatisfied 1
        ({"damage": "financial", "reach": "many", "emotion": "calm", "repeat": "first"}, 3),
        (CRITICAL, 4),
        ({"damage": "none", "reach": "one", "emotion": "angry", "repeat": "repeat"}, 2),
    ],
)
def test_default_policy_maps_the_four_factors_to_a_level(answers, level):
    assert policy.assess(**answers).level == level


def test_an_administrator_editing_the_weights_changes_the_level():
    SeverityWeight.objects.filter(factor="repeat", value="repeat").update(points=9)

    assert policy.assess(damage="none", reach="one", emotion="calm", repeat="repeat").level == 4


def test_a_complaint_cannot_be_recorded_below_the_policy_level():
    clerk = make_staff_member()

    with pytest.raises(ComplaintError, match="cannot be recorded lower"):
        record(clerk, severity=MODERATE, level=1)


def test_raising_the_level_needs_a_reason_and_is_in_the_timeline():
    clerk = make_staff_member()
    with pytest.raises(ComplaintError, match="reason"):
        record(clerk, level=3)

    complaint = record(clerk, level=3, level_reason="議員からの問い合わせあり")

    assert (complaint.policy_level, complaint.level) == (1, 3)
    change = complaint.events.get(kind=EventKind.LEVEL_CHANGED)
    assert "議員からの問い合わせあり" in change.text and change.actor == clerk


def test_only_a_manager_lowers_a_level_and_never_below_the_policy():
    clerk = make_staff_member()
    manager = make_staff_member(role=Role.MANAGER, department=clerk.department)
    complaint = record(clerk, severity=MODERATE, level=4, level_reason="報道の可能性")

    with pytest.raises(ComplaintError, match="Only a manager"):
        services.complaint_level_change(complaint=complaint, actor=clerk, level=3, reason="x")
    with pytest.raises(ComplaintError, match="cannot go lower"):
        services.complaint_level_change(complaint=complaint, actor=manager, level=1, reason="x")
    services.complaint_level_change(
        complaint=complaint, actor=manager, level=2, reason="報道の可能性なし"
    )

    complaint.refresh_from_db()
    assert complaint.level == 2
    assert complaint.events.filter(kind=EventKind.LEVEL_CHANGED).count() == 2


def test_business_days_skip_weekends_golden_week_and_the_year_end():
    # 2026-04-28 is a Tuesday; 29 April and 3–6 May are holidays.
    assert business_days_add(dt.date(2026, 4, 28), 3) == dt.date(2026, 5, 7)
    # Friday 25 December + 2: Monday 28th, then the closure until 3 January.
    assert business_days_add(dt.date(2026, 12, 25), 2) == dt.date(2027, 1, 4)
    assert business_days_add(dt.date(2026, 4, 28), 0) == dt.date(2026, 4, 28)


def test_deadlines_follow_the_level_in_business_days():
    clerk = make_staff_member()

    complaint = record(clerk, severity=MODERATE, received_at=at(dt.date(2026, 4, 28)))

    # Level 2: initial report in 2 business days, closing report in 10.
    assert complaint.initial_report_due == dt.date(2026, 5, 1)
    assert complaint.closing_report_due == dt.date(2026, 5, 18)
    assert complaint.next_progress_due is None


def test_raising_the_level_tightens_the_deadlines():
    clerk = make_staff_member()
    complaint = record(clerk, received_at=at(dt.date(2026, 4, 28)))
    assert complaint.initial_report_due == dt.date(2026, 5, 7)  # level 1: 3 days

    services.complaint_level_change(complaint=complaint, actor=clerk, level=4, reason="拡散")

    complaint.refresh_from_db()
    assert complaint.initial_report_due == dt.date(2026, 4, 28)  # level 4: the same day


def test_a_pause_moves_the_deadlines_by_the_business_days_it_lasted():
    clerk = make_staff_member()
    complaint = record(clerk, severity=MODERATE, received_at=at(dt.date(2026, 6, 1)))  # Monday
    assert complaint.closing_report_due == dt.date(2026, 6, 15)

    services.complaint_pause(
        complaint=complaint, actor=clerk, reason="市民の書類待ち", at=at(dt.date(2026, 6, 3))
    )
    complaint.refresh_from_db()
    assert complaint.overdue_reports(dt.date(2026, 12, 1)) == []  # paused: nothing overdue
    services.complaint_resume(complaint=complaint, actor=clerk, at=at(dt.date(2026, 6, 8)))

    complaint.refresh_from_db()
    # Wed 3, Thu 4, Fri 5 June did not count: three business days later.
    assert complaint.closing_report_due == dt.date(2026, 6, 18)
    assert complaint.initial_report_due == dt.date(2026, 6, 8)
    kinds = list(complaint.events.values_list("kind", flat=True))
    assert kinds[-2:] == [EventKind.PAUSED, EventKind.RESUMED]


def test_progress_reports_are_due_every_n_business_days_after_the_last_report():
    clerk = make_staff_member()
    complaint = record(clerk, severity=MODERATE, received_at=at(dt.date(2026, 6, 1)))

    report = services.complaint_report_submit(
        complaint=complaint,
        actor=clerk,
        kind="initial",
        body="初期報告",
        at=at(dt.date(2026, 6, 2)),
    )

    complaint.refresh_from_db()
    assert report.due_on == dt.date(2026, 6, 3) and report.on_time
    assert complaint.initial_report_due is None
    assert complaint.next_progress_due == dt.date(2026, 6, 9)  # every 5 business days
    late = services.complaint_report_submit(
        complaint=complaint, actor=clerk, kind="progress", body="経過", at=at(dt.date(2026, 6, 10))
    )
    assert late.on_time is False


def test_the_initial_report_is_submitted_once():
    clerk = make_staff_member()
    complaint = record(clerk)
    services.complaint_report_submit(complaint=complaint, actor=clerk, kind="initial", body="a")

    with pytest.raises(ComplaintError, match="already"):
        services.complaint_report_submit(complaint=complaint, actor=clerk, kind="initial", body="b")
    assert ComplaintEvent.objects.filter(kind=EventKind.REPORT).count() == 1
