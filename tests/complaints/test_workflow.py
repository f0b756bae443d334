import datetime as dt

import pytest
from django.db import DatabaseError, IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from complaints import services
from complaints.models import (
    Complaint,
    ComplaintEvent,
    Escalation,
    EventKind,
    Status,
)
from complaints.services import ComplaintError
from organization.models import AccessLog, Role
from tests.append_only import assert_append_only
from tests.complaints.factories import (
    CRITICAL,
    MODERATE,
    close,
    department_with_head,
    escalate,
    owner_answers,
    record,
)
from tests.organization.factories import make_staff_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    shimin, shimin_head = department_with_head("shimin")
    fukushi, fukushi_head = department_with_head("fukushi")
    zeimu, zeimu_head = department_with_head("zeimu")
    clerk = make_staff_member(department=shimin)
    manager = make_staff_member(role=Role.MANAGER, department=shimin)
    return {
        "shimin": shimin,
        "shimin_head": shimin_head,
        "fukushi": fukushi,
        "fukushi_head": fukushi_head,
        "zeimu": zeimu,
        "zeimu_head": zeimu_head,
        "clerk": clerk,
        "manager": manager,
    }


def _closing_requested(city, complaint, *, handler, owner):
    """Department ``owner`` takes the countermeasure, its head answers, and ``handler``
    asks for the complaint to be closed."""
    department, head = city[owner], city[owner + "_head"]
    owner_answers(complaint, handler=city[handler], department=department, member=head)
    services.complaint_closing_request(complaint=complaint, actor=city[handler], body="完了")


def test_the_timeline_refuses_edits_and_deletes_in_python_and_in_the_database(city):
    complaint = record(city["clerk"])
    event = complaint.events.get()
    original = event.text

    assert_append_only(event, text="書き換え")

    assert ComplaintEvent.objects.get(pk=event.pk).text == original


def test_the_personal_data_access_log_cannot_be_rewritten(city):
    complaint = record(city["clerk"])
    services.personal_data_access_log(complaint=complaint, user=city["clerk"].user, view="detail")

    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLog.objects.all().delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLog.objects.update(view="other")
    access = AccessLog.objects.get()
    assert (access.object_type, access.object_id, access.view) == (
        "complaints.complaint",
        str(complaint.pk),
        "detail",
    )


def test_a_complaint_has_exactly_one_owner_of_the_countermeasure(city):
    complaint = record(city["clerk"])
    escalate(complaint, by=city["clerk"], to=city["fukushi"], role="owner", request="a")

    with pytest.raises(ComplaintError, match="exactly one"):
        escalate(complaint, by=city["clerk"], to=city["zeimu"], role="owner", request="b")
    # The database holds the line too.
    with pytest.raises(IntegrityError), transaction.atomic():
        Escalation.objects.create(
            complaint=complaint,
            department=city["zeimu"],
            role="owner",
            request="c",
            due_on=complaint.received_at.date(),
            requested_by=city["clerk"],
        )


def test_an_answer_cannot_be_due_on_a_day_the_city_hall_is_closed(client, city):
    """Helper 42 set an answer due on a Saturday; every other deadline counts business days."""
    complaint = record(city["clerk"])
    today = timezone.localdate()
    saturday = today + dt.timedelta(days=(5 - today.weekday()) % 7 or 7)
    client.force_login(city["clerk"].user)

    response = client.post(
        reverse("complaints:action", args=[complaint.pk, "escalate"]),
        {
            "escalate-department": city["zeimu"].pk,
            "escalate-role": "joint",
            "escalate-request": "調査",
            "escalate-due_on": saturday.isoformat(),
        },
    )

    assert "%s は市役所の開庁日ではありません" % saturday.isoformat() in response.content.decode()
    assert not complaint.escalations.exists()


def test_escalation_moves_the_complaint_to_investigation_with_a_due_date(city):
    complaint = record(city["clerk"], severity=MODERATE)

    escalation = escalate(
        complaint, by=city["clerk"], to=city["zeimu"], role="joint", request="調査"
    )

    complaint.refresh_from_db()
    assert complaint.status == Status.INVESTIGATING
    assert escalation.due_on > complaint.received_at.date()
    assert complaint.events.filter(kind=EventKind.ESCALATED).count() == 1


def test_closing_needs_the_owners_root_cause_and_countermeasure(city):
    complaint = record(city["clerk"])
    with pytest.raises(ComplaintError, match="owner"):
        services.complaint_closing_request(complaint=complaint, actor=city["clerk"], body="完了")
    escalation = escalate(
        complaint, by=city["clerk"], to=city["fukushi"], role="owner", request="a"
    )
    with pytest.raises(ComplaintError, match="root cause"):
        services.complaint_closing_request(complaint=complaint, actor=city["clerk"], body="完了")
    with pytest.raises(ComplaintError, match="root cause"):
        services.escalation_respond(
            escalation=escalation, actor=city["fukushi_head"], response="了解", root_cause="原因"
        )
    services.escalation_respond(
        escalation=escalation,
        actor=city["fukushi_head"],
        response="了解",
        root_cause="案内表示の不足",
        countermeasure="案内表示を増設",
    )
    services.complaint_closing_request(complaint=complaint, actor=city["clerk"], body="完了")

    complaint.refresh_from_db()
    assert complaint.status == Status.AWAITING_APPROVAL
    assert complaint.closing_report_due is None


