"""Taking a complaint in: recording it at the policy's level, its reference number,
notes and replies on the timeline, and changes of level."""

import dataclasses
import datetime as dt
import uuid

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints import policy
from complaints.models import Complaint, ComplaintEvent, ComplaintNumber, EventKind
from complaints.notify import NotifyEvent
from complaints.services.base import (
    ComplaintError,
    event_add,
    locked,
    notify_event,
    require_open,
)
from complaints.services.deadlines import DEADLINE_FIELDS, deadlines_refresh
from complaints.timeline import event_parts
from organization.models import Department, Role, StaffMember


@dataclasses.dataclass(frozen=True, kw_only=True)
class ComplaintIntake:
    """What the recording clerk states about a complaint (the intake form's fields).

    ``damage``, ``reach``, ``emotion`` and ``repeat`` are the policy's factors; ``level``
    may only raise the level the policy gives, and then needs ``level_reason``."""

    channel: str
    received_at: dt.datetime
    department: Department
    category: object
    summary: str
    description: str
    citizen_state: str
    damage: str
    reach: str
    emotion: str
    repeat: str
    citizen_name: str = ""
    citizen_kana: str = ""
    citizen_contact: str = ""
    first_response: str = ""
    procedure: object = None
    reservation: object = None
    level: int | None = None
    level_reason: str = ""
    submission_key: uuid.UUID | None = None


@transaction.atomic
def complaint_record(
    *, actor: StaffMember, intake: ComplaintIntake, at: dt.datetime | None = None
) -> Complaint:
    """Record a complaint. The policy sets its level; ``intake.level`` may only raise it,
    and then needs ``intake.level_reason``. Tells those the level requires."""
    received_problem = received_at_problem(intake.received_at, now=at)
    if received_problem:
        raise ComplaintError(received_problem)
    assessment, chosen = _level_choose(intake)
    complaint = _complaint_build(intake, actor=actor, policy_level=assessment.level, level=chosen)
    # The form's key is unique in the database: a second send of the same form is an
    # IntegrityError at save (the view shows the first one), not a validation error.
    complaint.full_clean(exclude=["submission_key"])
    deadlines_refresh(complaint)
    complaint.fiscal_year, complaint.serial = _next_number(intake.received_at)
    complaint.save()
    _timeline_start(complaint, intake, actor=actor, assessment=assessment, at=at)
    notify_event(complaint, NotifyEvent.RECORDED)
    return complaint


def received_at_problem(received_at: dt.datetime, *, now: dt.datetime | None = None):
    """Why a complaint cannot have been received at ``received_at``, or None: not in the
    future, and not before the fiscal year before this one began (a year typed wrong,
    2000 for 2026, would make a complaint overdue at once and count in old KPIs)."""
    now = now or timezone.now()
    if received_at > now + dt.timedelta(minutes=5):
        return _("The time received cannot be in the future.")
    today = timezone.localdate(now)
    this_year = today.year if today.month >= 4 else today.year - 1
    earliest = dt.date(this_year - 1, 4, 1)
    if received_at.date() < earliest or timezone.localdate(received_at) < earliest:
        return _(
            "The time received cannot be before %(day)s, the start of the last fiscal "
            "year. Check the year."
        ) % {"day": earliest.isoformat()}
    return None


def _level_choose(intake: ComplaintIntake) -> tuple[policy.Assessment, int]:
    """The policy's assessment and the level recorded (the policy's, or a raised one)."""
    assessment = policy.assess(
        damage=intake.damage, reach=intake.reach, emotion=intake.emotion, repeat=intake.repeat
    )
    chosen = assessment.level if intake.level is None else intake.level
    if chosen < assessment.level:
        raise ComplaintError(
            _("The policy gives level %(level)s; a complaint cannot be recorded lower.")
            % {"level": assessment.level}
        )
    if chosen > assessment.level and not intake.level_reason.strip():
        raise ComplaintError(_("Give the reason for raising the level above the policy's."))
    return assessment, chosen


_STRIPPED = (
    "summary",
    "description",
    "first_response",
    "citizen_name",
    "citizen_kana",
    "citizen_contact",
)


def _complaint_build(
    intake: ComplaintIntake, *, actor: StaffMember, policy_level: int, level: int
) -> Complaint:
    # Not dataclasses.asdict: it would deep-copy the department and category rows.
    values = {f.name: getattr(intake, f.name) for f in dataclasses.fields(intake)}
    del values["level"], values["level_reason"]
    for name in _STRIPPED:
        values[name] = values[name].strip()
    return Complaint(
        **values, policy_level=policy_level, level=level, recorded_by=actor, handler=actor
    )


def _timeline_start(complaint, intake, *, actor, assessment, at) -> None:
    """The first entries: the level the policy gave, and the raise if there was one."""
    event_add(
        complaint,
        EventKind.CREATED,
        actor,
        event_parts("created", level=assessment.level, points=assessment.points),
        at=at,
    )
    if complaint.level > assessment.level:
        event_add(
            complaint,
            EventKind.LEVEL_CHANGED,
            actor,
            event_parts(
                "raised",
                old=assessment.level,
                new=complaint.level,
                reason=intake.level_reason.strip(),
            ),
            at=at,
        )


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
    complaint = locked(complaint)
    if not text.strip():
        raise ComplaintError(_("Write the note."))
    return event_add(complaint, EventKind.NOTE, actor, text.strip(), at=at)


@transaction.atomic
def complaint_reply_add(
    *, complaint: Complaint, actor: StaffMember, text: str, at: dt.datetime | None = None
) -> ComplaintEvent:
    """Record what the citizen was told. It may quote the citizen: personal."""
    complaint = locked(complaint)
    if not text.strip():
        raise ComplaintError(_("Write what the citizen was told."))
    return event_add(complaint, EventKind.REPLY, actor, text.strip(), at=at)


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
    complaint = locked(complaint)
    require_open(complaint)
    if not reason.strip():
        raise ComplaintError(_("Give the reason for the change of level."))
    if level == complaint.level:
        raise ComplaintError(_("The complaint is already at this level."))
    if level < complaint.level:
        if actor is None or actor.role != Role.MANAGER:
            raise ComplaintError(_("Only a manager may lower a complaint's level."))
        if level < complaint.policy_level:
            raise ComplaintError(
                _("The policy gives level %(level)s; a complaint cannot go lower.")
                % {"level": complaint.policy_level}
            )
    old = complaint.level
    complaint.level = level
    deadlines_refresh(complaint)
    complaint.save(update_fields=["level", *DEADLINE_FIELDS])
    event_add(
        complaint,
        EventKind.LEVEL_CHANGED,
        actor,
        event_parts("level", old=old, new=level, reason=reason.strip()),
        at=at,
    )
    if level > old:
        notify_event(complaint, NotifyEvent.LEVEL_RAISED)
    return complaint
