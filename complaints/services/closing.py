"""Closing a complaint: the closing report and the request, the approval or its
refusal, and reopening."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints import policy, textsearch
from complaints.access import may_approve
from complaints.models import (
    CitizenState,
    Complaint,
    EscalationRole,
    EventKind,
    Report,
    ReportKind,
    Status,
)
from complaints.notify import NotifyEvent
from complaints.services.base import (
    ComplaintError,
    event_add,
    locked,
    notify_event,
    require_open,
)
from complaints.services.deadlines import DEADLINE_FIELDS, deadlines_refresh, pause_end
from complaints.timeline import event_parts
from organization.models import StaffMember

STILL_UNHAPPY = (CitizenState.DISSATISFIED, CitizenState.ANGRY)


@transaction.atomic
def complaint_closing_request(
    *,
    complaint: Complaint,
    actor: StaffMember,
    body: str,
    citizen_state: str | None = None,
    close_while_unhappy: bool | None = None,
    at: dt.datetime | None = None,
) -> Report:
    """Submit the closing report and ask for approval. Needs the owner's answer with its
    root cause and countermeasure, and every department's answer. ``citizen_state``
    records how the citizen stands now (a timeline entry when it changed). The closing
    form passes ``close_while_unhappy``: then a citizen still dissatisfied or angry
    must be confirmed on purpose (None: the caller does not prompt, nothing checked)."""
    complaint = locked(complaint)
    require_open(complaint)
    if complaint.status == Status.AWAITING_APPROVAL:
        raise ComplaintError(_("The closing is already awaiting approval."))
    if not body.strip():
        raise ComplaintError(_("Write the closing report."))
    state = citizen_state or complaint.citizen_state
    if state not in CitizenState.values:
        raise ComplaintError(_("Choose the citizen's state."))
    _require_every_answer(complaint)
    if close_while_unhappy is False and state in STILL_UNHAPPY:
        raise ComplaintError(
            _(
                "The citizen is recorded as “%(state)s”. Update the citizen's state, or "
                "confirm that the complaint is to be closed although the citizen is still "
                "not satisfied."
            )
            % {"state": CitizenState(state).label}
        )
    report = Report.objects.create(
        complaint=complaint,
        kind=ReportKind.CLOSING,
        body=body.strip(),
        due_on=complaint.closing_report_due,
        author=actor,
        submitted_at=at or timezone.now(),
    )
    pause_end(complaint, at)
    _citizen_state_change(complaint, state, actor=actor, at=at)
    _approval_await(complaint, actor=actor)
    event_add(complaint, EventKind.CLOSING_REQUESTED, actor, body.strip(), at=at)
    notify_event(complaint, NotifyEvent.CLOSING_REQUESTED)
    return report


def _require_every_answer(complaint: Complaint) -> None:
    """A complaint closes on its owner's root cause and countermeasure, once every
    department asked has answered."""
    escalations = list(complaint.escalations.all())
    owner = next((e for e in escalations if e.role == EscalationRole.OWNER), None)
    if owner is None:
        raise ComplaintError(
            _(
                "A complaint is closed on its owner's countermeasure: escalate it to the "
                "department that owns the countermeasure (it may be your own) first."
            )
        )
    if not owner.is_answered:
        raise ComplaintError(
            _("The owner has not yet given the root cause and the countermeasure.")
        )
    waiting = [e.department.name for e in escalations if not e.is_answered]
    if waiting:
        raise ComplaintError(
            _("These departments have not answered yet: %(names)s") % {"names": "、".join(waiting)}
        )


def _citizen_state_change(complaint: Complaint, state: str, *, actor, at) -> None:
    """Record how the citizen stands now, with a timeline entry when it changed (saved
    by the caller)."""
    if state == complaint.citizen_state:
        return
    event_add(
        complaint,
        EventKind.CITIZEN_STATE,
        actor,
        event_parts("citizen_state", old=complaint.citizen_state, new=state),
        at=at,
    )
    complaint.citizen_state = state


def _approval_await(complaint: Complaint, *, actor: StaffMember) -> None:
    complaint.status = Status.AWAITING_APPROVAL
    complaint.closing_requested_by = actor
    deadlines_refresh(complaint)
    complaint.save(
        update_fields=[
            "status",
            "closing_requested_by",
            "paused_since",
            "citizen_state",
            *DEADLINE_FIELDS,
        ]
    )


def _require_approver(complaint: Complaint, actor: StaffMember | None, user) -> None:
    if complaint.status != Status.AWAITING_APPROVAL:
        raise ComplaintError(_("The closing of this complaint is not awaiting approval."))
    escalations = list(complaint.escalations.select_related("department"))
    if not may_approve(user, actor, complaint, escalations):
        raise ComplaintError(
            _(
                "Level %(level)s complaints are approved by: %(approver)s. Whoever asked "
                "to close a complaint does not approve it."
            )
            % {
                "level": complaint.level,
                "approver": policy.level_settings(complaint.level).get_approver_display(),
            }
        )


@transaction.atomic
def complaint_approve(
    *,
    complaint: Complaint,
    actor: StaffMember | None,
    user,
    comment: str = "",
    at: dt.datetime | None = None,
) -> Complaint:
    """Close the complaint. Its owner's root cause and countermeasure go to the knowledge base."""
    complaint = locked(complaint)
    _require_approver(complaint, actor, user)
    owner = complaint.escalations.get(role=EscalationRole.OWNER)
    complaint.status = Status.CLOSED
    complaint.closed_at = at or timezone.now()
    complaint.days_to_close = (
        timezone.localdate(complaint.closed_at) - timezone.localdate(complaint.received_at)
    ).days
    complaint.root_cause = owner.root_cause
    complaint.countermeasure = owner.countermeasure
    complaint.search_index = textsearch.complaint_index(complaint)
    fields = ["status", "closed_at", "days_to_close", "root_cause", "countermeasure"]
    return _step_saved(
        complaint,
        [*fields, "search_index"],
        event=EventKind.APPROVED,
        actor=actor,
        text=comment,
        notify=NotifyEvent.CLOSED,
        at=at,
    )


