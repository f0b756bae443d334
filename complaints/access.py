"""Need-to-know: who sees which complaint, and who sees its personal data.

- Managers (and superusers) see every complaint with its personal data.
- Other staff see the complaints of their department, those they recorded or handle, and
  those escalated to their department.
- A department asked for information only sees the facts, never the citizen's name,
  contact or booking, nor timeline entries that quote the citizen.
"""

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet

from complaints.models import Approver, Complaint, Escalation, EscalationRole, Status
from complaints.policy import level_settings
from organization.models import Role, StaffMember


def sees_everything(user, member: StaffMember | None) -> bool:
    return user.is_superuser or (member is not None and member.role == Role.MANAGER)


def visible_complaints(user, member: StaffMember | None) -> QuerySet[Complaint]:
    complaints = Complaint.objects.all()
    if sees_everything(user, member):
        return complaints
    if member is None:
        return complaints.none()
    escalated_here = Escalation.objects.filter(
        complaint=OuterRef("pk"), department_id=member.department_id
    )
    return complaints.filter(
        Q(department_id=member.department_id)
        | Q(recorded_by=member)
        | Q(handler=member)
        | Exists(escalated_here)
    )


@dataclass
class Access:
    """What one person may see and do on one complaint."""

    personal_data: bool = False
    handle: bool = False
    approve: bool = False
    respond_to: set[int] = field(default_factory=set)


def access_for(user, member: StaffMember | None, complaint: Complaint) -> Access | None:
    """None when the complaint is not this person's business at all.

    ``complaint.escalations`` should be prefetched; it is read, not queried per row.
    """
    everything = sees_everything(user, member)
    escalations = list(complaint.escalations.all())
    own = member is not None and (
        complaint.department_id == member.department_id
        or complaint.recorded_by_id == member.pk
        or complaint.handler_id == member.pk
    )
    mine = [
        e for e in escalations if member is not None and e.department_id == member.department_id
    ]
    if not (everything or own or mine):
        return None
    access = Access()
    access.personal_data = (
        everything or own or any(e.role != EscalationRole.INFORMATION for e in mine)
    )
    access.handle = everything or own
    open_complaint = complaint.status != Status.CLOSED
    access.respond_to = {e.pk for e in mine if open_complaint} if member else set()
    if everything and open_complaint:
        access.respond_to = {e.pk for e in escalations}
    access.approve = open_complaint and may_approve(user, member, complaint, escalations)
    return access


def may_approve(user, member, complaint: Complaint, escalations) -> bool:
    if user.is_superuser:
        return True
    if member is None or complaint.closing_requested_by_id == member.pk:
        return False  # four eyes: whoever asked to close does not approve it
    if member.role == Role.MANAGER:
        return True
    if level_settings(complaint.level).approver != Approver.DEPARTMENT_HEAD:
        return False
    owner = next((e for e in escalations if e.role == EscalationRole.OWNER), None)
    return owner is not None and owner.department.head_id == member.pk
