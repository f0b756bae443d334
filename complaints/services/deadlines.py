"""The deadline engine: the stored report deadlines, the reports that answer them, the
pauses that stop the clock, and the daily e-mail about what is overdue."""

import datetime as dt
import re
import unicodedata

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints import notify, policy, selectors
from complaints.models import (
    Complaint,
    EventKind,
    OverdueNotice,
    Pause,
    Report,
    ReportKind,
    Status,
)
from complaints.services.base import ComplaintError, event_add, locked, require_open
from complaints.timeline import event_parts
from organization.calendar import ONE_DAY, business_days_add, is_business_day
from organization.models import StaffMember
from organization.selectors import site_settings

DEADLINE_FIELDS = ["initial_report_due", "next_progress_due", "closing_report_due"]

# The closing time when the site's opening hours name none ("平日 8:30～17:15…").
CLOSING_TIME = dt.time(17, 15)
_TIME = r"(\d{1,2})\s*[:時]\s*(\d{2})?\s*分?"
_HOURS = re.compile(r"%s\s*[～〜~\-–—]\s*%s" % (_TIME, _TIME))


def closing_time() -> dt.time:
    """When the city hall closes, read from the site's opening hours (admin: 17:15 in
    「平日 8時30分〜17時15分」; the latest range when there are several). The Japanese
    text is read: the translations follow it, and may lag behind."""
    record = site_settings()
    hours = getattr(record, "opening_hours_ja", None) or record.opening_hours
    text = unicodedata.normalize("NFKC", hours or "")
    ends = [
        dt.time(int(hour), int(minute or 0))
        for *_start, hour, minute in _HOURS.findall(text)
        if int(hour) < 24 and int(minute or 0) < 60
    ]
    return max(ends, default=CLOSING_TIME)


def clock_start(when: dt.datetime) -> dt.date:
    """The business day a deadline is counted from: the day ``when`` falls on, or the
    next business day when that is a closed day (a weekend, a public holiday, the
    year-end closure) or when it came after closing time — nobody could have acted on
    it before the next opening."""
    local = timezone.localtime(when)
    day = local.date()
    if is_business_day(day) and local.time() < closing_time():
        return day
    day += ONE_DAY
    while not is_business_day(day):
        day += ONE_DAY
    return day


def deadlines_refresh(complaint: Complaint) -> None:
    """Recompute the stored report deadlines from the level, the reports and the pauses.

    Deadlines count business days (weekends, public holidays and the year-end closure do
    not count) from the day the complaint was received, or reopened (the next business
    day when that was a closed day or after closing time: ``clock_start``); paused days do not
    count. A progress report is due every N business days after the last report; a
    closing report sent back by the approver is due again counted from that day.
    """
    if complaint.status == Status.CLOSED:
        complaint.initial_report_due = complaint.next_progress_due = None
        complaint.closing_report_due = None
        return
    settings = policy.level_settings(complaint.level)
    started = complaint.reopened_at or complaint.received_at
    base = clock_start(started)
    reports, paused, refused = [], [], None
    if complaint.pk:
        reports = list(complaint.reports.all())
        paused = [
            (timezone.localdate(p.started_at), timezone.localdate(p.ended_at))
            for p in complaint.pauses.filter(ended_at__isnull=False)
        ]
        refused = (
            complaint.events.filter(kind=EventKind.APPROVAL_REFUSED, at__gte=started)
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
    closing_base = max(base, clock_start(refused)) if refused else base
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
            max(clock_start(last), base), settings.progress_every_days, paused=paused
        )
    else:
        complaint.next_progress_due = None


@transaction.atomic
def complaint_report_submit(
    *, complaint: Complaint, actor: StaffMember, kind: str, body: str, at: dt.datetime | None = None
) -> Report:
    """An initial or progress report, stored with the deadline it answered."""
    complaint = locked(complaint)
    require_open(complaint)
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
    deadlines_refresh(complaint)
    complaint.save(update_fields=DEADLINE_FIELDS)
    event_add(
        complaint,
        EventKind.REPORT,
        actor,
        event_parts("report", kind=report.kind, body=report.body),
        at=at,
    )
    # A report sent is only recorded: nobody is e-mailed about it.
    return report


@transaction.atomic
def complaint_pause(
    *, complaint: Complaint, actor: StaffMember, reason: str, at: dt.datetime | None = None
) -> Pause:
    """Stop the deadline clock, e.g. while waiting for the citizen."""
    complaint = locked(complaint)
    require_open(complaint)
    if complaint.paused_since:
        raise ComplaintError(_("The clock is already paused."))
    if not reason.strip():
        raise ComplaintError(_("Give the reason for the pause."))
    pause = Pause.objects.create(
        complaint=complaint, reason=reason.strip(), started_at=at or timezone.now()
    )
    complaint.paused_since = pause.started_at
    complaint.save(update_fields=["paused_since"])
    event_add(complaint, EventKind.PAUSED, actor, reason.strip(), at=at)
    return pause


@transaction.atomic
def complaint_resume(
    *, complaint: Complaint, actor: StaffMember, at: dt.datetime | None = None
) -> Complaint:
    """Restart the clock; the deadlines move by the business days it stood still."""
    complaint = locked(complaint)
    pause = complaint.pauses.filter(ended_at__isnull=True).first()
    if pause is None:
        raise ComplaintError(_("The clock is not paused."))
    pause.ended_at = at or timezone.now()
    pause.save(update_fields=["ended_at"])
    complaint.paused_since = None
    deadlines_refresh(complaint)
    complaint.save(update_fields=["paused_since", *DEADLINE_FIELDS])
    event_add(complaint, EventKind.RESUMED, actor, at=at)
    return complaint


def pause_end(complaint: Complaint, at: dt.datetime | None) -> None:
    """End a running pause (in memory and in the database) without a timeline entry."""
    if complaint.paused_since:
        complaint.pauses.filter(ended_at__isnull=True).update(ended_at=at or timezone.now())
        complaint.paused_since = None


def complaints_notify_overdue(*, today: dt.date | None = None) -> int:
    """E-mail the people responsible for each overdue report and escalation, at most once
    per item per day: the day's marker row (unique item × day) and the outbox e-mail are
    written in one transaction, so a rerun, a retry or a second beat promises nothing
    twice; the outbox relay sends and retries it. Returns the number of e-mails queued."""
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
