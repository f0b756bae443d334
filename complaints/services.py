"""Every write of the complaints app: one function per use case, one transaction each.

Each service locks the complaint row first (PostgreSQL ``FOR UPDATE``; SQLite takes its
write lock at the start of the transaction), appends its entry to the timeline, keeps
the stored deadlines true (``_deadlines_refresh``) and sends e-mails only on commit.
Personal data never goes into e-mails: they carry the reference, the summary and a link.
"""

import datetime as dt
import logging
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints import policy, textsearch
from complaints.access import may_approve
from complaints.models import (
    CitizenState,
    Complaint,
    ComplaintEvent,
    ComplaintNumber,
    Escalation,
    EscalationRole,
    EventKind,
    OverdueNotice,
    Pause,
    Report,
    ReportKind,
    Status,
)
from organization.calendar import business_days_add
from organization.models import Department, StaffMember

logger = logging.getLogger(__name__)


class ComplaintError(Exception):
    """A step the complaint cannot take now; ``message`` is shown to the person."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def _event(complaint, kind, actor, text="", *, personal=False, at=None) -> ComplaintEvent:
    return ComplaintEvent.objects.create(
        complaint=complaint,
        kind=kind,
        actor=actor,
        text=text,
        personal=personal,
        at=at or timezone.now(),
    )


def _locked(complaint: Complaint) -> Complaint:
    return Complaint.objects.select_for_update().get(pk=complaint.pk)


def _require_open(complaint: Complaint) -> None:
    if complaint.status == Status.CLOSED:
        raise ComplaintError(_("This complaint is closed. Reopen it first, with a reason."))


# Set while loading history (the demo, an import of past cases): nobody is e-mailed.
_quiet: ContextVar[bool] = ContextVar("complaint_notifications_off", default=False)


@contextmanager
def notifications_off():
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)


def _notify(complaint: Complaint, what: str, **ids) -> None:
    """Promise the e-mail about an event, in the event's transaction (the outbox)."""
    from complaints import notify

    if not _quiet.get():
        notify.event_email_queue(complaint, what, **ids)


def _deadlines_refresh(complaint: Complaint) -> None:
    """Recompute the stored report deadlines from the level, the reports and the pauses.

    Deadlines count business days (weekends, public holidays and the year-end closure do
    not count) from the day the complaint was received, or reopened; paused days do not
    count. A progress report is due every N business days after the last report; a
    closing report sent back by the approver is due again counted from that day.
    """
    if complaint.status == Status.CLOSED:
        complaint.initial_report_due = complaint.next_progress_due = None
        complaint.closing_report_due = None
        return
    settings = policy.level_settings(complaint.level)
    clock_start = complaint.reopened_at or complaint.received_at
    base = timezone.localdate(clock_start)
    reports, paused, refused = [], [], None
    if complaint.pk:
        reports = list(complaint.reports.all())
        paused = [
            (timezone.localdate(p.started_at), timezone.localdate(p.ended_at))
            for p in complaint.pauses.filter(ended_at__isnull=False)
        ]
        refused = (
            complaint.events.filter(kind=EventKind.APPROVAL_REFUSED, at__gte=clock_start)
            .order_by("-at")
            .values_list("at", flat=True)
            .first()
        )
    initial_done = any(r.kind == ReportKind.INITIAL for r in reports)
    closing_done = complaint.status == Status.AWAITING_APPROVAL
    # Once the closing report is in, it answers for the initial report too.
    complaint.initial_report_due = (
        None
        if initial_done or closing_done
        else business_days_add(base, settings.initial_report_days, paused=paused)
    )
    closing_base = max(base, timezone.localdate(refused)) if refused else base
    complaint.closing_report_due = (
        None
        if closing_done
        else business_days_add(closing_base, settings.closing_report_days, paused=paused)
    )
    last = max(
        (r.submitted_at for r in reports if r.kind in (ReportKind.INITIAL, ReportKind.PROGRESS)),
        default=None,
    )
    if initial_done and settings.progress_every_days and not closing_done and last:
        complaint.next_progress_due = business_days_add(
            max(timezone.localdate(last), base), settings.progress_every_days, paused=paused
        )
    else:
        complaint.next_progress_due = None


