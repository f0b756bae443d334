"""Every write of the complaints app: one function per use case, one transaction each.

The use cases live by stage — ``intake``, ``escalation``, ``closing``, ``deadlines``
(the deadline engine, reports, pauses and the overdue mailer) and ``retention`` — and
are re-exported here, so callers write ``from complaints import services`` and
``services.complaint_escalate(...)`` without knowing the stage. Personal data never
goes into e-mails: they carry the reference, the summary and a link.
"""

from complaints.services.base import ComplaintError, notifications_off
from complaints.services.closing import (
    complaint_approval_refuse,
    complaint_approve,
    complaint_closing_request,
    complaint_reopen,
)
from complaints.services.deadlines import (
    complaint_pause,
    complaint_report_submit,
    complaint_resume,
    complaints_notify_overdue,
)
from complaints.services.escalation import complaint_escalate, escalation_respond
from complaints.services.intake import (
    ComplaintIntake,
    complaint_level_change,
    complaint_note_add,
    complaint_record,
    complaint_reply_add,
)
from complaints.services.retention import complaints_anonymise, personal_data_access_log

__all__ = [
    "ComplaintError",
    "ComplaintIntake",
    "complaint_approval_refuse",
    "complaint_approve",
    "complaint_closing_request",
    "complaint_escalate",
    "complaint_level_change",
    "complaint_note_add",
    "complaint_pause",
    "complaint_record",
    "complaint_reopen",
    "complaint_reply_add",
    "complaint_report_submit",
    "complaint_resume",
    "complaints_anonymise",
    "complaints_notify_overdue",
    "escalation_respond",
    "notifications_off",
    "personal_data_access_log",
]
