"""The embedded set-up as ``./dev serve`` runs it — SQLite, no Redis, gunicorn with three
worker processes — agrees across its processes: a booking form that showed an older
wording of a document rule is refused by every worker after the rule changed, and a
rate limit counts the requests of all workers together.

The server runs on 127.0.0.1 with a database of its own (a copy of the migrated test
database, or a fresh ``migrate`` where the tests run on PostgreSQL).
"""

import concurrent.futures
import http.cookiejar
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections

# The marker makes pytest-django set up the test database, which the server copies.
pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 3
MANAGE_LIMIT = 7  # RATE_LIMIT_MANAGE for the server under test

SETUP = """
import datetime as dt, json
from organization.calendar import holiday_name
from tests.reservations.factories import ProcedureFactory, add_clerk, add_rule
day = dt.date.today() + dt.timedelta(days=7)
while day.weekday() >= 5 or holiday_name(day):
    day += dt.timedelta(days=1)
procedure = ProcedureFactory(code="multi-process", name="住民票の写し", booking_horizon_days=60)
rule = add_rule(procedure, "本人確認書類（写真付き）")
add_clerk(procedure, day=day, start=dt.time(9, 0), end=dt.time(17, 0))
print(json.dumps({"code": procedure.code, "rule": rule.pk, "day": day.isoformat()}))
"""

CHANGE_WORDING = """
from reservations.models import DocumentRule
rule = DocumentRule.objects.get(pk=%d)
rule.text = "本人確認書類（写真付き、有効期限内のもの）"
rule.save()
print(rule.version)
"""


def _environment(var_dir: Path) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": "",  # embedded: SQLite under MADOGUCHI_VAR_DIR
        "REDIS_URL": "",  # and no Redis
        "MADOGUCHI_VAR_DIR": str(var_dir),
        "HTTPS_ONLY": "false",
        "STATIC_MANIFEST": "false",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "RATE_LIMIT_MANAGE": str(MANAGE_LIMIT),
        "RATE_LIMIT_BOOK": "100",
        "RATE_LIMIT_AVAILABILITY": "1000",
        # Each test counts as a client of its own (its X-Forwarded-For).
        "FORWARDED_FOR_HOPS": "1",
        "PYTHONPATH": str(ROOT),
    }


def _manage(env: dict, *args: str, timeout: int = 120) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def embedded_server(django_db_setup, django_db_blocker, tmp_path_factory):
    """gunicorn with three workers over a SQLite database and no Redis; yields
    (base URL, environment, the data made, the access log)."""
    var_dir = tmp_path_factory.mktemp("embedded")
    env = _environment(var_dir)
    database = var_dir / "madoguchi.sqlite3"
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        # The migrated test database, copied consistently (the backup API): seconds
        # instead of a full migrate.
        with django_db_blocker.unblock():
            connections["default"].ensure_connection()
            source = sqlite3.connect(connections["default"].settings_dict["NAME"])
        target = sqlite3.connect(database)
        source.backup(target)
        source.close()
        target.close()
    else:
        _manage(env, "migrate", "--noinput", "-v0", timeout=300)
    data = json.loads(_manage(env, "shell", "-c", SETUP).strip().splitlines()[-1])
    port = _free_port()
    access_log = var_dir / "access.log"
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "config.wsgi:application",
            "--bind",
            "127.0.0.1:%d" % port,
            "--workers",
            str(WORKERS),
            "--access-logfile",
            str(access_log),
            "--access-logformat",
            "%(p)s %(m)s %(U)s %(s)s",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    url = "http://127.0.0.1:%d" % port
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(url + "/healthz", timeout=2).read()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail("gunicorn did not start")
                time.sleep(0.2)
        yield url, env, data, access_log
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _opener():
    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )


def _fetch(opener, url, data=None, client="192.0.2.1"):
    body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
    headers = {"Accept-Language": "ja", "X-Forwarded-For": client}
    request = urllib.request.Request(url, data=body, headers=headers)
    try:
        with opener.open(request, timeout=20) as response:
            return response.status, response.read().decode(), response.geturl()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), url


def _form_fields(page: str) -> dict:
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    fields.update(
        re.findall(r'<input[^>]*name="([^"]+)"[^>]*type="hidden"[^>]*value="([^"]*)"', page)
    )
    return fields