_DEADLINE_FIELDS = ["initial_report_due", "next_progress_due", "closing_report_due"]


@transaction.atomic
def complaint_record(
    *,
    actor: StaffMember,
    channel: str,
    received_at: dt.datetime,
    department: Department,
    category,
    summary: str,
    description: str,
    citizen_state: str,
    damage: str,
    reach: str,
    emotion: str,
    repeat: str,
    citizen_name: str = "",
    citizen_contact: str = "",
    first_response: str = "",
    procedure=None,
    reservation=None,
    level: int | None = None,
    level_reason: str = "",
    at: dt.datetime | None = None,
) -> Complaint:
    """Record a complaint. The policy sets its level; ``level`` may only raise it, and
    then needs ``level_reason``. Tells those the level requires."""
    if received_at > (at or timezone.now()) + dt.timedelta(minutes=5):
        raise ComplaintError(_("The time received cannot be in the future."))
    assessment = policy.assess(damage=damage, reach=reach, emotion=emotion, repeat=repeat)
    chosen = assessment.level if level is None else level
    if chosen < assessment.level:
        raise ComplaintError(
            _("The policy gives level %(level)s; a complaint cannot be recorded lower.")
            % {"level": assessment.level}
        )
    if chosen > assessment.level and not level_reason.strip():
        raise ComplaintError(_("Give the reason for raising the level above the policy's."))
    complaint = Complaint(
        channel=channel,
        received_at=received_at,
        department=department,
        category=category,
        procedure=procedure,
        reservation=reservation,
        summary=summary.strip(),
        description=description.strip(),
        first_response=first_response.strip(),
        citizen_name=citizen_name.strip(),
        citizen_contact=citizen_contact.strip(),
        citizen_state=citizen_state,
        damage=damage,
        reach=reach,
        emotion=emotion,
        repeat=repeat,
        policy_level=assessment.level,
        level=chosen,
        recorded_by=actor,
        handler=actor,
    )
    complaint.full_clean()
    _deadlines_refresh(complaint)
    complaint.fiscal_year, complaint.serial = _next_number(received_at)
    complaint.save()
    _event(
        complaint,
        EventKind.CREATED,
        actor,
        _("Level %(level)s by the policy (score %(points)s).")
        % {"level": assessment.level, "points": assessment.points},
        at=at,
    )
    if chosen > assessment.level:
        _event(
            complaint,
            EventKind.LEVEL_CHANGED,
            actor,
            _("Raised from %(old)s to %(new)s: %(reason)s")
            % {"old": assessment.level, "new": chosen, "reason": level_reason.strip()},
            at=at,
        )
    _notify(complaint, "recorded")
    return complaint


