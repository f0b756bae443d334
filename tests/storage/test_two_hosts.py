"""Two "hosts" that share only PostgreSQL, Redis and the object store.

A Celery worker process with a var/ and MEDIA_ROOT of its own renders a batch of
renewal letters into the bucket; a gunicorn web process with another var/ and MEDIA_ROOT
takes the staff member's "make these letters now" and then serves the PDF part, read
from the bucket. Neither folder ever holds a PDF. Runs in the PostgreSQL + Redis pass
(`DATABASE_URL` and `REDIS_URL` set; CI runs it there); the embedded set-up is one
machine by design.
"""

import datetime as dt
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from django.utils import timezone

from bench.common import staff_login
from notices.models import (
    BatchStatus,
    Certificate,
    CertificateType,
    LetterBatch,
    NoticeRule,
    Resident,
)
from organization.models import Role
from tests.organization.factories import DepartmentFactory, make_staff_member
from tests.reservations.factories import ProcedureFactory, add_rule
from tests.storage import s3server
from tests.storage.conftest import Bucket

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PASSWORD = "two-hosts-password-1"
LETTERS = 4

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL") or not os.environ.get("DATABASE_URL"),
        reason="needs the server set-up: DATABASE_URL (PostgreSQL) and REDIS_URL",
    ),
]


def database_url() -> str:
    """The test database, as the other processes must reach it."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"])
    return "postgres://%s@%s:%s/%s" % (
        credentials,
        db["HOST"] or "127.0.0.1",
        db["PORT"] or 5432,
        db["NAME"],
    )


def host_environment(tmp_path: Path, host: str, s3, bucket: str) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST", "DJANGO_", "MEDIA_ROOT", "MADOGUCHI_", "S3_", "AWS_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=database_url(),
        REDIS_URL=os.environ["REDIS_URL"],
        SECRET_KEY="two-hosts-shared-secret-key-for-the-test-only-0123456789",
        ALLOWED_HOSTS="127.0.0.1",
    )
    # Each host has its own files; the objects are shared, in one bucket.
    folders = {"MADOGUCHI_VAR_DIR": "var", "MEDIA_ROOT": "media", "EMAIL_FILE_PATH": "mail"}
    env.update({setting: str(tmp_path / host / folder) for setting, folder in folders.items()})
    env.update(
        zip(("S3_ENDPOINT_URL", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"), s3, strict=True)
    )
    env.update(S3_BUCKET=bucket, S3_REGION_NAME="us-east-1")
    off = (
        "CELERY_TASK_ALWAYS_EAGER",
        "DEBUG",
        "HTTPS_ONLY",
        "STATIC_MANIFEST",
        "TWO_FACTOR_REQUIRED",
    )
    env.update(dict.fromkeys(off, "false"))
    return env


def files_under(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


class Processes:
    def __init__(self, tmp_path: Path):
        self.tmp_path = tmp_path
        self.running: list[tuple[subprocess.Popen, Path]] = []

    def start(self, command: list[str], env: dict, log_name: str) -> subprocess.Popen:
        log = self.tmp_path / log_name
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.running.append((process, log))
        return process

    def logs(self) -> str:
        return "\n".join(
            "--- %s\n%s" % (log.name, log.read_text(errors="replace")[-4000:])
            for _process, log in self.running
        )

    def stop(self) -> None:
        for process, _log in self.running:
            if process.poll() is None:
                os.killpg(process.pid, 15)
        for process, _log in self.running:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, 9)
                process.wait(timeout=5)


@pytest.fixture
def processes(tmp_path):
    running = Processes(tmp_path)
    yield running
    running.stop()


def wait_for(predicate, seconds: float, what: str, processes: Processes):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        for process, log in processes.running:
            if process.poll() is not None:
                pytest.fail(
                    "%s exited (%s) while waiting for %s:\n%s"
                    % (log.name, process.returncode, what, processes.logs())
                )
        time.sleep(0.5)
    pytest.fail("Timed out after %ss waiting for %s:\n%s" % (seconds, what, processes.logs()))


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=5) as response:
            return response.status == 200
    except (OSError, urllib.error.URLError):
        return False


def staff_opener(url: str, username: str):
    return staff_login(url, username, PASSWORD)


def post_form(opener, url: str, page_path: str, action_path: str):
    page = opener.open(url + page_path, timeout=30).read().decode()
    token = CSRF_RE.search(page).group(1)
    return opener.open(
        urllib.request.Request(
            url + action_path,
            data=urlencode({"csrfmiddlewaretoken": token}).encode(),
            headers={"Referer": url + page_path},
        ),
        timeout=60,
    )


def test_letters_rendered_by_a_worker_host_download_from_a_web_host(s3_server, tmp_path, processes):
    bucket = Bucket(*s3_server)
    try:
        run_two_hosts(s3_server, bucket, tmp_path, processes)
    finally:
        processes.stop()
        bucket.remove()


def renewal_rule_with_expiring_certificates() -> NoticeRule:
    """A renewal-notice rule of 福祉課 and ``LETTERS`` residents whose certificate of its
    type expires in ten days: one letter each is due."""
    department = DepartmentFactory(name="福祉課", phone="0120-000-102")
    procedure = ProcedureFactory(code="jr-commuter-pass", name="JR定期券割引の証明書")
    add_rule(procedure, "顔写真（6か月以内に撮影、縦4cm×横3cm）")
    certificate_type = CertificateType.objects.create(
        code="jr-commuter", name="JR定期券割引の証明書", procedure=procedure, department=department
    )
    rule = NoticeRule.objects.create(
        name="更新案内",
        certificate_type=certificate_type,
        days_before_expiry=30,
        procedure=procedure,
        sender=department,
    )
    today = timezone.localdate()
    for n in range(LETTERS):
        resident = Resident.objects.create(
            resident_number="TH%d" % n,
            name="二拠 点%d" % n,
            kana="ニキョ テン",
            postal_code="123-4567",
            address_line1="みどり市本町1-2-%d" % (n + 1),
        )
        Certificate.objects.create(
            source_id="TH-C%d" % n,
            resident=resident,
            certificate_type=certificate_type,
            issued_on=today - dt.timedelta(days=170),
            expires_on=today + dt.timedelta(days=10),
        )
    return rule


def staff_of(department):
    """A member of ``department``'s staff whose password the web host can check."""
    staff = make_staff_member(
        role=Role.DEPARTMENT_STAFF, department=department, username="two-hosts-clerk"
    )
    # With the hasher the web host uses (the tests' own settings use a fast one).
    staff.user.password = PBKDF2PasswordHasher().encode(PASSWORD, "twohostssalt")
    staff.user.save(update_fields=["password"])
    return staff


