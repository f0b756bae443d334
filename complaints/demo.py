"""Demo complaints in every state: closed cases in the knowledge base (one that came
again), one awaiting approval, an overdue investigation, a paused one, a new one and a
critical one. Made through the services, dated in the past, so the timeline, deadlines
and the overdue list look as they would after a few months of use."""

import datetime as dt
import tomllib
from pathlib import Path

from django.utils import timezone

from complaints import defaults, services
from complaints.models import (
    Category,
    Channel,
    CitizenState,
    Complaint,
    EscalationRole,
    ReportKind,
    SeverityLevel,
    SeverityWeight,
)
from organization.calendar import business_days_add, is_business_day
from organization.models import Department, StaffMember
from reservations.models import Procedure


def _staff(username: str) -> StaffMember:
    return StaffMember.objects.select_related("department", "user").get(user__username=username)


def _working_day(days_ago: int, hour: int = 10) -> dt.datetime:
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    while not is_business_day(day):
        day -= dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _after(start: dt.datetime, business_days: int, hour: int = 15) -> dt.datetime:
    day = business_days_add(timezone.localdate(start), business_days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


# The cases themselves are data: complaints/demo_cases.toml.
CASES = tomllib.loads((Path(__file__).parent / "demo_cases.toml").read_text("utf-8"))["case"]


# The keys a case names its escalations by, and the request each role is sent with.
_CASE_ROLES = {
    "owner": EscalationRole.OWNER,
    "joint": EscalationRole.JOINT,
    "info": EscalationRole.INFORMATION,
}
_REQUESTS = {
    EscalationRole.OWNER: "原因の特定と再発防止策をお願いします。",
    EscalationRole.JOINT: "事実関係の確認に協力をお願いします。",
    EscalationRole.INFORMATION: "関連する記録の有無を教えてください。",
}


def _escalate(complaint, actor, department_code, role: EscalationRole, when):
    return services.complaint_escalate(
        complaint=complaint,
        actor=actor,
        department=Department.objects.get(code=department_code),
        role=role,
        request=_REQUESTS[role],
        at=when,
    )


def _seed_case(case: dict) -> None:
    recorder = _staff(case.get("recorder", "clerk1"))
    received = _working_day(case["days_ago"], hour=10 if case["days_ago"] else 9)
    complaint = _case_record(case, recorder, received)
    step = received + dt.timedelta(hours=2)
    if case.get("initial_report") or "close" in case:
        services.complaint_report_submit(
            complaint=complaint,
            actor=recorder,
            kind=ReportKind.INITIAL,
            body="事実関係を確認し、関係課に照会した。",
            at=step,
        )
    escalations = {
        role: (_escalate(complaint, recorder, case[key][0], role, step), case[key][1])
        for key, role in _CASE_ROLES.items()
        if key in case
    }
    if "pause" in case:
        services.complaint_pause(complaint=complaint, actor=recorder, reason=case["pause"], at=step)
    if "close" in case or case.get("answered"):
        _case_answer(case, escalations, at=_after(received, 2))
    if "close" in case:
        _case_close(case, complaint, received)
    if case.get("request_close"):
        services.complaint_closing_request(
            complaint=complaint,
            actor=_staff(case["request_close"]),
            body="ご本人に説明し、ご理解いただいた。",
            at=_after(received, 4),
        )


def _case_record(case: dict, recorder: StaffMember, received: dt.datetime) -> Complaint:
    damage, reach, emotion, repeat = case["severity"]
    level, reason = case.get("level", (None, ""))
    intake = services.ComplaintIntake(
        channel=Channel.COUNTER,
        received_at=received,
        department=Department.objects.get(code=case["department"]),
        category=Category.objects.get(name=case["category"]),
        procedure=Procedure.objects.filter(code=case.get("procedure", "")).first(),
        summary=case["summary"],
        description=case["description"],
        first_response=case["first_response"],
        citizen_state=CitizenState.CALMED,
        citizen_name=case["name"],
        citizen_contact=case["contact"],
        damage=damage,
        reach=reach,
        emotion=emotion,
        repeat=repeat,
        level=level,
        level_reason=reason,
    )
    return services.complaint_record(actor=recorder, intake=intake, at=received)


def _case_answer(case: dict, escalations: dict, *, at: dt.datetime) -> None:
    """Every department asked answers; the owner with the root cause and countermeasure."""
    for role, (escalation, username) in escalations.items():
        services.escalation_respond(
            escalation=escalation,
            actor=_staff(username),
            response="確認しました。" if role != EscalationRole.OWNER else "原因を特定しました。",
            root_cause=case.get("root_cause", "手順が統一されていなかった。"),
            countermeasure=case.get("countermeasure", "手順書を改訂し、課内で共有した。"),
            at=at,
        )


def _case_close(case: dict, complaint: Complaint, received: dt.datetime) -> None:
    requester, approver = (_staff(name) for name in case["close"])
    services.complaint_closing_request(
        complaint=complaint,
        actor=requester,
        body="市民の方にご説明し、ご了承いただいた。",
        at=_after(received, 5),
    )
    services.complaint_approve(
        complaint=complaint,
        actor=approver,
        user=approver.user,
        comment="再発防止策を確認した。",
        at=_after(received, 6),
    )


def seed(stdout) -> None:
    defaults.ensure(SeverityWeight, SeverityLevel, Category)  # the policy the cases need
    made = 0
    for case in CASES:
        if Complaint.objects.filter(summary=case["summary"]).exists():
            continue
        _seed_case(case)
        made += 1
    stdout.write(
        "Complaints: %d new (every state; see /complaints/ and the knowledge base)." % made
    )
