"""The survey link and the complaint notifications are promised in the outbox like the
booking e-mails: a row in the change's transaction, sent on commit, one per event."""

import pytest
from django.core import mail
from django.db import transaction

from complaints import services as complaint_services
from outbox.models import Email, EmailStatus
from reservations import services
from reservations.models import VisitStatus
from tests.complaints.factories import MODERATE, department_with_head, record
from tests.organization.factories import make_staff_member
from tests.reservations.test_survey import done_visit  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def test_finishing_a_booked_visit_promises_one_survey_email(done_visit):  # noqa: F811
    done_visit.status = VisitStatus.SERVING
    done_visit.save(update_fields=["status"])

    services.visit_act(visit=done_visit, action="done", actor=None)

    row = Email.objects.get()
    assert (row.key, row.recipient, row.status) == (
        "visit-survey:%d" % done_visit.pk,
        "hanako@example.jp",
        EmailStatus.PENDING,
    )


def test_each_complaint_event_is_one_email_to_the_people_responsible_when_sent(
    django_capture_on_commit_callbacks,
):
    shimin, _ = department_with_head("shimin")
    zeimu, _ = department_with_head("zeimu")
    clerk = make_staff_member(department=shimin, email="clerk@city.example.jp")

    with django_capture_on_commit_callbacks(execute=True):
        complaint = record(clerk, severity=MODERATE)
    with django_capture_on_commit_callbacks(execute=True):
        complaint_services.complaint_escalate(
            complaint=complaint, actor=clerk, department=zeimu, role="joint", request="調査"
        )

    rows = list(Email.objects.order_by("id"))
    assert [r.kind for r in rows] == ["complaint_event", "complaint_event"]
    assert rows[0].key.startswith("complaint-recorded:%d:" % complaint.pk)
    assert rows[1].key.startswith("complaint-escalated:%d:" % complaint.pk)
    assert {r.status for r in rows} == {EmailStatus.SENT}
    assert ["head-zeimu@city.example.jp"] in [m.to for m in mail.outbox]
    assert rows[1].recipient == "head-zeimu@city.example.jp"
    assert "苦情 花子" not in "".join(m.body for m in mail.outbox)


def test_a_complaint_that_is_not_saved_emails_nobody():
    shimin, _ = department_with_head("shimin")
    clerk = make_staff_member(department=shimin)

    with pytest.raises(RuntimeError), transaction.atomic():
        record(clerk, severity=MODERATE)
        raise RuntimeError

    assert not Email.objects.exists()