def test_level_two_is_approved_by_the_owner_departments_head_not_by_its_staff(city):
    complaint = record(city["clerk"], severity=MODERATE)
    fukushi_staff = make_staff_member(role=Role.DEPARTMENT_STAFF, department=city["fukushi"])
    escalation = escalate(
        complaint, by=city["clerk"], to=city["fukushi"], role="owner", request="a"
    )
    services.escalation_respond(
        escalation=escalation, actor=fukushi_staff, response="r", root_cause="c", countermeasure="m"
    )
    services.complaint_closing_request(complaint=complaint, actor=city["clerk"], body="完了")

    for wrong in (fukushi_staff, city["zeimu_head"], city["clerk"]):
        with pytest.raises(ComplaintError, match="approved by"):
            services.complaint_approve(complaint=complaint, actor=wrong, user=wrong.user)
    services.complaint_approve(
        complaint=complaint, actor=city["fukushi_head"], user=city["fukushi_head"].user
    )

    complaint.refresh_from_db()
    assert complaint.status == Status.CLOSED and complaint.closed_at
    assert (complaint.root_cause, complaint.countermeasure) == ("c", "m")


def test_level_four_needs_a_manager_and_the_requester_cannot_approve_their_own(city):
    complaint = record(city["manager"], severity=CRITICAL)
    _closing_requested(city, complaint, handler="manager", owner="fukushi")

    with pytest.raises(ComplaintError, match="approved by"):
        services.complaint_approve(
            complaint=complaint, actor=city["fukushi_head"], user=city["fukushi_head"].user
        )
    with pytest.raises(ComplaintError, match="does not approve"):
        services.complaint_approve(
            complaint=complaint, actor=city["manager"], user=city["manager"].user
        )
    director = make_staff_member(role=Role.MANAGER, department=city["zeimu"])
    services.complaint_approve(complaint=complaint, actor=director, user=director.user)

    assert Complaint.objects.get(pk=complaint.pk).status == Status.CLOSED


def test_a_refused_closing_is_due_again_and_a_closed_complaint_reopens_with_a_reason(city):
    complaint = record(city["clerk"])
    _closing_requested(city, complaint, handler="clerk", owner="shimin")
    services.complaint_approval_refuse(
        complaint=complaint, actor=city["manager"], user=city["manager"].user, reason="説明不足"
    )
    complaint.refresh_from_db()
    assert complaint.status == Status.INVESTIGATING and complaint.closing_report_due

    services.complaint_closing_request(complaint=complaint, actor=city["clerk"], body="再提出")
    services.complaint_approve(
        complaint=complaint, actor=city["manager"], user=city["manager"].user
    )
    with pytest.raises(ComplaintError, match="reason"):
        services.complaint_reopen(complaint=complaint, actor=city["clerk"], reason=" ")
    services.complaint_reopen(complaint=complaint, actor=city["clerk"], reason="同じ苦情が再度")

    complaint.refresh_from_db()
    assert complaint.status == Status.INVESTIGATING and complaint.closed_at is None
    assert complaint.closing_report_due is not None
    assert list(complaint.events.values_list("kind", flat=True)) == [
        EventKind.CREATED,
        EventKind.ESCALATED,
        EventKind.RESPONDED,
        EventKind.CLOSING_REQUESTED,
        EventKind.APPROVAL_REFUSED,
        EventKind.CLOSING_REQUESTED,
        EventKind.APPROVED,
        EventKind.REOPENED,
    ]


def test_a_closed_complaint_takes_no_more_escalations(city):
    complaint = close(
        record(city["clerk"]),
        handler=city["clerk"],
        owner_department=city["shimin"],
        owner_member=city["shimin_head"],
        approver=city["manager"],
    )

    with pytest.raises(ComplaintError, match="closed"):
        escalate(complaint, by=city["clerk"], to=city["zeimu"], role="joint", request="x")


def test_what_the_system_wrote_on_the_timeline_reads_in_each_readers_language(city, client):
    from django.urls import reverse
    from django.utils import translation

    from complaints.timeline import event_text

    with translation.override("en"):
        complaint = record(city["clerk"], level=3, level_reason="議員からの問い合わせあり")
        escalate(complaint, by=city["clerk"], to=city["fukushi"], role="information")
        owner_answers(
            complaint, handler=city["clerk"], department=city["zeimu"], member=city["zeimu_head"]
        )
    created = complaint.events.get(kind=EventKind.CREATED)
    answered = complaint.events.get(kind=EventKind.RESPONDED)
    raised = complaint.events.get(kind=EventKind.LEVEL_CHANGED)
    escalated = complaint.events.filter(kind=EventKind.ESCALATED).first()
    assert created.text.startswith("Level 1 by the policy")  # as recorded

    with translation.override("ja"):
        assert "基準により" in event_text(created) and "Level" not in event_text(created)
        assert "議員からの問い合わせあり" in event_text(raised)
        assert "Raised" not in event_text(raised)
        assert city["fukushi"].name in event_text(escalated)
        assert "information" not in event_text(escalated).lower()
        assert "根本原因" in event_text(answered) and "Root cause" not in event_text(answered)
    with translation.override("en"):
        assert event_text(created) == created.text

    client.force_login(city["clerk"].user)
    client.cookies["django_language"] = "ja"
    page = client.get(reverse("complaints:detail", args=[complaint.pk])).content.decode()
    assert "by the policy" not in page and "基準により" in page
