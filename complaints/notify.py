"""E-mails to staff about complaints. They carry the reference, the level, the summary
and a link, never the citizen's name or contact: e-mail is not need-to-know.

Each is promised as an outbox row in the transaction of the event (``*_queue``) and
written by the outbox relay when it is sent (``build_*``), to the people responsible
then."""

import datetime as dt
from collections.abc import Callable
from enum import StrEnum

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from complaints import policy
from complaints.models import (
    Approver,
    Complaint,
    ComplaintEvent,
    Escalation,
    EscalationRole,
    OverdueNotice,
)
from complaints.redaction import for_complaint
from complaints.selectors import OverdueItem
from organization.models import Department, Role, StaffMember
from outbox import registry
from outbox.services import email_queue


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


def _message(
    recipients: set[str], headline: str, complaint: Complaint, detail: str = ""
) -> EmailMessage | None:
    if not recipients:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "complaint": complaint,
            # The e-mail goes to whole departments: the summary without the citizen.
            "summary": for_complaint(complaint)(complaint.summary),
            "headline": headline,
            "detail": detail,
            "url": settings.SITE_URL + reverse("complaints:detail", args=[complaint.pk]),
        }
        subject = render_to_string("complaints/email/subject.txt", context)
        body = render_to_string("complaints/email/notice.txt", context)
    return EmailMessage(" ".join(subject.split()), body, to=sorted(recipients))


class NotifyEvent(StrEnum):
    """The events that e-mail someone (a report sent is only recorded). The value is
    stored in the outbox row's parameters."""

    RECORDED = "recorded"
    LEVEL_RAISED = "level_raised"
    ESCALATED = "escalated"
    RESPONDED = "responded"
    CLOSING_REQUESTED = "closing_requested"
    CLOSED = "closed"
    APPROVAL_REFUSED = "approval_refused"
    REOPENED = "reopened"


def _event_of(what: str) -> NotifyEvent | None:
    """The event named ``what`` (as stored in an outbox row), or None for one that
    e-mails nobody."""
    try:
        return NotifyEvent(what)
    except ValueError:
        return None


def _level_concerned(complaint, level, escalation) -> set[str]:
    """Those the level's policy tells about a new or raised complaint."""
    recipients: set[str] = set()
    if level.notify_department_heads:
        recipients |= department_contacts(complaint.department)
        for other in complaint.escalations.select_related("department__head__user"):
            recipients |= department_contacts(other.department)
    if level.notify_managers:
        recipients |= managers()
    return recipients


def _asked_department(complaint, level, escalation) -> set[str]:
    return department_contacts(escalation.department)


def _handler(complaint, level, escalation) -> set[str]:
    return _emails([complaint.handler])


def _approvers(complaint, level, escalation) -> set[str]:
    if level.approver == Approver.MANAGER:
        return managers()
    owner = (
        complaint.escalations.filter(role=EscalationRole.OWNER)
        .select_related("department__head__user")
        .first()
    )
    return department_contacts(owner.department) if owner else managers()


def _handler_and_managers(complaint, level, escalation) -> set[str]:
    recipients = _emails([complaint.handler])
    if level.notify_managers:
        recipients |= managers()
    return recipients


def _escalated_headline(escalation: Escalation) -> str:
    return _("Your department is asked about a complaint (%(role)s), answer by %(due)s") % {
        "role": escalation.get_role_display(),
        "due": escalation.due_on.isoformat(),
    }


def _responded_headline(escalation: Escalation) -> str:
    return _("%(department)s answered") % {"department": escalation.department.name}


# For each event: who is told — (complaint, level's settings, escalation or None) →
# addresses — and the headline, a text or a function of the escalation it names.
# Both are worked out in the site's language.
_EVENT_HANDLERS: dict[NotifyEvent, tuple[Callable[..., set[str]], object]] = {
    NotifyEvent.RECORDED: (_level_concerned, gettext_lazy("A complaint was recorded")),
    NotifyEvent.LEVEL_RAISED: (_level_concerned, gettext_lazy("A complaint's level was raised")),
    NotifyEvent.ESCALATED: (_asked_department, _escalated_headline),
    NotifyEvent.RESPONDED: (_handler, _responded_headline),
    NotifyEvent.CLOSING_REQUESTED: (
        _approvers,
        gettext_lazy("A complaint awaits your approval to close"),
    ),
    NotifyEvent.CLOSED: (_handler_and_managers, gettext_lazy("A complaint was closed")),
    NotifyEvent.APPROVAL_REFUSED: (
        _handler_and_managers,
        gettext_lazy("The closing of a complaint was sent back"),
    ),
    NotifyEvent.REOPENED: (_handler_and_managers, gettext_lazy("A complaint was reopened")),
}


