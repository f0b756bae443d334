"""Asking departments to take part in a complaint, and their answers."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints import policy
from complaints.models import Complaint, Escalation, EscalationRole, EventKind, Status
from complaints.notify import NotifyEvent
from complaints.services.base import (
    ComplaintError,
    event_add,
    locked,
    notify_event,
    require_open,
)
from complaints.services.deadlines import clock_start
from complaints.timeline import escalation_parts, response_parts
from organization.calendar import business_days_add
from organization.models import Department, StaffMember


@transaction.atomic
def complaint_escalate(
    *,
    complaint: Complaint,
    actor: StaffMember,
    department: Department,
    role: EscalationRole,
    request: str,
    due_on: dt.date | None = None,
    at: dt.datetime | None = None,
) -> Escalation:
    """Ask a department to take part. There is one owner of the countermeasure at most;
    the due date defaults to the level's answer time in business days (counted like the
    report deadlines, from ``deadlines.clock_start``)."""
    complaint = locked(complaint)
    require_open(complaint)
    if not request.strip():
        raise ComplaintError(_("Say what the department is asked to do."))
    if complaint.escalations.filter(department=department).exists():
        raise ComplaintError(
            _("%(department)s has already been asked about this complaint.")
            % {"department": department}
        )
    if role == EscalationRole.OWNER and complaint.escalations.filter(role=role).exists():
        raise ComplaintError(
            _("This complaint already has an owner of the countermeasure; there is exactly one.")
        )
    today = timezone.localdate(at) if at else timezone.localdate()
    if due_on is None:
        # Asked on a closed day or after closing, the department's days start at the
        # next opening.
        days = policy.level_settings(complaint.level).escalation_days
        due_on = business_days_add(clock_start(at or timezone.now()), days)
    elif due_on < today:
        raise ComplaintError(_("The answer cannot be due in the past."))

    try:
        with transaction.atomic():
            escalation = Escalation.objects.create(
                complaint=complaint,
                department=department,
                role=role,
                request=request.strip(),
                due_on=due_on,
                requested_by=actor,
                requested_at=at or timezone.now(),
            )
    except IntegrityError as exc:
        raise ComplaintError(_("This escalation was just made by someone else.")) from exc
    if complaint.status == Status.OPEN:
        complaint.status = Status.INVESTIGATING
        complaint.save(update_fields=["status"])
    event_add(complaint, EventKind.ESCALATED, actor, escalation_parts(escalation), at=at)
    notify_event(complaint, NotifyEvent.ESCALATED, escalation_id=escalation.pk)
    return escalation


@transaction.atomic
def escalation_respond(
    *,
    escalation: Escalation,
    actor: StaffMember,
    response: str,
    root_cause: str = "",
    countermeasure: str = "",
    at: dt.datetime | None = None,
) -> Escalation:
    """A department's answer. The owner must give the root cause and the countermeasure.
    A later answer replaces the earlier one; the timeline keeps both."""
    complaint = locked(escalation.complaint)
    require_open(complaint)
    escalation = Escalation.objects.select_for_update().get(pk=escalation.pk)
    if not response.strip():
        raise ComplaintError(_("Write the department's answer."))
    if escalation.role == EscalationRole.OWNER and not (
        root_cause.strip() and countermeasure.strip()
    ):
        raise ComplaintError(
            _("As owner of the countermeasure, give both the root cause and the countermeasure.")
        )
    escalation.response = response.strip()
    escalation.root_cause = root_cause.strip()
    escalation.countermeasure = countermeasure.strip()
    escalation.responded_by = actor
    escalation.responded_at = at or timezone.now()
    escalation.save()
    event_add(complaint, EventKind.RESPONDED, actor, response_parts(escalation), at=at)
    notify_event(complaint, NotifyEvent.RESPONDED, escalation_id=escalation.pk)
    return escalation