def start_worker_host(processes: Processes, env: dict) -> None:
    command = [str(BIN / "celery"), "-A", "config", "worker", "--pool", "solo"]
    command += ["--loglevel", "INFO", "-n", "two-hosts-%d@%%h" % time.time_ns()]
    processes.start(command, env, "worker.log")


def start_web_host(processes: Processes, env: dict, tmp_path: Path) -> str:
    """Start gunicorn and wait until it answers; returns its address."""
    port = s3server.free_port()
    url = "http://127.0.0.1:%d" % port
    command = [str(BIN / "gunicorn"), "config.wsgi:application", "--bind", "127.0.0.1:%d" % port]
    command += ["--workers", "1", "--control-socket", str(tmp_path / "gunicorn.ctl")]
    command += ["--timeout", "120"]
    processes.start(command, env, "web.log")
    wait_for(lambda: healthy(url), 60, "the web host's /healthz", processes)
    return url


def assert_the_download_is_the_buckets_pdf(opener, url, chunk, bucket, tmp_path):
    """The web host serves the part, read from the bucket: a PDF of ``LETTERS`` pages."""
    with opener.open(url + "/notices/parts/%d.pdf" % chunk.pk, timeout=60) as download:
        body = download.read()
        assert download.status == 200
        assert download.headers["Content-Type"] == "application/pdf"
    assert body == bucket.read(chunk.pdf.name)
    pdf = tmp_path / "downloaded.pdf"
    pdf.write_bytes(body)
    pages = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    assert re.search(r"^Pages:\s+%d$" % LETTERS, pages.stdout, re.M), pages.stdout


def run_two_hosts(s3_server, bucket, tmp_path, processes):
    rule = renewal_rule_with_expiring_certificates()
    staff = staff_of(rule.sender)
    start_worker_host(processes, host_environment(tmp_path, "worker-host", s3_server, bucket.name))
    web_env = host_environment(tmp_path, "web-host", s3_server, bucket.name)
    url = start_web_host(processes, web_env, tmp_path)

    opener = staff_opener(url, staff.user.username)
    response = post_form(opener, url, "/notices/", "/notices/rules/%d/create/" % rule.pk)
    assert response.status == 200  # back on the overview after the redirect

    def ready():
        batch = LetterBatch.objects.filter(rule=rule).first()
        return batch if batch and batch.status == BatchStatus.READY else None

    batch = wait_for(ready, 180, "the worker host to render the letters", processes)
    assert batch.total == LETTERS
    chunk = batch.chunks.get()
    assert bucket.keys() == [chunk.pdf.name]
    assert_the_download_is_the_buckets_pdf(opener, url, chunk, bucket, tmp_path)

    # The worker wrote its PDF to the bucket only; the web host read it from there.
    for host in ("worker-host", "web-host"):
        assert [p for p in files_under(tmp_path / host) if p.suffix == ".pdf"] == []
        assert files_under(tmp_path / host / "media") == []
    assert "letter_chunk_render" in (tmp_path / "worker.log").read_text(errors="replace")