def event_message(complaint: Complaint, what: str, **ids) -> EmailMessage | None:
    """The e-mail telling those concerned about ``what`` happened (who depends on the
    level's policy), or None when there is nobody to tell."""
    event = _event_of(what)
    if event is None:
        return None
    level = policy.level_settings(complaint.level)
    escalation = None
    if "escalation_id" in ids:
        escalation = Escalation.objects.select_related("department__head__user").get(
            pk=ids["escalation_id"]
        )
    with translation.override(settings.LANGUAGE_CODE):
        recipients_of, headline = _EVENT_HANDLERS[event]
        if callable(headline):
            headline = headline(escalation)
        return _message(recipients_of(complaint, level, escalation), str(headline), complaint)


def overdue_message(item: OverdueItem) -> EmailMessage | None:
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
        return _message(recipients, headline, complaint)


def event_email_queue(complaint: Complaint, what: str, **ids) -> None:
    """Promise the e-mail about ``what`` (inside the transaction that made it happen).
    Its key names the timeline entry the event wrote, so each event is e-mailed once;
    who is told is worked out when it is sent."""
    event = _event_of(what)
    if event is None:
        return
    entry = ComplaintEvent.objects.filter(complaint=complaint).order_by("-pk").first()
    email_queue(
        kind="complaint_event",
        key="complaint-%s:%s:%s" % (event.value, complaint.pk, entry.pk if entry else 0),
        object_id=complaint.pk,
        language=settings.LANGUAGE_CODE,
        params={"what": event.value, "ids": ids},
    )


def overdue_email_queue(item: OverdueItem, *, day) -> None:
    """Promise the e-mail about an overdue item, once a day (inside the transaction that
    writes the day's marker)."""
    email_queue(
        kind="complaint_overdue",
        key="complaint-overdue:%s:%s:%s" % (item.kind, item.object_id, day.isoformat()),
        object_id=item.complaint.pk,
        language=settings.LANGUAGE_CODE,
        params={
            "kind": item.kind,
            "object_id": item.object_id,
            "due_on": item.due_on.isoformat(),
            "escalation_id": item.escalation.pk if item.escalation else None,
        },
    )


def _complaint(complaint_id: int) -> Complaint | None:
    return (
        Complaint.objects.select_related("department__head__user", "handler__user")
        .filter(pk=complaint_id)
        .first()
    )


def build_event_email(email) -> EmailMessage | None:
    """The outbox's builder for ``complaint_event``: recipients as they are at sending."""
    complaint = _complaint(email.object_id)
    if complaint is None:
        return None
    ids = email.params.get("ids", {})
    if "escalation_id" in ids and not Escalation.objects.filter(pk=ids["escalation_id"]).exists():
        return None
    return event_message(complaint, email.params["what"], **ids)


def build_overdue_email(email) -> EmailMessage | None:
    complaint = _complaint(email.object_id)
    if complaint is None:
        return None
    params = email.params
    escalation = None
    if params.get("escalation_id"):
        escalation = (
            Escalation.objects.select_related("department__head__user")
            .filter(pk=params["escalation_id"])
            .first()
        )
        if escalation is None:
            return None
    item = OverdueItem(
        kind=params["kind"],
        object_id=params["object_id"],
        complaint=complaint,
        due_on=dt.date.fromisoformat(params["due_on"]),
        escalation=escalation,
    )
    return overdue_message(item)


def _complaint_url(complaint_id: int) -> str:
    return reverse("complaints:detail", args=[complaint_id])


def register_outbox_builders() -> None:
    registry.register(
        "complaint_event",
        build_event_email,
        label=gettext_lazy("Complaint: event"),
        subject=_complaint_url,
    )
    registry.register(
        "complaint_overdue",
        build_overdue_email,
        label=gettext_lazy("Complaint: overdue"),
        subject=_complaint_url,
    )
