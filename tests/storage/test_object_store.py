"""Letter PDFs and uploaded imports in a real S3-compatible object store (SeaweedFS).

Every test has a bucket of its own (``bucket``), read back with boto3 directly, and an
empty MEDIA_ROOT that must stay empty: nothing the app writes lands on local disk.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from notices import services
from notices.models import BatchStatus, CertificateType, ImportRun, ImportStatus
from organization.models import AccessLog, Role
from tests.notices.factories import TODAY, holder
from tests.notices.test_import import csv, row
from tests.organization.factories import DepartmentFactory, make_staff_member
from tests.storage.conftest import Bucket, s3_options

pytestmark = pytest.mark.django_db


def nothing_on_disk(settings) -> bool:
    root = settings.MEDIA_ROOT
    return not root.exists() or not any(path.is_file() for path in root.rglob("*"))


def make_batch(rule, django_capture_on_commit_callbacks, letters=3):
    for n in range(letters):
        holder(rule, name="住民 %d" % n)
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.letters_create_due(rule=rule, today=TODAY)
    batch.refresh_from_db()
    return batch


def test_the_storage_check_writes_reads_and_deletes_in_the_bucket(bucket, capsys):
    call_command("storage_check")

    out = capsys.readouterr().out
    assert "File storage OK: S3 bucket %s at %s" % (bucket.name, bucket.endpoint) in out
    assert bucket.keys() == []  # the probe cleaned up after itself


def test_the_storage_check_says_why_when_the_bucket_is_missing(s3_server, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": s3_options(*s3_server, "mdg-no-such-bucket"),
    }

    with pytest.raises(CommandError, match=r"The file storage cannot be used .*mdg-no-such-bucket"):
        call_command("storage_check")


def test_the_storage_check_says_why_when_the_key_is_wrong(s3_server, bucket, settings):
    endpoint, access, _secret = s3_server
    settings.STORAGES = {
        **settings.STORAGES,
        "default": s3_options(endpoint, access, "not-the-secret", bucket.name),
    }

    with pytest.raises(CommandError, match=r"SignatureDoesNotMatch|AccessDenied|Forbidden"):
        call_command("storage_check")


def test_letters_rendered_into_the_bucket_download_to_their_department_only(
    rule, bucket, settings, client, django_capture_on_commit_callbacks
):
    batch = make_batch(rule, django_capture_on_commit_callbacks)
    chunk = batch.chunks.get()

    assert batch.status == BatchStatus.READY
    assert bucket.keys() == [chunk.pdf.name]
    assert chunk.pdf.name.startswith("letters/") and chunk.pdf.name.endswith(".pdf")
    stored = bucket.read(chunk.pdf.name)
    assert stored.startswith(b"%PDF")
    assert nothing_on_disk(settings)

    staff = make_staff_member(role=Role.DEPARTMENT_STAFF, department=rule.sender)
    client.force_login(staff.user)
    response = client.get(reverse("notices:chunk_pdf", args=[chunk.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "letters-%d-001.pdf" % batch.pk in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == stored
    assert AccessLog.objects.filter(user=staff.user, view="notices:chunk_pdf").exists()

    other = make_staff_member(role=Role.DEPARTMENT_STAFF, department=DepartmentFactory())
    client.force_login(other.user)
    assert client.get(reverse("notices:chunk_pdf", args=[chunk.pk])).status_code == 404


def test_a_pdf_missing_from_the_bucket_is_said_plainly_not_a_500(
    rule, bucket, client, django_capture_on_commit_callbacks
):
    chunk = make_batch(rule, django_capture_on_commit_callbacks, letters=1).chunks.get()
    bucket.delete(chunk.pdf.name)
    staff = make_staff_member(role=Role.DEPARTMENT_STAFF, department=rule.sender)
    client.force_login(staff.user)

    response = client.get(reverse("notices:chunk_pdf", args=[chunk.pk]), follow=True)

    assert response.status_code == 200
    assert response.redirect_chain[0][0] == reverse("notices:overview")
    assert "missing from the file storage" in response.content.decode() or (
        "ファイル保存先" in response.content.decode()
    )


def test_an_object_store_that_is_down_gives_503_try_again(
    rule, bucket, settings, client, django_capture_on_commit_callbacks
):
    chunk = make_batch(rule, django_capture_on_commit_callbacks, letters=1).chunks.get()
    staff = make_staff_member(role=Role.DEPARTMENT_STAFF, department=rule.sender)
    client.force_login(staff.user)
    options = settings.STORAGES["default"]["OPTIONS"]
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            **settings.STORAGES["default"],
            "OPTIONS": {**options, "endpoint_url": "http://127.0.0.1:9"},  # nothing listens
        },
    }
    client.raise_request_exception = False

    response = client.get(reverse("notices:chunk_pdf", args=[chunk.pk]))

    assert response.status_code == 503
    assert response["Retry-After"] == "5"


def test_an_upload_is_imported_from_the_bucket_in_chunks_then_deleted(
    bucket, settings, django_capture_on_commit_callbacks
):
    CertificateType.objects.create(code="jr-commuter", name="JR定期券割引の証明書")
    settings.IMPORT_CHUNK_ROWS = 4
    data = csv(*[row(record="JR-%d" % n, number="R%d" % n) for n in range(1, 11)]).encode()
    upload = SimpleUploadedFile("records.csv", data, content_type="text/csv")

    run = services.import_run_start(upload=upload, file_name="records.csv", queue=False)

    assert bucket.keys() == [run.file.name]
    assert run.file.name.startswith("imports/")
    assert bucket.read(run.file.name) == data
    assert nothing_on_disk(settings)

    # A worker reads the stored file from the bucket: one chunk, then it stops (its
    # budget spent); the next attempt opens the object again and goes on from the next
    # uncommitted byte.
    run = services.import_run_process(run_id=run.pk, budget_seconds=0)
    assert (run.rows, run.chunks_done, run.is_finished) == (4, 1, False)
    with django_capture_on_commit_callbacks(execute=True):
        services.import_run_process(run_id=run.pk)

    run = ImportRun.objects.get(pk=run.pk)
    assert (run.status, run.rows, run.created, run.chunks_done) == (ImportStatus.DONE, 10, 10, 3)
    assert bucket.keys() == []  # names and addresses do not outlive the import
    assert not run.file


def test_the_upload_page_stores_into_the_bucket(
    bucket, settings, client, django_capture_on_commit_callbacks
):
    department = DepartmentFactory()
    CertificateType.objects.create(
        code="jr-commuter", name="JR定期券割引の証明書", department=department
    )
    staff = make_staff_member(role=Role.DEPARTMENT_STAFF, department=department)
    client.force_login(staff.user)
    data = csv(row(record="JR-1", number="R1"), row(record="JR-2", number="R2")).encode()

    upload = SimpleUploadedFile("records.csv", data, content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("notices:import"), {"file": upload}, follow=True)

    assert response.status_code == 200
    run = ImportRun.objects.get()
    assert (run.status, run.created) == (ImportStatus.DONE, 2)
    assert bucket.keys() == []
    assert nothing_on_disk(settings)


def test_the_storage_check_can_create_the_bucket_first(s3_server, settings, capsys):
    bucket = Bucket(*s3_server)
    bucket.remove()  # a name nobody has created
    settings.STORAGES = {**settings.STORAGES, "default": s3_options(*s3_server, bucket.name)}

    call_command("storage_check", "--create-bucket")
    call_command("storage_check", "--create-bucket")  # again: it exists, nothing to do

    out = capsys.readouterr().out
    assert out.count("Created the bucket: S3 bucket %s" % bucket.name) == 1
    assert out.count("File storage OK") == 2
    bucket.remove()