def _booking_form(url: str, data: dict, hhmm: str):
    """A citizen's browser: the form as shown (GET), ready to send with every rule ticked."""
    opener = _opener()
    page_url = "%s/book/%s/%s/%s/" % (url, data["code"], data["day"], hhmm)
    status, page, _ = _fetch(opener, page_url)
    assert status == 200, page[:500]
    fields = _form_fields(page)
    rule = data["rule"]
    assert "rule_%d_version" % rule in fields and "csrfmiddlewaretoken" in fields
    fields.update(
        {
            "name": "山田 太郎",
            "kana": "やまだ たろう",
            "email": "taro-%s@example.jp" % hhmm,
            "phone": "",
            "rule_%d" % rule: "on",
        }
    )
    return opener, page_url, fields, page


def _log_size(access_log: Path) -> int:
    return access_log.stat().st_size if access_log.exists() else 0


def _pids(access_log: Path, method: str, *, since: int) -> set[str]:
    """The worker processes that answered ``method`` requests logged after ``since``."""
    time.sleep(0.3)  # the access log is written after the response
    with access_log.open("rb") as log:
        log.seek(since)
        lines = log.read().decode().splitlines()
    return {line.split(" ")[0] for line in lines if line.split(" ")[1:2] == [method]}


def test_a_stale_consent_form_is_refused_by_every_worker(embedded_server):
    url, env, data, access_log = embedded_server
    rule = data["rule"]
    # given: citizens opened the booking form (version 1 of the rule) on every worker,
    # which also loaded the procedure and its rules into whatever each worker caches
    forms = []
    with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
        hours = ["%02d%02d" % (9 + n // 2, 30 * (n % 2)) for n in range(WORKERS * 3)]
        forms = list(pool.map(lambda hhmm: _booking_form(url, data, hhmm), hours))
    assert all('name="rule_%d_version" value="1"' % rule in page for *_, page in forms)

    # when: an administrator's program changes the wording with a plain save, in a
    # process of its own (no web worker is told)
    assert _manage(env, "shell", "-c", CHANGE_WORDING % rule).split()[-1] == "2"

    # then: every stale form is refused, whichever worker receives it, and shows the
    # new wording to agree to again
    def send(form):
        opener, page_url, fields, _page = form
        return _fetch(opener, page_url, fields)

    before = _log_size(access_log)
    with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
        answers = list(pool.map(send, forms))
    for status, page, final_url in answers:
        assert status == 200 and "/booking/" not in final_url
        assert "有効期限内のもの" in page
        assert 'name="rule_%d_version" value="2"' % rule in page
    assert len(_pids(access_log, "POST", since=before)) >= 2, "they reached several workers"

    # and a form showing the new wording books
    opener, page_url, fields, page = _booking_form(url, data, "1500")
    assert 'name="rule_%d_version" value="2"' % rule in page
    status, _page, final_url = _fetch(opener, page_url, fields)
    assert status == 200 and "/booking/" in final_url
    # one booking in all (the stale forms stored nothing), agreed to the new wording
    stored = _manage(
        env,
        "shell",
        "-c",
        "from reservations.models import ConsentRecord as C; "
        "print([(c.rule_version, c.rule_text) for c in C.objects.all()])",
    )
    new_wording = "本人確認書類（写真付き、有効期限内のもの）"
    assert stored.strip().splitlines()[-1] == str([(2, new_wording)])


def test_a_rate_limit_holds_across_the_workers(embedded_server):
    url, _env, _data, access_log = embedded_server
    # Stay inside one counting window (a minute).
    if time.time() % 60 > 50:
        time.sleep(61 - time.time() % 60)
    path = "/booking/not-a-real-token-%d/" % int(time.time())

    def get(_n):
        return _fetch(_opener(), url + path, client="198.51.100.7")[0]

    before = _log_size(access_log)
    with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
        statuses = list(pool.map(get, range(MANAGE_LIMIT * WORKERS)))

    assert statuses.count(404) == MANAGE_LIMIT
    assert statuses.count(429) == MANAGE_LIMIT * (WORKERS - 1)
    assert len(_pids(access_log, "GET", since=before)) >= 2, "they reached several workers"
