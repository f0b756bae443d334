"""E-mails to staff about complaints. They carry the reference, the level, the summary
and a link, never the citizen's name or contact: e-mail is not need-to-know."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from complaints import policy
from complaints.models import Complaint, Escalation, OverdueNotice
from complaints.selectors import OverdueItem
from organization.models import Department, Role, StaffMember


def _emails(members) -> set[str]:
    return {m.user.email for m in members if m and m.user.is_active and m.user.email}


def department_contacts(department: Department) -> set[str]:
    """The head of the department; failing that its department staff and managers."""
    if department.head_id:
        return _emails([department.head])
    members = StaffMember.objects.filter(
        department=department, role__in=[Role.DEPARTMENT_STAFF, Role.MANAGER]
    ).select_related("user")
    return _emails(members)


def managers() -> set[str]:
    return _emails(StaffMember.objects.filter(role=Role.MANAGER).select_related("user"))


def _send(recipients: set[str], headline: str, complaint: Complaint, detail: str = "") -> bool:
    if not recipients:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "complaint": complaint,
            "headline": headline,
            "detail": detail,
            "url": settings.SITE_URL + reverse("complaints:detail", args=[complaint.pk]),
        }
        subject = render_to_string("complaints/email/subject.txt", context)
        body = render_to_string("complaints/email/notice.txt", context)
    send_mail(" ".join(subject.split()), body, None, sorted(recipients))
    return True


def send_event(complaint: Complaint, what: str, **ids) -> bool:
    """Tell those concerned about ``what`` happened; who depends on the level's policy."""
    from django.utils.translation import gettext as _

    level = policy.level_settings(complaint.level)
    recipients: set[str] = set()
    escalation = None
    if "escalation_id" in ids:
        escalation = Escalation.objects.select_related("department__head__user").get(
            pk=ids["escalation_id"]
        )
    with translation.override(settings.LANGUAGE_CODE):
        if what in ("recorded", "level_raised"):
            if level.notify_department_heads:
                recipients |= department_contacts(complaint.department)
                for other in complaint.escalations.select_related("department__head__user"):
                    recipients |= department_contacts(other.department)
            if level.notify_managers:
                recipients |= managers()
            headline = (
                _("A complaint was recorded")
                if what == "recorded"
                else _("A complaint's level was raised")
            )
        elif what == "escalated":
            recipients |= department_contacts(escalation.department)
            headline = _(
                "Your department is asked about a complaint (%(role)s), answer by %(due)s"
            ) % {
                "role": escalation.get_role_display(),
                "due": escalation.due_on.isoformat(),
            }
        elif what == "responded":
            recipients |= _emails([complaint.handler])
            headline = _("%(department)s answered") % {"department": escalation.department.name}
        elif what == "closing_requested":
            if level.approver == "manager":
                recipients |= managers()
            else:
                owner = (
                    complaint.escalations.filter(role="owner")
                    .select_related("department__head__user")
                    .first()
                )
                recipients |= department_contacts(owner.department) if owner else managers()
            headline = _("A complaint awaits your approval to close")
        elif what in ("closed", "approval_refused", "reopened"):
            recipients |= _emails([complaint.handler])
            if level.notify_managers:
                recipients |= managers()
            headline = {
                "closed": _("A complaint was closed"),
                "approval_refused": _("The closing of a complaint was sent back"),
                "reopened": _("A complaint was reopened"),
            }[what]
        else:
            return False
        return _send(recipients, headline, complaint)


def send_overdue(item: OverdueItem) -> bool:
    from django.utils.translation import gettext as _

    complaint = item.complaint
    with translation.override(settings.LANGUAGE_CODE):
        if item.escalation is not None:
            recipients = department_contacts(item.escalation.department)
            headline = _("Overdue: your department's answer was due on %(due)s") % {
                "due": item.due_on.isoformat()
            }
        else:
            recipients = _emails([complaint.handler]) | department_contacts(complaint.department)
            headline = _("Overdue: %(report)s, due on %(due)s") % {
                "report": OverdueNotice.Item(item.kind).label,
                "due": item.due_on.isoformat(),
            }
        return _send(recipients, headline, complaint)
