import datetime as dt
import smtplib

import pytest
from django.core import mail

from complaints import services, tasks
from complaints.models import OverdueNotice
from tests.complaints.factories import MODERATE, department_with_head, record
from tests.organization.factories import make_staff_member
from tests.reservations.factories import at

pytestmark = pytest.mark.django_db

RECEIVED = dt.date(2026, 6, 1)  # Monday; level 2: initial report due 3 June
LATER = dt.date(2026, 6, 5)


@pytest.fixture
def overdue_case():
    shimin, _ = department_with_head("shimin")
    zeimu, _ = department_with_head("zeimu")
    clerk = make_staff_member(department=shimin, email="clerk@city.example.jp")
    complaint = record(clerk, severity=MODERATE, received_at=at(RECEIVED))
    services.complaint_escalate(
        complaint=complaint,
        actor=clerk,
        department=zeimu,
        role="joint",
        request="調査",
        at=at(RECEIVED),
    )
    mail.outbox.clear()
    return complaint


def test_the_overdue_job_emails_each_overdue_item_once_a_day(
    overdue_case, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.complaints_notify_overdue(today=LATER)
        again = services.complaints_notify_overdue(today=LATER)

    # The initial report (to the handler and the department head) and zeimu's answer.
    assert (sent, again) == (2, 0)
    assert len(mail.outbox) == 2
    report_mail = next(m for m in mail.outbox if "clerk@city.example.jp" in m.to)
    assert "head-shimin@city.example.jp" in report_mail.to
    assert any(m.to == ["head-zeimu@city.example.jp"] for m in mail.outbox)
    assert "苦情 花子" not in "".join(m.body for m in mail.outbox)  # no personal data

    assert services.complaints_notify_overdue(today=LATER + dt.timedelta(days=3)) == 2


def test_a_failed_email_is_retried_by_the_outbox_not_promised_again(
    overdue_case, monkeypatch, django_capture_on_commit_callbacks
):
    from django.core.mail import EmailMessage

    from outbox.models import Email, EmailStatus
    from outbox.services import emails_send_due

    real_send = EmailMessage.send

    def down(message, fail_silently=False):
        raise smtplib.SMTPException("down")

    monkeypatch.setattr(EmailMessage, "send", down)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.complaints_notify_overdue(today=LATER) == 2
    assert mail.outbox == []
    waiting = Email.objects.filter(kind="complaint_overdue")
    assert {e.status for e in waiting} == {EmailStatus.PENDING}

    monkeypatch.setattr(EmailMessage, "send", real_send)
    assert services.complaints_notify_overdue(today=LATER) == 0
    retry_at = max(e.next_attempt_at for e in waiting)
    emails_send_due(now=retry_at)  # (also the fixture's event e-mails, never sent)
    assert {(e.status, e.attempts) for e in waiting.all()} == {(EmailStatus.SENT, 2)}
    assert OverdueNotice.objects.count() == 2


def test_a_paused_clock_sends_no_report_reminder(overdue_case, django_capture_on_commit_callbacks):
    services.complaint_pause(
        complaint=overdue_case, actor=overdue_case.handler, reason="市民の回答待ち", at=at(RECEIVED)
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.complaints_notify_overdue(today=LATER)

    # Only the department's overdue answer; the reports wait with the citizen.
    assert [m.to for m in mail.outbox] == [["head-zeimu@city.example.jp"]]


def test_the_beat_task_runs_the_job(overdue_case, monkeypatch):
    calls = []
    monkeypatch.setattr(services, "complaints_notify_overdue", lambda: calls.append(1) or 5)

    assert tasks.complaints_notify_overdue.delay().get() == 5
    assert calls == [1]


def test_the_beat_schedule_includes_the_overdue_job(settings):
    tasks_scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert "complaints.tasks.complaints_notify_overdue" in tasks_scheduled