@transaction.atomic
def complaint_approval_refuse(
    *,
    complaint: Complaint,
    actor: StaffMember | None,
    user,
    reason: str,
    at: dt.datetime | None = None,
) -> Complaint:
    """Send the closing back for more work; the closing report is due again."""
    complaint = locked(complaint)
    _require_approver(complaint, actor, user)
    if not reason.strip():
        raise ComplaintError(_("Say what is missing before the complaint can be closed."))
    complaint.status = Status.INVESTIGATING
    complaint.closing_requested_by = None
    return _step_saved(
        complaint,
        ["status", "closing_requested_by"],
        event=EventKind.APPROVAL_REFUSED,
        actor=actor,
        text=reason,
        notify=NotifyEvent.APPROVAL_REFUSED,
        at=at,
    )


@transaction.atomic
def complaint_reopen(
    *, complaint: Complaint, actor: StaffMember, reason: str, at: dt.datetime | None = None
) -> Complaint:
    """Reopen a closed complaint with a reason; the deadlines start again from today."""
    complaint = locked(complaint)
    if complaint.status != Status.CLOSED:
        raise ComplaintError(_("Only a closed complaint can be reopened."))
    if not reason.strip():
        raise ComplaintError(_("Give the reason for reopening."))
    complaint.status = Status.INVESTIGATING
    complaint.reopened_at = at or timezone.now()
    complaint.closed_at = None
    complaint.days_to_close = None
    complaint.closing_requested_by = None
    return _step_saved(
        complaint,
        ["status", "reopened_at", "closed_at", "days_to_close", "closing_requested_by"],
        event=EventKind.REOPENED,
        actor=actor,
        text=reason,
        notify=NotifyEvent.REOPENED,
        at=at,
    )


def _step_saved(
    complaint: Complaint, fields: list[str], *, event, actor, text: str, notify, at
) -> Complaint:
    """Record a step of the closing (its event with the comment or reason), recompute the
    deadlines it moves (a refusal's event counts in them), save and tell who must know."""
    event_add(complaint, event, actor, text.strip(), at=at)
    deadlines_refresh(complaint)
    complaint.save(update_fields=[*fields, *DEADLINE_FIELDS])
    notify_event(complaint, notify)
    return complaint
