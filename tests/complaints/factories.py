"""Builders for complaint tests: departments with heads, staff, a recorded complaint."""

import datetime as dt

from django.utils import timezone

from complaints import services
from complaints.models import Category, Complaint
from organization.models import Role
from tests.organization.factories import DepartmentFactory, make_staff_member

CALM = {"damage": "none", "reach": "one", "emotion": "calm", "repeat": "first"}  # level 1
MODERATE = {"damage": "financial", "reach": "one", "emotion": "dissatisfied", "repeat": "first"}
CRITICAL = {"damage": "legal", "reach": "public", "emotion": "angry", "repeat": "first"}


def department_with_head(code: str):
    department = DepartmentFactory(code=code)
    head = make_staff_member(
        role=Role.DEPARTMENT_STAFF, department=department, email="head-%s@city.example.jp" % code
    )
    department.head = head
    department.save(update_fields=["head"])
    return department, head


def record(
    actor,
    *,
    received_at=None,
    severity=CALM,
    department=None,
    summary="窓口で長時間待たされた",
    description="予約していたのに30分以上待たされた。",
    citizen_name="苦情 花子",
    citizen_contact="090-1111-2222",
    **fields,
) -> Complaint:
    received_at = received_at or timezone.now() - dt.timedelta(minutes=5)
    at = fields.pop("at", received_at)
    intake = services.ComplaintIntake(
        channel="counter",
        received_at=received_at,
        department=department or actor.department,
        category=fields.pop("category", None) or Category.objects.get(name_ja="待ち時間"),
        summary=summary,
        description=description,
        citizen_state="dissatisfied",
        citizen_name=citizen_name,
        citizen_contact=citizen_contact,
        **severity,
        **fields,
    )
    return services.complaint_record(actor=actor, intake=intake, at=at)


def _at(when) -> dict:
    """The ``at`` keyword of a service call: left out (the service's now) when ``when`` is None."""
    return {} if when is None else {"at": when}


def escalate(complaint, *, by, to, role="owner", request="原因と対策をお願いします", at=None):
    """``by`` asks department ``to`` to take part in ``complaint`` as ``role``."""
    return services.complaint_escalate(
        complaint=complaint, actor=by, department=to, role=role, request=request, **_at(at)
    )


def owner_answers(
    complaint,
    *,
    handler,
    department,
    member,
    root="原因",
    fix="対策",
    asked_at=None,
    answered_at=None,
):
    """Escalate to ``department`` as owner of the countermeasure; ``member`` answers."""
    escalation = escalate(complaint, by=handler, to=department, at=asked_at)
    answer = {"response": "確認しました", "root_cause": root, "countermeasure": fix}
    return services.escalation_respond(
        escalation=escalation, actor=member, **answer, **_at(answered_at)
    )


def close(
    complaint,
    *,
    handler,
    owner_department,
    owner_member,
    approver,
    root="原因",
    fix="対策",
    at=(None, None, None, None),
):
    """Take a complaint through owner escalation, answer, closing request and approval;
    ``at`` holds the time of each of these four steps (None: now)."""
    asked_at, answered_at, requested_at, approved_at = at
    who = {"handler": handler, "department": owner_department, "member": owner_member}
    owner_answers(complaint, **who, root=root, fix=fix, asked_at=asked_at, answered_at=answered_at)
    services.complaint_closing_request(
        complaint=complaint, actor=handler, body="対応完了", **_at(requested_at)
    )
    return services.complaint_approve(
        complaint=complaint, actor=approver, user=approver.user, **_at(approved_at)
    )