def _next_number(received_at: dt.datetime) -> tuple[int, int]:
    """The fiscal year of ``received_at`` and the next serial in it (年度-連番). Must run
    inside the recording transaction: the year's counter row stays locked until commit,
    so concurrent recordings queue for it and never share a number."""
    day = timezone.localdate(received_at)
    year = day.year if day.month >= 4 else day.year - 1
    ComplaintNumber.objects.get_or_create(fiscal_year=year)
    counter = ComplaintNumber.objects.select_for_update().get(fiscal_year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return year, counter.last


@transaction.atomic
def complaint_note_add(
    *, complaint: Complaint, actor: StaffMember, text: str, at: dt.datetime | None = None
) -> ComplaintEvent:
    complaint = _locked(complaint)
    if not text.strip():
        raise ComplaintError(_("Write the note."))
    return _event(complaint, EventKind.NOTE, actor, text.strip(), at=at)


@transaction.atomic
def complaint_reply_add(
    *, complaint: Complaint, actor: StaffMember, text: str, at: dt.datetime | None = None
) -> ComplaintEvent:
    """Record what the citizen was told. It may quote the citizen: personal."""
    complaint = _locked(complaint)
    if not text.strip():
        raise ComplaintError(_("Write what the citizen was told."))
    return _event(complaint, EventKind.REPLY, actor, text.strip(), personal=True, at=at)


@transaction.atomic
def complaint_escalate(
    *,
    complaint: Complaint,
    actor: StaffMember,
    department: Department,
    role: str,
    request: str,
    due_on: dt.date | None = None,
    at: dt.datetime | None = None,
) -> Escalation:
    """Ask a department to take part. There is one owner of the countermeasure at most;
    the due date defaults to the level's answer time in business days."""
    complaint = _locked(complaint)
    _require_open(complaint)
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
        due_on = business_days_add(today, policy.level_settings(complaint.level).escalation_days)
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
    _event(
        complaint,
        EventKind.ESCALATED,
        actor,
        "%s — %s (%s): %s"
        % (department.name, escalation.get_role_display(), due_on.isoformat(), request.strip()),
        at=at,
    )
    _notify(complaint, "escalated", escalation_id=escalation.pk)
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
    complaint = _locked(escalation.complaint)
    _require_open(complaint)
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
    text = "%s: %s" % (escalation.department.name, escalation.response)
    if escalation.role == EscalationRole.OWNER:
        text += "\n%s: %s\n%s: %s" % (
            _("Root cause"),
            escalation.root_cause,
            _("Countermeasure"),
            escalation.countermeasure,
        )
    _event(complaint, EventKind.RESPONDED, actor, text, at=at)
    _notify(complaint, "responded", escalation_id=escalation.pk)
    return escalation


@transaction.atomic
def complaint_report_submit(
    *, complaint: Complaint, actor: StaffMember, kind: str, body: str, at: dt.datetime | None = None
) -> Report:
    """An initial or progress report, stored with the deadline it answered."""
    complaint = _locked(complaint)
    _require_open(complaint)
    if kind == ReportKind.CLOSING:
        raise ComplaintError(_("The closing report is submitted with the request to close."))
    if not body.strip():
        raise ComplaintError(_("Write the report."))
    if kind == ReportKind.PROGRESS and complaint.initial_report_due is not None:
        raise ComplaintError(_("Submit the initial report first."))
    if kind == ReportKind.INITIAL and complaint.initial_report_due is None:
        raise ComplaintError(_("The initial report has already been submitted."))
    due = (
        complaint.initial_report_due if kind == ReportKind.INITIAL else complaint.next_progress_due
    )
    report = Report.objects.create(
        complaint=complaint,
        kind=kind,
        body=body.strip(),
        due_on=due,
        author=actor,
        submitted_at=at or timezone.now(),
    )
    _deadlines_refresh(complaint)
    complaint.save(update_fields=_DEADLINE_FIELDS)
    _event(
        complaint,
        EventKind.REPORT,
        actor,
        "%s: %s" % (report.get_kind_display(), report.body),
        at=at,
    )
    _notify(complaint, "report", report_id=report.pk)
    return report


@transaction.atomic
def complaint_level_change(
    *,
    complaint: Complaint,
    actor: StaffMember,
    level: int,
    reason: str,
    at: dt.datetime | None = None,
) -> Complaint:
    """Change the level with a reason, in the timeline. Anyone handling may raise it;
    lowering it needs a manager, and never below the policy's level."""
    complaint = _locked(complaint)
    _require_open(complaint)
    if not reason.strip():
        raise ComplaintError(_("Give the reason for the change of level."))
    if level == complaint.level:
        raise ComplaintError(_("The complaint is already at this level."))
    if level < complaint.level:
        if actor is None or actor.role != "manager":
            raise ComplaintError(_("Only a manager may lower a complaint's level."))
        if level < complaint.policy_level:
            raise ComplaintError(
                _("The policy gives level %(level)s; a complaint cannot go lower.")
                % {"level": complaint.policy_level}
            )
    old = complaint.level
    complaint.level = level
    _deadlines_refresh(complaint)
    complaint.save(update_fields=["level", *_DEADLINE_FIELDS])
    _event(
        complaint,
        EventKind.LEVEL_CHANGED,
        actor,
        _("From %(old)s to %(new)s: %(reason)s")
        % {"old": old, "new": level, "reason": reason.strip()},
        at=at,
    )
    if level > old:
        _notify(complaint, "level_raised")
    return complaint


@transaction.atomic
def complaint_pause(
    *, complaint: Complaint, actor: StaffMember, reason: str, at: dt.datetime | None = None
) -> Pause:
    """Stop the deadline clock, e.g. while waiting for the citizen."""
    complaint = _locked(complaint)
    _require_open(complaint)
    if complaint.paused_since:
        raise ComplaintError(_("The clock is already paused."))
    if not reason.strip():
        raise ComplaintError(_("Give the reason for the pause."))
    pause = Pause.objects.create(
        complaint=complaint, reason=reason.strip(), started_at=at or timezone.now()
    )
    complaint.paused_since = pause.started_at
    complaint.save(update_fields=["paused_since"])
    _event(complaint, EventKind.PAUSED, actor, reason.strip(), at=at)
    return pause


@transaction.atomic
def complaint_resume(
    *, complaint: Complaint, actor: StaffMember, at: dt.datetime | None = None
) -> Complaint:
    """Restart the clock; the deadlines move by the business days it stood still."""
    complaint = _locked(complaint)
    pause = complaint.pauses.filter(ended_at__isnull=True).first()
    if pause is None:
        raise ComplaintError(_("The clock is not paused."))
    pause.ended_at = at or timezone.now()
    pause.save(update_fields=["ended_at"])
    complaint.paused_since = None
    _deadlines_refresh(complaint)
    complaint.save(update_fields=["paused_since", *_DEADLINE_FIELDS])
    _event(complaint, EventKind.RESUMED, actor, at=at)
    return complaint


def _pause_end(complaint: Complaint, at: dt.datetime | None) -> None:
    if complaint.paused_since:
        complaint.pauses.filter(ended_at__isnull=True).update(ended_at=at or timezone.now())
        complaint.paused_since = None


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
    complaint = _locked(complaint)
    _require_open(complaint)
    if complaint.status == Status.AWAITING_APPROVAL:
        raise ComplaintError(_("The closing is already awaiting approval."))
    if not body.strip():
        raise ComplaintError(_("Write the closing report."))
    state = citizen_state or complaint.citizen_state
    if state not in CitizenState.values:
        raise ComplaintError(_("Choose the citizen's state."))
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
    if close_while_unhappy is False and state in STILL_UNHAPPY:
        raise ComplaintError(
            _(
                "The citizen is recorded as “%(state)s”. Update the citizen's state, or "
                "confirm that the complaint is to be closed although the citizen is still "
                "not satisfied."
            )
            % {"state": CitizenState(state).label}
        )
    due = complaint.closing_report_due
    report = Report.objects.create(
        complaint=complaint,
        kind=ReportKind.CLOSING,
        body=body.strip(),
        due_on=due,
        author=actor,
        submitted_at=at or timezone.now(),
    )
    _pause_end(complaint, at)
    if state != complaint.citizen_state:
        _event(
            complaint,
            EventKind.CITIZEN_STATE,
            actor,
            "%s → %s" % (CitizenState(complaint.citizen_state).label, CitizenState(state).label),
            at=at,
        )
        complaint.citizen_state = state
    complaint.status = Status.AWAITING_APPROVAL
    complaint.closing_requested_by = actor
    _deadlines_refresh(complaint)
    complaint.save(
        update_fields=[
            "status",
            "closing_requested_by",
            "paused_since",
            "citizen_state",
            *_DEADLINE_FIELDS,
        ]
    )
    _event(complaint, EventKind.CLOSING_REQUESTED, actor, body.strip(), at=at)
    _notify(complaint, "closing_requested")
    return report


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
    complaint = _locked(complaint)
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
    _deadlines_refresh(complaint)
    complaint.save(
        update_fields=[
            "status",
            "closed_at",
            "days_to_close",
            "root_cause",
            "countermeasure",
            "search_index",
            *_DEADLINE_FIELDS,
        ]
    )
    _event(complaint, EventKind.APPROVED, actor, comment.strip(), at=at)
    _notify(complaint, "closed")
    return complaint


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
    complaint = _locked(complaint)
    _require_approver(complaint, actor, user)
    if not reason.strip():
        raise ComplaintError(_("Say what is missing before the complaint can be closed."))
    complaint.status = Status.INVESTIGATING
    complaint.closing_requested_by = None
    _event(complaint, EventKind.APPROVAL_REFUSED, actor, reason.strip(), at=at)
    _deadlines_refresh(complaint)
    complaint.save(update_fields=["status", "closing_requested_by", *_DEADLINE_FIELDS])
    _notify(complaint, "approval_refused")
    return complaint


@transaction.atomic
def complaint_reopen(
    *, complaint: Complaint, actor: StaffMember, reason: str, at: dt.datetime | None = None
) -> Complaint:
    """Reopen a closed complaint with a reason; the deadlines start again from today."""
    complaint = _locked(complaint)
    if complaint.status != Status.CLOSED:
        raise ComplaintError(_("Only a closed complaint can be reopened."))
    if not reason.strip():
        raise ComplaintError(_("Give the reason for reopening."))
    complaint.status = Status.INVESTIGATING
    complaint.reopened_at = at or timezone.now()
    complaint.closed_at = None
    complaint.days_to_close = None
    complaint.closing_requested_by = None
    _deadlines_refresh(complaint)
    complaint.save(
        update_fields=[
            "status",
            "reopened_at",
            "closed_at",
            "days_to_close",
            "closing_requested_by",
            *_DEADLINE_FIELDS,
        ]
    )
    _event(complaint, EventKind.REOPENED, actor, reason.strip(), at=at)
    _notify(complaint, "reopened")
    return complaint


def personal_data_access_log(*, complaint: Complaint, user, view: str) -> None:
    """Write who saw this complaint's personal data to the app's access log, outside a
    request. Pages call ``organization.services.access_log_read(request, …)`` directly,
    which keeps the page's name and the client's address too."""
    from organization.services import access_log_read

    access_log_read(user, objects=[complaint], view=view)


def complaints_notify_overdue(*, today: dt.date | None = None) -> int:
    """E-mail the people responsible for each overdue report and escalation, at most once
    per item per day: the day's marker row (unique item × day) and the outbox e-mail are
    written in one transaction, so a rerun, a retry or a second beat promises nothing
    twice; the outbox relay sends and retries it. Returns the number of e-mails queued."""
    from complaints import notify, selectors

    today = today or timezone.localdate()
    queued = 0
    for item in selectors.overdue_items(today=today):
        with transaction.atomic():
            _marker, created = OverdueNotice.objects.get_or_create(
                item=item.kind,
                object_id=item.object_id,
                day=today,
                defaults={"complaint_id": item.complaint.pk, "sent_at": timezone.now()},
            )
            if not created:
                continue  # already told today
            notify.overdue_email_queue(item, day=today)
        queued += 1
    return queued


@transaction.atomic
def complaints_anonymise(*, now: dt.datetime | None = None) -> int:
    """Blank the citizen's name, contact and booking of complaints closed before the
    retention cutoff, and the text of their timeline entries that quote the citizen
    (the only change the timeline's triggers allow). What happened, root cause,
    countermeasure and every date stay for the knowledge base and the KPIs."""
    from organization.retention import cutoff

    old = Complaint.objects.filter(status=Status.CLOSED, closed_at__lt=cutoff(now)).exclude(
        citizen_name="", citizen_contact="", reservation__isnull=True
    )
    ids = list(old.values_list("pk", flat=True))
    Complaint.objects.filter(pk__in=ids).update(
        citizen_name="", citizen_contact="", reservation=None
    )
    ComplaintEvent.objects.filter(complaint_id__in=ids, personal=True).exclude(text="").update(
        text=""
    )
    return len(ids)
