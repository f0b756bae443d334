"""A department's import and the residents of other departments: it neither rewrites
them nor, with made-up details, brings them into its own letters and previews."""

import pytest
from django.urls import reverse

from notices.models import Certificate, CertificateType, Resident
from tests.notices.test_import import csv, row
from tests.notices.test_import_jobs import _department_staff, run_import
from tests.organization.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def certificate_type():
    return CertificateType.objects.create(code="jr-commuter", name="JR定期券割引の証明書")


def test_a_department_does_not_change_a_resident_another_department_writes_to(certificate_type):
    theirs = DepartmentFactory()
    certificate_type.department = theirs
    certificate_type.save()
    mine = DepartmentFactory()
    CertificateType.objects.create(code="own", name="自課の証明書", department=mine)
    run_import(csv(row(record="JR-1", number="R1", name="市民 一郎")).encode())
    row_of_mine = row(record="OWN-1", number="R1", name="改ざん 太郎", ctype="own")

    run = run_import(
        csv(row_of_mine, row(record="OWN-2", number="R2", ctype="own")).encode(),
        department_id=mine.pk,
    )

    assert Resident.objects.get(resident_number="R1").name == "市民 一郎"
    assert not Certificate.objects.filter(source_id="OWN-1").exists()
    assert run.created == 1 and [error["line"] for error in run.errors] == [2]
    reason = run.errors[0]["reason"]
    assert "R1" in reason and "他の課" in reason and "市民 一郎" not in reason
    # The same resident named exactly as on record: the department's certificate is stored.
    run_import(
        csv(row(record="OWN-1", number="R1", name="市民 一郎", ctype="own")).encode(),
        department_id=mine.pk,
    )
    assert Certificate.objects.get(source_id="OWN-1").resident.resident_number == "R1"
    # A manager's import (no department) changes them.
    run_import(csv(row(record="JR-1", number="R1", name="市民 一朗")).encode())
    assert Resident.objects.get(resident_number="R1").name == "市民 一朗"


def test_a_made_up_row_does_not_bring_another_departments_resident_into_view(
    client, certificate_type
):
    """Helper 41 uploaded a row with a guessed resident number and a dummy name as 福祉課
    staff; the resident of 市民課 then showed, with name and address, in 福祉課's letter
    preview, its letters and its print batch."""
    run_import(csv(row(record="JR-1", number="JU001", name="市民 花子")).encode())
    member = _department_staff(
        client,
        CertificateType.objects.create(
            code="own", name="自課の証明書", department=DepartmentFactory()
        ),
    )

    run = run_import(
        csv(row(record="PROBE-1", number="JU001", name="だれか", ctype="own")).encode(),
        department_id=member.department_id,
    )

    assert run.created == 0 and len(run.errors) == 1
    resident = Resident.objects.get(resident_number="JU001")
    assert not resident.certificates.filter(certificate_type__department=member.department).exists()
    page = client.get(reverse("notices:import_report", args=[run.pk])).content.decode()
    assert "市民 花子" not in page


def test_a_department_without_certificate_types_is_told_before_it_uploads(client):
    """Helper 42's zeimu1 could upload a file whose every row was then refused."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from organization.models import Role
    from tests.organization.factories import make_staff_member

    client.force_login(make_staff_member(role=Role.DEPARTMENT_STAFF).user)

    page = client.get(reverse("notices:import")).content.decode()
    posted = client.post(
        reverse("notices:import"), {"file": SimpleUploadedFile("r.csv", csv(row()).encode())}
    )

    assert 'type="file"' not in page and "システム管理者に依頼" in page
    assert posted.status_code == 200 and not Certificate.objects.exists()
    assert "システム管理者に依頼" in posted.content.decode()
