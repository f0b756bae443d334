"""Imports as jobs: chunks committed with the run's progress, resumable, every bad line
a per-row error with its line number (never a 500, never a half-stored chunk)."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone, translation

from notices import services
from notices.models import Certificate, CertificateType, ImportRun, ImportStatus, Resident
from notices.services import imports
from organization.models import Role
from tests.notices.test_import import csv, row
from tests.organization.factories import DepartmentFactory, make_staff_member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def certificate_type():
    return CertificateType.objects.create(code="jr-commuter", name="JR定期券割引の証明書")


def rows(count: int, start: int = 1) -> list[str]:
    return [row(record="JR-%d" % n, number="R%d" % n) for n in range(start, start + count)]


def run_import(data: bytes, **kwargs) -> ImportRun:
    return services.certificates_import(data=data, file_name="records.csv", **kwargs)


def reasons(run) -> dict[int, str]:
    return {error["line"]: error["reason"] for error in run.errors}


def test_a_nul_byte_refuses_its_row_only():
    data = csv(
        row(record="JR-1"),
        row(record="JR-2", number="R2", name="山田\x00太郎"),
        row(record="JR-3", number="R3"),
    )

    run = run_import(data.encode())

    assert run.status == ImportStatus.DONE
    assert list(reasons(run)) == [3]
    assert "NUL" in reasons(run)[3]
    assert sorted(Certificate.objects.values_list("source_id", flat=True)) == ["JR-1", "JR-3"]


def test_a_huge_cell_and_an_over_long_line_are_refused_with_their_line(settings):
    settings.IMPORT_MAX_CELL_CHARS = 1000
    data = csv(
        row(record="JR-1"),
        row(record="JR-2", number="R2", name="あ" * 1001),
        row(record="JR-3", number="R3", name="x" * 600_000),
        row(record="JR-4", number="R4"),
    )

    run = run_import(data.encode())

    assert list(reasons(run)) == [3, 4]
    assert "1000" in reasons(run)[3]
    assert str(settings.IMPORT_MAX_LINE_BYTES) in reasons(run)[4]
    assert sorted(Certificate.objects.values_list("source_id", flat=True)) == ["JR-1", "JR-4"]


def test_broken_quoting_refuses_one_line_and_reading_goes_on():
    data = csv(
        row(record="JR-1"),
        row(record="JR-2", number="R2", name='"山田 太郎'),
        row(record="JR-3", number="R3"),
        row(record="JR-4", number="R4"),
    )

    run = run_import(data.encode())

    assert list(reasons(run)) == [3]
    assert sorted(Certificate.objects.values_list("source_id", flat=True)) == [
        "JR-1",
        "JR-3",
        "JR-4",
    ]


def test_a_quoted_cell_may_span_lines():
    data = csv(
        row(record="JR-1").replace("みどり市本町1-1", '"みどり市\n本町1-1"'),
        row(record="JR-2", number="R2"),
    )

    run = run_import(data.encode())

    assert run.errors == []
    assert Resident.objects.get(resident_number="R1").address_line1 == "みどり市\n本町1-1"
    assert run.rows == 2


def test_values_longer_than_their_column_are_refused_not_a_database_error():
    run = run_import(
        csv(row(record="JR-1", name="長" * 101), row(record="JR-2", number="R2")).encode()
    )

    assert list(reasons(run)) == [2]
    assert Certificate.objects.count() == 1


def test_chunks_are_recorded_as_committed(settings):
    settings.IMPORT_CHUNK_ROWS = 3
    data = csv(*rows(10)).encode()

    run = run_import(data)

    assert (run.status, run.rows, run.created, run.chunks_done) == (ImportStatus.DONE, 10, 10, 4)
    assert run.next_offset == len(data) == run.size
    assert run.next_line == 12


class WorkerKilled(BaseException):
    """What a SIGKILL looks like to the code: nothing after it runs."""


def test_a_killed_chunk_leaves_nothing_and_the_sweep_resumes_from_it(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.IMPORT_CHUNK_ROWS = 4
    settings.CELERY_TASK_ALWAYS_EAGER = True
    data = csv(*rows(10)).encode()
    real_store = imports.store_chunk
    calls = []

    def store_then_die(run, good, now):
        calls.append(len(good))
        result = real_store(run, good, now)
        if len(calls) == 2:
            raise WorkerKilled  # after writing the rows, before the commit
        return result

    monkeypatch.setattr(imports, "store_chunk", store_then_die)
    with pytest.raises(WorkerKilled):
        run_import(data)
    run = ImportRun.objects.get()
    assert (run.status, run.chunks_done, run.rows) == (ImportStatus.RUNNING, 1, 4)
    assert Certificate.objects.count() == 4  # the second chunk rolled back whole

    monkeypatch.setattr(imports, "store_chunk", real_store)
    later = timezone.now() + dt.timedelta(seconds=settings.IMPORT_RETRY_SECONDS + 1)
    with django_capture_on_commit_callbacks(execute=True):
        services.import_runs_resume(now=later)

    run.refresh_from_db()
    assert (run.status, run.rows, run.created, run.refused, run.chunks_done) == (
        ImportStatus.DONE,
        10,
        10,
        0,
        3,
    )
    assert Certificate.objects.count() == 10
    assert run.attempts == 1


def test_a_twin_attempt_does_not_commit_a_chunk_twice(settings):
    settings.IMPORT_CHUNK_ROWS = 5
    data = csv(*rows(5)).encode()
    run = run_import(data)

    twin = imports._commit_chunk(run.pk, 0, len(data), 7, 5, [], [], True)

    assert twin is None
    run.refresh_from_db()
    assert (run.rows, run.chunks_done) == (5, 1)


def test_an_import_that_cannot_finish_is_marked_failed_with_its_counts(settings):
    settings.IMPORT_CHUNK_ROWS = 2
    run = services.import_run_start(
        upload=SimpleUploadedFile("r.csv", csv(*rows(5)).encode()), file_name="r.csv", queue=False
    )
    ImportRun.objects.filter(pk=run.pk).update(attempts=settings.IMPORT_MAX_ATTEMPTS)

    services.import_runs_resume(now=timezone.now() + dt.timedelta(hours=1))

    run.refresh_from_db()
    assert run.status == ImportStatus.FAILED
    assert run.failure
    assert run.stored == 0 and run.finished_at


def test_a_record_id_repeated_in_a_later_chunk_is_refused(settings):
    settings.IMPORT_CHUNK_ROWS = 2
    data = csv(*rows(3), row(record="JR-1", number="R9")).encode()

    run = run_import(data)

    assert list(reasons(run)) == [5]
    assert "JR-1" in reasons(run)[5]
    assert Certificate.objects.get(source_id="JR-1").resident.resident_number == "R1"


def test_department_staff_import_only_their_department_types(certificate_type):
    mine = DepartmentFactory()
    certificate_type.department = DepartmentFactory()
    certificate_type.save()
    CertificateType.objects.create(code="own", name="自課の証明書", department=mine)

    with translation.override("en"):
        run = run_import(
            csv(row(record="JR-1"), row(record="OWN-1", number="R2", ctype="own")).encode(),
            department_id=mine.pk,
        )

    assert list(reasons(run)) == [2]
    assert "jr-commuter belongs to another department" in reasons(run)[2]
    assert list(Certificate.objects.values_list("source_id", flat=True)) == ["OWN-1"]


def _department_staff(client, certificate_type):
    member = make_staff_member(role=Role.DEPARTMENT_STAFF)
    certificate_type.department = member.department
    certificate_type.save()
    client.force_login(member.user)
    return member


def _started_by_staff(client, certificate_type, *, count: int) -> ImportRun:
    """An import of ``count`` rows started (not yet processed) by a logged-in member of the
    department the certificate type belongs to."""
    member = _department_staff(client, certificate_type)
    upload = SimpleUploadedFile("r.csv", csv(*rows(count)).encode())
    return services.import_run_start(
        upload=upload, file_name="r.csv", department_id=member.department_id, queue=False
    )


def test_the_upload_page_refuses_a_file_in_another_encoding_at_once(client, certificate_type):
    _department_staff(client, certificate_type)
    upload = SimpleUploadedFile("x.csv", b"\x81\xff\xfe\x00\x80")

    response = client.post(reverse("notices:import"), {"file": upload})

    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert ImportRun.objects.count() == 0


def test_the_upload_page_refuses_an_oversize_body_before_reading_it(
    client, settings, certificate_type
):
    _department_staff(client, certificate_type)
    response = client.post(
        reverse("notices:import"),
        data=b"x",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(settings.IMPORT_MAX_UPLOAD_BYTES + 10**6),
    )

    assert response.status_code == 413
    assert response.context["form"].non_field_errors()
    assert ImportRun.objects.count() == 0


def test_the_report_polls_its_progress_with_a_link_too(client, certificate_type):
    run = _started_by_staff(client, certificate_type, count=2)
    url = reverse("notices:import_report", args=[run.pk])

    page = client.get(url).content.decode()
    part = client.get(url, headers={"HX-Request": "true"}).content.decode()

    assert 'hx-get="%s"' % url in page and 'href="%s"' % url in page
    assert part.lstrip().startswith('<div id="import-progress"')
    services.import_run_process(run_id=run.pk)
    done = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-get" not in done
    assert '<dd class="col-sm-9">2</dd>' in done


def test_the_whole_upload_runs_in_the_request_under_eager_tasks(
    client, certificate_type, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_CHUNK_ROWS = 2
    _department_staff(client, certificate_type)
    upload = SimpleUploadedFile("r.csv", csv(*rows(5)).encode("cp932"))

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("notices:import"), {"file": upload})

    run = ImportRun.objects.get()
    assert (run.status, run.rows, run.created, run.chunks_done, run.encoding) == (
        ImportStatus.DONE,
        5,
        5,
        3,
        "CP932",
    )


def test_the_refused_rows_download_lists_every_line(client, certificate_type):
    member = _department_staff(client, certificate_type)
    run = run_import(
        csv(row(record="JR-1", issued="x"), row(record="JR-2", number="R2", issued="y")).encode(),
        department_id=member.department_id,
    )

    response = client.get(reverse("notices:import_errors_csv", args=[run.pk]))

    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert response["Content-Type"].startswith("text/csv")
    assert [line.split(",")[0] for line in lines[1:]] == ["2", "3"]


def test_the_command_prints_plain_progress_and_no_traceback_for_bad_input(
    tmp_path, capsys, settings
):
    settings.IMPORT_CHUNK_ROWS = 2
    path = tmp_path / "r.csv"
    path.write_bytes(csv(*rows(6), row(record="JR-9", number="R9", name="a\x00b")).encode())

    with pytest.raises(CommandError):
        call_command("import_certificates", str(path))

    output = capsys.readouterr().out
    assert "100% 7 rows read, 6 stored, 1 refused" in output
    assert "line 8:" in output
    assert "\r" not in output and "Traceback" not in output


def test_the_command_reports_a_file_in_another_encoding_without_a_traceback(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"\x81\xff\xfe\x00\x80")

    with pytest.raises(CommandError, match="UTF-8"):
        call_command("import_certificates", str(path))


def test_staff_resume_an_import_that_stopped_making_progress(
    client, certificate_type, settings, django_capture_on_commit_callbacks
):
    run = _started_by_staff(client, certificate_type, count=3)
    url = reverse("notices:import_report", args=[run.pk])
    assert "/resume/" not in client.get(url).content.decode()  # still fresh
    ImportRun.objects.filter(pk=run.pk).update(
        progress_at=timezone.now() - dt.timedelta(seconds=settings.IMPORT_RETRY_SECONDS + 1)
    )
    assert "/resume/" in client.get(url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("notices:import_resume", args=[run.pk]))

    run.refresh_from_db()
    assert (run.status, run.created, run.attempts) == (ImportStatus.DONE, 3, 1)
    assert services.import_run_resume(run_id=run.pk) is False


def test_the_uploaded_file_is_deleted_when_the_import_ends(
    settings, django_capture_on_commit_callbacks
):
    run = services.import_run_start(
        upload=SimpleUploadedFile("r.csv", csv(*rows(2)).encode()), file_name="r.csv", queue=False
    )
    stored = run.file.path
    assert Path(stored).read_bytes().startswith(b"record_id")

    with django_capture_on_commit_callbacks(execute=True):
        services.import_run_process(run_id=run.pk)

    run.refresh_from_db()
    assert not run.file
    assert not Path(stored).exists()


def test_a_file_with_only_its_header_is_reported_as_empty_not_as_imported(
    client, certificate_type, django_capture_on_commit_callbacks
):
    _department_staff(client, certificate_type)
    upload = SimpleUploadedFile("records.csv", csv().encode("utf-8"))

    with django_capture_on_commit_callbacks(execute=True):
        posted = client.post(reverse("notices:import"), {"file": upload})
    page = client.get(posted["Location"]).content.decode()

    assert "データ行がありません" in page and "すべての行を取り込みました" not in page


def test_the_refused_rows_name_their_record_id_on_the_page_and_in_the_download(
    client, certificate_type
):
    member = _department_staff(client, certificate_type)
    run = run_import(
        csv(
            row(record="JR-1", issued="x"), row(record="JR-2", number="R2"), row(record="JR-2")
        ).encode(),
        department_id=member.department_id,
    )

    download = client.get(reverse("notices:import_errors_csv", args=[run.pk]))
    page = client.get(reverse("notices:import_report", args=[run.pk])).content.decode()

    lines = b"".join(download.streaming_content).decode("utf-8-sig").splitlines()
    assert [line.split(",")[:2] for line in lines[1:]] == [["2", "JR-1"], ["4", "JR-2"]]
    assert '<td class="text-nowrap">JR-1</td>' in page


def test_a_row_with_more_cells_than_the_header_is_refused_with_the_reason(certificate_type):
    shifted = row(record="JR-1").replace("山田 太郎", "山田, 太郎")  # an unquoted comma
    run = run_import(csv(shifted, row(record="JR-2", number="R2")).encode())

    assert [error["line"] for error in run.errors] == [2]
    assert str(len(services.COLUMNS)) in run.errors[0]["reason"]
    assert "カンマ" in run.errors[0]["reason"]
    assert list(Certificate.objects.values_list("source_id", flat=True)) == ["JR-2"]


def test_a_header_naming_a_column_twice_refuses_the_file(certificate_type):
    header = ",".join([*services.COLUMNS, "name"])
    run = run_import(("%s\n%s,x\n" % (header, row())).encode())

    assert run.status == ImportStatus.FAILED and run.created == 0
    assert "name" in run.failure
    assert not Certificate.objects.exists()


def test_columns_not_documented_are_named_on_the_report(client, certificate_type):
    member = _department_staff(client, certificate_type)
    header = ",".join([*services.COLUMNS, "備考"])
    run = run_import(
        ("%s\n%s,電話あり\n" % (header, row())).encode(), department_id=member.department_id
    )

    page = client.get(reverse("notices:import_report", args=[run.pk])).content.decode()
    assert run.created == 1 and run.columns_not_read == "備考"
    assert "備考" in page


def test_an_unexpected_error_fails_the_import_with_words_for_the_clerk(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("row of 山田 太郎 at みどり市本町1-1")

    monkeypatch.setattr(imports, "read_row", broken)
    with translation.override("ja"):
        run = run_import(csv(*rows(2)).encode())
        label = run.get_status_display()

    assert run.status == ImportStatus.FAILED and label == "失敗"
    assert "RuntimeError" in run.failure and "山田" not in run.failure
    assert "%d" % run.pk in run.failure


def test_a_file_whose_lines_end_with_cr_only_is_refused_with_that_reason(client, certificate_type):
    _department_staff(client, certificate_type)
    data = csv(*rows(2)).replace("\n", "\r").encode()

    response = client.post(
        reverse("notices:import"), {"file": SimpleUploadedFile("mac.csv", data)}, follow=True
    )

    assert "改行がCRだけ" in response.content.decode()
    assert not Certificate.objects.exists()
