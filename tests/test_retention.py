"""Personal data past its retention period is anonymised; the KPIs stay the same."""

import datetime as dt

import pytest
from django.db import DatabaseError, transaction
from django.utils import timezone

from complaints import services as complaint_services
from complaints.models import ComplaintEvent, EventKind
from dashboards import periods, rollup, selectors
from notices.models import Certificate, CertificateType, Resident
from notices.services import residents_anonymise
from organization.models import AccessLog, Role
from reservations.models import Reservation, SurveyAnswer
from reservations.services.retention import reservations_anonymise
from tests.complaints.factories import close, department_with_head, record
from tests.dashboards.factories import booking, procedure_with_clerk, visit
from tests.organization.factories import make_staff_member
from tests.reservations.factories import at

pytestmark = pytest.mark.django_db

OLD = timezone.localdate() - dt.timedelta(days=800)
while OLD.weekday() >= 5:
    OLD -= dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def _two_years(settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 730


@pytest.fixture
def old_counter_day():
    procedure, clerk = procedure_with_clerk(OLD)
    first = booking(procedure, clerk, at(OLD, 10), email="hanako@example.jp")
    again = booking(
        procedure,
        clerk,
        at(OLD, 11),
        email="hanako@example.jp",
        created_at=at(OLD, 9) - dt.timedelta(days=1),
    )
    v = visit(procedure, OLD, kind="booked", reservation=first, arrived=at(OLD, 10), wait=4)
    SurveyAnswer.objects.create(
        visit=v, overall=5, comment="山田さんが親切でした", answered_at=v.done_at
    )
    visit(procedure, OLD, kind="booked", reservation=again, arrived=at(OLD, 11), wait=6)
    recent = booking(procedure, clerk, at(timezone.localdate(), 10), email="new@example.jp")
    return first, again, recent


def kpi_values():
    period = periods.period_containing(OLD, "quarter")
    return [(k.code, k.value, k.basis) for k in selectors.kpis(period, selectors.Filters())]


def test_old_bookings_lose_names_and_contacts_recent_ones_keep_them(old_counter_day):
    first, _again, recent = old_counter_day

    changed = reservations_anonymise()

    first.refresh_from_db()
    recent.refresh_from_db()
    assert changed == 2
    assert (first.citizen_name, first.email, first.phone) == ("", "", "")
    assert first.email_key.startswith("anon:") and "hanako" not in first.email_key
    assert recent.email == "new@example.jp"
    assert SurveyAnswer.objects.get().comment == ""
    assert reservations_anonymise() == 0  # nothing left to do


def test_the_dashboards_are_unchanged_even_when_recomputed(old_counter_day):
    rollup.facts_refresh([OLD, OLD - dt.timedelta(days=1), OLD - dt.timedelta(days=3)])
    before = kpi_values()

    reservations_anonymise()
    rollup.facts_refresh([OLD, OLD - dt.timedelta(days=1), OLD - dt.timedelta(days=3)])

    assert kpi_values() == before
    # The same person is still recognised as returning (pseudonyms are equal).
    assert {c: v for c, v, _b in before}["retention"] == 50.0


def test_old_complaints_lose_personal_data_but_keep_the_knowledge():
    shimin, head = department_with_head("shimin")
    clerk = make_staff_member(department=shimin)
    manager = make_staff_member(role=Role.MANAGER, department=shimin)
    received = at(OLD, 10)
    complaint = record(
        clerk, received_at=received, citizen_name="苦情 花子", first_response="花子様に謝罪"
    )
    complaint_services.complaint_reply_add(
        complaint=complaint, actor=clerk, text="花子様に電話", at=received
    )
    complaint_services.complaint_pause(
        complaint=complaint, actor=clerk, reason="花子様の書類待ち", at=received
    )
    complaint_services.complaint_resume(complaint=complaint, actor=clerk, at=received)
    close(
        complaint,
        handler=clerk,
        owner_department=shimin,
        owner_member=head,
        approver=manager,
        root="原因",
        fix="対策",
        at=[received, received] + [received + dt.timedelta(days=d) for d in (1, 2)],
    )
    complaint_services.personal_data_access_log(
        complaint=complaint, user=manager.user, view="complaints:detail"
    )
    logged = list(AccessLog.objects.values())

    assert complaint_services.complaints_anonymise() == 1

    complaint.refresh_from_db()
    assert (complaint.citizen_name, complaint.citizen_contact) == ("", "")
    assert complaint.countermeasure == "対策"
    assert ComplaintEvent.objects.get(kind=EventKind.REPLY).text == ""
    assert ComplaintEvent.objects.get(kind=EventKind.CREATED).text != ""
    # Every text staff wrote that may name the citizen is blank; the answers stay.
    assert complaint.first_response == ""
    assert [p.reason for p in complaint.pauses.all()] == [""]
    assert {r.body for r in complaint.reports.all()} == {""}
    texts = ComplaintEvent.objects.filter(complaint=complaint).values_list("text", flat=True)
    assert "花子" not in "".join(texts)
    assert complaint.escalations.get().countermeasure == "対策"
    # The timeline still refuses any other change.
    created = ComplaintEvent.objects.get(kind=EventKind.CREATED)
    with pytest.raises(DatabaseError), transaction.atomic():
        ComplaintEvent.objects.filter(pk=created.pk).update(text="")
    with pytest.raises(DatabaseError), transaction.atomic():
        ComplaintEvent.objects.filter(kind=EventKind.REPLY).update(text="書き換え")
    assert complaint_services.complaints_anonymise() == 0
    # The access log holds no personal data: retention leaves it as it was.
    assert list(AccessLog.objects.values()) == logged


def test_residents_are_anonymised_once_their_certificates_and_letters_are_old():
    certificate_type = CertificateType.objects.create(code="jr", name="JR")
    old = Resident.objects.create(resident_number="R1", name="古い 住民", address_line1="本町1")
    current = Resident.objects.create(resident_number="R2", name="今の 住民")
    Certificate.objects.create(
        source_id="C1",
        resident=old,
        certificate_type=certificate_type,
        issued_on=OLD - dt.timedelta(days=180),
        expires_on=OLD,
    )
    Certificate.objects.create(
        source_id="C2",
        resident=current,
        certificate_type=certificate_type,
        issued_on=OLD,
        expires_on=timezone.localdate(),
    )

    assert residents_anonymise() == 1

    old.refresh_from_db()
    current.refresh_from_db()
    assert (old.name, old.address_line1) == ("", "")
    assert old.resident_number.startswith("anon:")
    assert current.name == "今の 住民"
    assert Reservation.objects.count() == 0  # nothing else touched
