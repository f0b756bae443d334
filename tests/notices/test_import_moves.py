"""A later import that gives a stored record id to another resident or another
certificate type is held, listed on the report with old → new, and applied only when
the department's staff confirm it (re-checked against the certificate at that moment)."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from notices import services
from notices.models import Certificate, CertificateType, ImportRowMove, MoveStatus, Resident
from organization.models import Role
from tests.notices.test_import import HEADER, row
from tests.organization.factories import DepartmentFactory, make_staff_member

pytestmark = pytest.mark.django_db


def csv(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


@pytest.fixture
def department():
    department = DepartmentFactory(name="福祉課")
    CertificateType.objects.create(
        code="jr-commuter", name="JR定期券割引の証明書", department=department
    )
    CertificateType.objects.create(code="bus", name="バス割引の証明書", department=department)
    return department


def run_import(department, *rows: str):
    return services.import_file(
        file=SimpleUploadedFile("r.csv", csv(*rows).encode()),
        file_name="r.csv",
        department_id=department.pk,
    )


@pytest.fixture
def staff(client, department):
    client.force_login(make_staff_member(role=Role.DEPARTMENT_STAFF, department=department).user)
    return client


@pytest.fixture
def moved(department):
    """JR-1 stored for R1; a later file gives it to R2 (new dates) and adds JR-2."""
    run_import(department, row(record="JR-1", number="R1"))
    return run_import(
        department,
        row(record="JR-1", number="R2", name="佐藤 花子", expires="2027-03-31"),
        row(record="JR-2", number="R3"),
    )


def test_a_moved_record_id_is_held_and_listed_not_applied(staff, moved):
    certificate = Certificate.objects.get(source_id="JR-1")
    assert certificate.resident.resident_number == "R1"
    assert certificate.expires_on == dt.date(2026, 10, 31)
    assert not Resident.objects.filter(resident_number="R2").exists()
    assert (moved.held, moved.created, moved.updated, moved.refused) == (1, 1, 0, 0)
    move = ImportRowMove.objects.get()
    assert (move.line, move.source_id, move.status) == (2, "JR-1", MoveStatus.WAITING)

    page = staff.get("/notices/import/%d/" % moved.pk).content.decode()

    assert "確認待ちの付け替え 1 件" in page
    assert "R1 → <strong>R2</strong>" in page
    assert "JR-1" in page and "この付け替えを確定する" in page
    assert "すべての行を取り込みました。" not in page


def test_another_certificate_type_is_a_move_too(department):
    run_import(department, row(record="JR-1"))

    run = run_import(department, row(record="JR-1", ctype="bus"))

    assert run.held == 1
    assert Certificate.objects.get().certificate_type.code == "jr-commuter"
    move = ImportRowMove.objects.get()
    types = (move.old_certificate_type.code, move.new_certificate_type.code)
    assert types == ("jr-commuter", "bus")


def test_confirming_all_applies_the_moves(staff, moved):
    response = staff.post("/notices/import/%d/moves/confirm/" % moved.pk, {"all": "1"}, follow=True)

    certificate = Certificate.objects.get(source_id="JR-1")
    assert certificate.resident.resident_number == "R2"
    assert certificate.resident.name == "佐藤 花子"
    assert certificate.expires_on == dt.date(2027, 3, 31)
    move = ImportRowMove.objects.get()
    assert move.status == MoveStatus.APPLIED and move.decided_by is not None
    assert "name" not in move.new_resident  # the row's name is not kept once decided
    page = response.content.decode()
    assert "1 件の付け替えを確定し、反映しました。" in page
    assert "確認待ちの付け替え 0 件" in page and "確認済み・反映済み" in page


def test_moves_are_confirmed_row_by_row(staff, department):
    run_import(department, row(record="A", number="R1"), row(record="B", number="R2"))
    run = run_import(department, row(record="A", number="R9"), row(record="B", number="R8"))
    first, second = ImportRowMove.objects.order_by("line")

    staff.post("/notices/import/%d/moves/confirm/" % run.pk, {"move": second.pk})

    assert Certificate.objects.get(source_id="A").resident.resident_number == "R1"
    assert Certificate.objects.get(source_id="B").resident.resident_number == "R8"
    first.refresh_from_db()
    assert first.status == MoveStatus.WAITING
    page = staff.get("/notices/import/%d/" % run.pk).content.decode()
    assert "確認待ちの付け替え 1 件" in page
    assert "確認待ち（未反映）" in page


def test_a_certificate_changed_since_is_refused_at_confirmation(staff, department, moved):
    # A plain change (same resident and type, new dates) is applied directly...
    later = run_import(department, row(record="JR-1", number="R1", expires="2026-12-31"))
    assert (later.updated, later.held) == (1, 0)

    # ...so the held move no longer matches the certificate: refused, nothing applied.
    response = staff.post("/notices/import/%d/moves/confirm/" % moved.pk, {"all": "1"}, follow=True)

    certificate = Certificate.objects.get(source_id="JR-1")
    assert certificate.resident.resident_number == "R1"
    assert certificate.expires_on == dt.date(2026, 12, 31)
    move = ImportRowMove.objects.get()
    assert move.status == MoveStatus.REFUSED
    assert "JR-1" in move.outcome and "R1" in move.outcome and "2026-12-31" in move.outcome
    page = response.content.decode()
    assert "2行目：記録番号 JR-1 はこのファイルの取り込み後に変更されています" in page
    assert not Resident.objects.filter(resident_number="R2").exists()


def test_another_departments_staff_cannot_confirm(client, moved):
    client.force_login(make_staff_member(role=Role.DEPARTMENT_STAFF).user)

    response = client.post("/notices/import/%d/moves/confirm/" % moved.pk, {"all": "1"})

    assert response.status_code == 404
    assert ImportRowMove.objects.get().status == MoveStatus.WAITING
    assert Certificate.objects.get(source_id="JR-1").resident.resident_number == "R1"


def test_counter_staff_cannot_confirm(client, moved, department):
    client.force_login(make_staff_member(role=Role.COUNTER_STAFF, department=department).user)

    response = client.post("/notices/import/%d/moves/confirm/" % moved.pk, {"all": "1"})

    assert response.status_code in (403, 404)
    assert ImportRowMove.objects.get().status == MoveStatus.WAITING


def test_nothing_chosen_or_a_bad_id_is_a_message_not_an_error(staff, moved):
    for data in ({}, {"move": "abc"}, {"move": "999999"}):
        response = staff.post("/notices/import/%d/moves/confirm/" % moved.pk, data, follow=True)
        assert response.status_code == 200
        page = response.content.decode()
        assert (
            "確認する付け替えを選んでください。" in page or "確認待ちの付け替えはありません" in page
        )
    assert ImportRowMove.objects.get().status == MoveStatus.WAITING


def test_a_plain_change_is_still_applied_directly(department):
    run_import(department, row(record="JR-1", expires="2026-10-31"))

    run = run_import(department, row(record="JR-1", issued="2026-06-01", expires="2027-05-31"))

    assert (run.updated, run.held) == (1, 0)
    certificate = Certificate.objects.get()
    assert (certificate.issued_on, certificate.expires_on) == (
        dt.date(2026, 6, 1),
        dt.date(2027, 5, 31),
    )
    assert not ImportRowMove.objects.exists()


def test_a_held_record_id_repeated_in_a_later_chunk_is_refused(settings, department):
    settings.IMPORT_CHUNK_ROWS = 1
    run_import(department, row(record="JR-1", number="R1"))

    run = run_import(department, row(record="JR-1", number="R2"), row(record="JR-1", number="R3"))

    assert (run.held, run.refused) == (1, 1)
    assert "2行目" in run.errors[0]["reason"] and "確認待ち" in run.errors[0]["reason"]
    assert Certificate.objects.get().resident.resident_number == "R1"


def test_a_record_id_of_another_department_is_refused_not_held(department):
    run_import(department, row(record="JR-1", number="R1"))
    other = DepartmentFactory(name="市民課")
    CertificateType.objects.create(code="other", name="他課の証明書", department=other)

    run = run_import(other, row(record="JR-1", number="R1", ctype="other"))

    assert (run.held, run.refused) == (0, 1)
    assert "他の課" in run.errors[0]["reason"]
    assert not ImportRowMove.objects.exists()
    assert Certificate.objects.get().certificate_type.code == "jr-commuter"


def test_the_command_says_how_many_moves_wait(tmp_path, capsys, department):
    from django.core.management import call_command

    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text(csv(row(record="JR-1", number="R1")), encoding="utf-8")
    second.write_text(csv(row(record="JR-1", number="R2")), encoding="utf-8")

    call_command("import_certificates", str(first))
    call_command("import_certificates", str(second))

    output = capsys.readouterr().out
    assert "1 held for confirmation" in output and "/notices/import/" in output
    assert Certificate.objects.get().resident.resident_number == "R1"


def test_a_manager_confirms_a_managers_import(client, department):
    run_import(department, row(record="JR-1", number="R1"))
    run = services.import_file(
        file=SimpleUploadedFile("m.csv", csv(row(record="JR-1", ctype="bus")).encode()),
        file_name="m.csv",
    )
    client.force_login(make_staff_member(role=Role.MANAGER).user)

    client.post("/notices/import/%d/moves/confirm/" % run.pk, {"all": "1"})

    assert Certificate.objects.get().certificate_type.code == "bus"
