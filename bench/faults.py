"""Faults: bookings and a letter batch while the services under them fail.

Starts its own PostgreSQL cluster and Redis (free loopback ports, a temporary directory:
the machine's own services are never touched), gunicorn (3 workers), a Celery worker
and Celery beat. Then, for each run:

* booking load: clients book free times spread over the coming weeks, a few of them on
  times many want (clean refusals); every POST carries the form's idempotency key and a
  client whose request failed (connection lost, 5xx) sends the same request again, with
  the same key, until it gets an answer (at most ``--give-up`` seconds);
* bad input mixed in: no consent, a tampered form key, a time in the past, a forged
  manage link — each must get its clear 4xx or form message, never a 500;
* a letter batch (``--letters`` due letters) rendered by the Celery worker;
* the faults, ``--cycles`` times in turn: SIGKILL the Celery worker (a supervisor starts
  a new one a second later), SIGKILL a gunicorn worker, restart PostgreSQL in immediate
  mode (a crash: no clean shutdown), restart Redis (without persistence: its queue and
  cache are gone), make Redis hang (``--hung-seconds``: a listener that accepts
  connections and never answers takes its port, then Redis comes back); after each, the
  time until the app answers again is measured.

After the runs, the import (``--import-rows``, 100,000 by default, 20,000 with
``--short``): a CP932 export with one row in a thousand broken (a NUL byte) is uploaded
over HTTP by a department's staff member; the Celery worker is SIGKILLed ``--cycles``
times while it imports; the run must finish with every good row stored once, every
bad row refused once with its line, and the report page answering throughout.

Then it checks: no clerk double-booked; every acknowledged booking stored exactly once
and nothing stored that a client was not told about; no bad input stored; every due
letter made exactly once and printed exactly once (pages of the PDFs); no 500; every
acknowledged booking got exactly one confirmation e-mail (counted in the mail files the
app wrote, once the outbox is empty), none for anything else; while Redis hung, no
request took over 3 s.

    .venv/bin/python bench/faults.py                 # 3 runs, 2 fault cycles each
    .venv/bin/python bench/faults.py --short         # CI: 1 run, 1 cycle, less load
    .venv/bin/python bench/faults.py --faults redis-hung   # only the hung-Redis fault
    .venv/bin/python bench/faults.py --import-only --import-rows 340000  # the import alone

Exit status 0 when every run is consistent. Everything it starts stops with it.
"""

import argparse
import contextlib
import datetime as dt
import glob
import http.client
import os
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.booking_load import configure, details_path, free_times  # noqa: E402
from bench.common import CSRF_RE, counter_clerks, department_counters, staff_login  # noqa: E402
from bench.letters_load import children  # noqa: E402
from bench.server import celery_worker_command, free_port  # noqa: E402

EMAIL_DOMAIN = "faults.example.jp"
CLERKS = 8
# While Redis hangs no request may take longer than this (issue 17).
SLOW_SECONDS = 3.0
FAULTS = ("celery-killed", "gunicorn-killed", "postgres-crash", "redis-restart", "redis-hung")


# --- The services, started and broken by this script --------------------------------


def _as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class Postgres:
    def __init__(self, workdir: Path):
        versions = sorted(
            glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[4])
        )
        if not versions:
            raise SystemExit("PostgreSQL server binaries not found under /usr/lib/postgresql")
        self.bin = Path(versions[-1])
        self.data = workdir / "pg"
        self.port = free_port()
        self.log = workdir / "postgres.log"
        workdir.chmod(0o755)
        self.data.mkdir()
        self.log.touch()
        if os.geteuid() == 0:
            shutil.chown(self.data, "postgres", "postgres")
            shutil.chown(self.log, "postgres", "postgres")
        subprocess.run(
            _as_postgres(
                [
                    str(self.bin / "initdb"),
                    "-D",
                    str(self.data),
                    "-U",
                    "postgres",
                    "-A",
                    "trust",
                    "--no-sync",
                    "-E",
                    "UTF8",
                    "--locale",
                    "C",
                ]
            ),
            check=True,
            capture_output=True,
        )
        self.url = "postgres://postgres@127.0.0.1:%d/madoguchi" % self.port

    def _ctl(self, *args: str) -> None:
        options = "-p %d -c listen_addresses=127.0.0.1 -c unix_socket_directories=''" % self.port
        subprocess.run(
            _as_postgres(
                [
                    str(self.bin / "pg_ctl"),
                    "-D",
                    str(self.data),
                    "-l",
                    str(self.log),
                    "-o",
                    options,
                    "-w",
                    "-t",
                    "60",
                    *args,
                ]
            ),
            check=True,
            capture_output=True,
        )

    def start(self) -> None:
        self._ctl("start")

    def crash_restart(self) -> None:
        self._ctl("restart", "-m", "immediate")

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._ctl("stop", "-m", "fast")


class Redis:
    def __init__(self):
        self.port = free_port()
        self.url = "redis://127.0.0.1:%d/0" % self.port
        self.process = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--loglevel",
                "warning",
            ],
            stdout=subprocess.DEVNULL,
        )
        _wait_for(lambda: _tcp_answers(self.port), 10, "Redis")

    def restart(self) -> None:
        self.stop()
        self.start()

    def stop(self) -> None:
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=10)


class HungRedis:
    """Takes Redis's port while Redis is away: accepts every connection and never sends
    a byte (a hung server, a full network buffer), unlike a closed port."""

    def __init__(self, port: int):
        import socket

        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(512)
        self.accepted = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.sock.accept()
            except OSError:
                return
            self.accepted.append(connection)

    def close(self) -> None:
        self.sock.close()
        for connection in self.accepted:
            with contextlib.suppress(OSError):
                connection.close()


def redis_hang(redis: Redis, seconds: float) -> tuple[float, float]:
    """Swap a hung listener in for Redis for ``seconds``, then start Redis again.
    Returns the window (perf_counter) during which Redis hung."""
    redis.stop()
    hung = HungRedis(redis.port)
    began = time.perf_counter()
    time.sleep(seconds)
    ended = time.perf_counter()
    hung.close()
    redis.start()
    return began, ended


def _tcp_answers(port: int) -> bool:
    import socket

    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def _wait_for(check, seconds: float, what: str) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        if check():
            return time.perf_counter() - started
        time.sleep(0.05)
    raise SystemExit("%s did not come back within %d s" % (what, seconds))


class App:
    """gunicorn, a Celery worker and Celery beat for the app, as a supervisor runs them."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.bin = Path(sys.executable).parent
        self.web = self.worker = self.beat = None
        self.lock = threading.Lock()
        self.killed = set()  # processes this script killed on purpose
        self.exited_by_themselves = Counter()
        self.supervising = threading.Event()

    def _spawn(self, args: list[str], log: str) -> subprocess.Popen:
        return subprocess.Popen(
            args,
            cwd=ROOT,  # and this process's environment, set up in main()
            stdout=open(self.workdir / log, "ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def start(self) -> None:
        self.web = self._spawn(
            [
                str(self.bin / "gunicorn"),
                "config.wsgi:application",
                "--bind",
                "127.0.0.1:%d" % self.port,
                "--workers",
                "3",
                "--timeout",
                "30",
            ],
            "gunicorn.log",
        )
        self.worker = self._spawn_worker()
        self.beat = self._spawn_beat()
        _wait_for(self.healthy, 60, "the app")
        self.supervising.set()
        threading.Thread(target=self._supervise, daemon=True).start()

    def _spawn_worker(self) -> subprocess.Popen:
        name = "faults-%d@%%h" % time.time_ns()
        return self._spawn(
            celery_worker_command(concurrency=2, loglevel="INFO", options=("-n", name)),
            "celery.log",
        )

    def _spawn_beat(self) -> subprocess.Popen:
        return self._spawn(
            [
                str(self.bin / "celery"),
                "-A",
                "config",
                "beat",
                "--loglevel",
                "WARNING",
                "-s",
                str(self.workdir / "beat-schedule"),
            ],
            "beat.log",
        )

    def _supervise(self) -> None:
        """Start again a Celery worker or beat that exited, a second later, as systemd
        (Restart=always) or docker compose (restart: unless-stopped) do."""
        while self.supervising.is_set():
            for name, spawn in (
                ("celery worker", self._spawn_worker),
                ("celery beat", self._spawn_beat),
            ):
                attr = name.split()[1]
                with self.lock:
                    process = getattr(self, attr)
                    if process.poll() is None:
                        continue
                    if process.pid in self.killed:
                        self.killed.discard(process.pid)
                    else:
                        self.exited_by_themselves[name] += 1
                time.sleep(1)
                with self.lock:
                    setattr(self, attr, spawn())
            time.sleep(0.2)

    def healthy(self) -> bool:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            connection.request("GET", "/healthz")
            ok = connection.getresponse().status == 200
            connection.close()
            return ok
        except (OSError, http.client.HTTPException):
            return False

    def kill_web_worker(self) -> None:
        workers = children(self.web.pid)
        os.kill(random.choice(workers), signal.SIGKILL)

    def kill_celery_worker(self) -> None:
        """SIGKILL the worker and its pool, no goodbye; the supervisor starts a new one."""
        with self.lock:
            self.killed.add(self.worker.pid)
            os.killpg(self.worker.pid, signal.SIGKILL)
        _wait_for(
            lambda: self.worker.poll() is None and self.worker.pid not in self.killed,
            30,
            "a new worker",
        )

    def celery_answers(self) -> bool:
        from config.celery import app

        try:
            return bool(app.control.ping(timeout=0.5))
        except Exception:
            return False

    def stop(self) -> None:
        self.supervising.clear()
        time.sleep(0.5)
        for process in (self.web, self.worker, self.beat):
            if process and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in (self.web, self.worker, self.beat):
            if process:
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)


# --- Data ----------------------------------------------------------------------------


def prepare_booking_data():
    from django.utils import timezone

    from organization import services as org_services
    from reservations.availability import closure_reason
    from reservations.models import DocumentRule, Procedure, Shift

    department = org_services.department_upsert(code="faults", name="障害試験課")
    clerks = counter_clerks(
        department, CLERKS, username="faults-clerk-%d", password="faults-pass-%d"
    )
    windows = department_counters(department, CLERKS, name="F%d番窓口")
    procedure, _ = Procedure.objects.update_or_create(
        code="faults-book",
        defaults={
            "name": "障害試験（予約）",
            "department": department,
            "duration_minutes": 15,
            "slot_interval_minutes": 15,
            "booking_horizon_days": 60,
            "lead_time_minutes": 60,
        },
    )
    procedure.qualified_staff.set(clerks)
    DocumentRule.objects.get_or_create(
        procedure=procedure, defaults={"text": "本人確認書類（運転免許証など）"}
    )
    today = timezone.localdate()
    shifts = []
    for offset in range(2, 45):
        day = today + dt.timedelta(days=offset)
        if day.weekday() >= 5 or closure_reason(day, {}):
            continue
        for clerk, window in zip(clerks, windows, strict=True):
            shifts.append(
                Shift(
                    staff=clerk,
                    counter=window,
                    date=day,
                    start_time=dt.time(9),
                    end_time=dt.time(17),
                )
            )
    Shift.objects.bulk_create(shifts)
    return procedure


# --- The clients ---------------------------------------------------------------------


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: int = 0
    retries: int = 0
    statuses: Counter = field(default_factory=Counter)
    connection_errors: int = 0
    acknowledged: dict = field(default_factory=dict)  # key -> booking code
    refused: list = field(default_factory=list)  # keys refused (time taken)
    gave_up: list = field(default_factory=list)
    bad_inputs: Counter = field(default_factory=Counter)
    bad_answers: list = field(default_factory=list)  # bad input answered wrongly
    latest_retry_wait: float = 0.0
    slow: list = field(default_factory=list)  # (began, seconds, status) of requests over 3 s
    slowest: float = 0.0
    timed: list = field(default_factory=list)  # (began, seconds) of every request

    def count(self, status: int | None, began: float = 0.0, seconds: float = 0.0) -> None:
        with self.lock:
            self.requests += 1
            self.slowest = max(self.slowest, seconds)
            self.timed.append((began, seconds))
            if seconds > SLOW_SECONDS:
                self.slow.append((began, seconds, status))
            if status is None:
                self.connection_errors += 1
            else:
                self.statuses[status] += 1


class Client:
    def __init__(self, url: str, tally: Tally, give_up: float):
        self.port = int(url.rsplit(":", 1)[1])
        self.tally, self.give_up = tally, give_up
        self.connection = None
        self.headers = {}

    def _send(self, method: str, path: str, body: bytes | None = None):
        """(status, Location, Set-Cookie, body) or None when the connection failed."""
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        headers = {**self.headers}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        began = time.perf_counter()
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            text = response.read().decode(errors="replace")
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = None
            self.tally.count(None, began, time.perf_counter() - began)
            return None
        self.tally.count(response.status, began, time.perf_counter() - began)
        return (
            response.status,
            response.getheader("Location", ""),
            response.getheader("Set-Cookie", ""),
            text,
        )

    def _until_answered(self, method: str, path: str, body: bytes | None = None):
        """Send until the app answers other than 5xx (the same request, the same key)."""
        started = time.perf_counter()
        wait = 0.1
        while True:
            answer = self._send(method, path, body)
            if answer is not None and answer[0] < 500:
                waited = time.perf_counter() - started
                with self.tally.lock:
                    self.tally.latest_retry_wait = max(self.tally.latest_retry_wait, waited)
                return answer
            if time.perf_counter() - started > self.give_up:
                return None
            with self.tally.lock:
                self.tally.retries += 1
            time.sleep(wait)
            wait = min(wait * 2, 1.0)

    def fetch_cookie(self, path: str) -> None:
        """GET a booking form: the CSRF cookie and token, as a browser has them."""
        answer = self._until_answered("GET", path)
        if answer is None or answer[0] != 200:
            raise RuntimeError("the booking form did not open: %r" % (answer and answer[0]))
        _status, _location, cookie, body = answer
        self.headers = {
            "X-CSRFToken": CSRF_RE.search(body).group(1),
            "Cookie": cookie.split(";", 1)[0],
        }

    def book(self, path: str, body: dict, key: str) -> None:
        answer = self._until_answered(
            "POST", path, urlencode({**body, "idempotency_key": key}).encode()
        )
        with self.tally.lock:
            if answer is None:
                self.tally.gave_up.append(key)
            elif answer[0] == 302 and "/booking/" in answer[1]:
                self.tally.acknowledged[key] = answer[1].split("/booking/")[1].split(".")[0]
            elif answer[0] == 302:
                self.tally.refused.append(key)  # back to the times: the time was taken
            else:
                self.tally.bad_answers.append(("good booking", answer[0]))

    def bad(self, kind: str, path: str, body: dict | None, expect) -> None:
        encoded = urlencode(body).encode() if body is not None else None
        answer = self._until_answered("POST" if body is not None else "GET", path, encoded)
        with self.tally.lock:
            self.tally.bad_inputs[kind] += 1
            if answer is not None and not expect(answer):
                self.tally.bad_answers.append((kind, answer[0]))


def citizen(n: int, run: int, rule_ids: list[tuple[int, int]], *, consent=True, prefix="c") -> dict:
    body = {
        "name": "障害 試験",
        "kana": "ショウガイ シケン",
        "email": "%s%d-%d@%s" % (prefix, run, n, EMAIL_DOMAIN),
        "phone": "",
    }
    for rule_id, version in rule_ids:
        body["rule_%d_version" % rule_id] = version
        if consent:
            body["rule_%d" % rule_id] = "on"
    return body


# --- One run -------------------------------------------------------------------------


@dataclass
class Fault:
    name: str
    down_s: float  # from the fault until the service itself was back
    recovery_s: float  # from then until the app answered again
    window: tuple[float, float] | None = None  # while Redis hung (perf_counter)


def inject_faults(app, postgres, redis, cycles: int, faults: list, stop, progress, args):
    """The faults in turn, a few seconds apart, each followed by the time to recovery."""
    time.sleep(2)
    names = {
        "celery-killed": "celery worker killed",
        "gunicorn-killed": "gunicorn worker killed",
        "postgres-crash": "PostgreSQL crash-restarted",
        "redis-restart": "Redis restarted",
        "redis-hung": "Redis hung for %g s (accepts, never answers)" % args.hung_seconds,
    }
    for _cycle in range(cycles):
        for fault in args.faults:
            if stop.is_set():
                return
            name, window = names[fault], None
            began = time.perf_counter()
            if fault == "celery-killed":
                name += " (letters rendered: %s)" % progress()
                app.kill_celery_worker()
                check = app.celery_answers
            elif fault == "gunicorn-killed":
                app.kill_web_worker()
                check = app.healthy
            elif fault == "postgres-crash":
                postgres.crash_restart()
                check = app.healthy
            elif fault == "redis-restart":
                redis.restart()
                check = app.healthy
            else:
                window = redis_hang(redis, args.hung_seconds)
                check = app.healthy
            down = time.perf_counter() - began
            recovery = _wait_for(check, 60, name)
            faults.append(Fault(name, down, recovery, window))
            time.sleep(3)


def one_run(run: int, args, app: App, postgres: Postgres, redis: Redis, procedure) -> dict:
    from django.db import connection
    from django.utils import timezone

    from bench.letters_load import prepare as prepare_letters
    from notices import services as notice_services

    connection.close()
    rule_ids = list(procedure.document_rules.values_list("pk", "version"))
    slots = free_times(procedure, days=43)
    rng = random.Random(run)
    # Mostly free times spread out; one booking in ten on a few times everyone wants.
    popular = [start for start, _free in slots[:3]]
    spread = [start for start, free in slots[3:] for _ in range(free)]
    rng.shuffle(spread)
    attempts = min(args.bookings, len(spread))
    targets = [rng.choice(popular) if n % 10 == 0 else spread.pop() for n in range(attempts)]
    past = timezone.now() - dt.timedelta(days=1)
    past_path = "/book/%s/%s/1000/" % (procedure.code, past.date().isoformat())

    rule, today = prepare_letters(args.letters)
    batch = notice_services.letters_create_due(rule=rule, today=today)
    connection.close()

    def letters_progress() -> str:
        from notices.models import LetterBatch

        try:
            current = LetterBatch.objects.get(pk=batch.pk)
            return "%d of %d" % (current.rendered, current.total)
        except Exception:
            return "?"
        finally:
            connection.close()

    exits_before = Counter(app.exited_by_themselves)
    tally = Tally()
    faults: list[Fault] = []
    stop = threading.Event()
    load_over = threading.Event()
    next_index = iter(range(attempts))
    index_lock = threading.Lock()

    def client_loop() -> None:
        client = Client(app.url, tally, args.give_up)
        client.fetch_cookie(details_path(procedure, targets[0]))
        step = 0
        while True:
            with index_lock:
                n = None if load_over.is_set() else next(next_index, None)
            if n is None:
                return
            client.book(
                details_path(procedure, targets[n]),
                citizen(n, run, rule_ids),
                secrets.token_urlsafe(16),
            )
            step += 1
            if step % 5:
                continue
            # Bad input, one kind in turn; none may be stored or get a 500.
            kind = ("no consent", "tampered key", "past time", "forged link")[(step // 5) % 4]
            body = citizen(n, run, rule_ids, prefix="bad")
            if kind == "no consent":
                body = citizen(n, run, rule_ids, consent=False, prefix="bad")
                client.bad(
                    kind,
                    details_path(procedure, targets[n]),
                    body,
                    lambda a: a[0] == 200 and "is-invalid" in a[3],
                )
            elif kind == "tampered key":
                client.bad(
                    kind,
                    details_path(procedure, targets[n]),
                    {**body, "idempotency_key": "<script>"},
                    lambda a: a[0] == 200 and "is-invalid" not in a[3] and "alert-danger" in a[3],
                )
            elif kind == "past time":
                client.bad(kind, past_path, body, lambda a: a[0] in (302, 404))
            else:
                client.bad(
                    kind, "/booking/%s/" % secrets.token_urlsafe(40), None, lambda a: a[0] == 404
                )

    started = time.perf_counter()
    injector = threading.Thread(
        target=inject_faults,
        args=(app, postgres, redis, args.cycles, faults, stop, letters_progress, args),
        daemon=True,
    )
    injector.start()
    clients = [threading.Thread(target=client_loop, daemon=True) for _ in range(args.clients)]
    for thread in clients:
        thread.start()
    # The load goes on until every fault is injected and recovered, and a little after.
    injector.join(timeout=args.timeout)
    time.sleep(2)
    load_over.set()
    for thread in clients:
        thread.join(timeout=args.timeout)
    load_seconds = time.perf_counter() - started
    stop.set()

    # The letters: every part rendered, given the sweeper's retry time after the faults.
    from notices.models import LetterBatch

    def rendered() -> bool:
        try:
            connection.close()
            current = LetterBatch.objects.get(pk=batch.pk)
            return current.rendered >= current.total
        except Exception:
            return False

    notes = []
    letters_done = True
    try:
        waited = _wait_for(rendered, args.timeout, "the letter batch")
        notes.append("letters all rendered %.1f s after the load ended" % waited)
    except SystemExit:
        letters_done = False
    try:
        waited = _wait_for(outbox_settled, args.timeout, "the e-mail outbox")
        notes.append("outbox empty (every e-mail sent) %.1f s after the letters" % waited)
    except SystemExit:
        notes.append("outbox NOT empty after %d s" % args.timeout)
    exits = app.exited_by_themselves - exits_before
    for name, count in sorted(exits.items()):
        notes.append(
            "%s exited by itself %d time(s) (after a Redis restart: a known Celery/kombu "
            "failure); the supervisor started it again" % (name, count)
        )
    connection.close()
    return check(run, tally, faults, batch, rule, args, load_seconds, letters_done, notes)


# --- E-mails ------------------------------------------------------------------------

# A confirmation e-mail carries the booking's calendar file, named after its code.
ICS_NAME_RE = re.compile(rb'filename="?madoguchi-([A-Z0-9]+-[A-Z0-9]+)\.ics')


def outbox_settled() -> bool:
    """No outbox e-mail waiting or being sent (the relay and its sweep are done)."""
    from django.db import connection

    from outbox.models import Email, EmailStatus

    try:
        return not Email.objects.filter(
            status__in=[EmailStatus.PENDING, EmailStatus.SENDING]
        ).exists()
    except Exception:
        return False
    finally:
        connection.close()


def confirmations_sent() -> Counter:
    """Booking code -> confirmation e-mails written, from the app's mail files (the file
    backend: one or more messages a file)."""
    sent = Counter()
    for path in glob.glob(os.path.join(os.environ["EMAIL_FILE_PATH"], "*")):
        with open(path, "rb") as handle:
            sent.update(code.decode() for code in ICS_NAME_RE.findall(handle.read()))
    return sent


def email_figures(acknowledged: dict) -> dict:
    """Acknowledged bookings against their confirmation e-mails: each exactly one."""
    from outbox.models import Email, EmailStatus

    sent = confirmations_sent()
    codes = set(acknowledged.values())
    return {
        "confirmations": sum(sent[code] for code in codes),
        "missing": sorted(code for code in codes if sent[code] == 0),
        "doubled": sorted(code for code in codes if sent[code] > 1),
        "failed": Email.objects.filter(status=EmailStatus.FAILED).count(),
    }


def _percentile(values: list, percent: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * percent / 100))]


def pdf_pages(path: str) -> int:
    output = subprocess.run(["pdfinfo", path], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", output, re.M).group(1))


def check(run, tally, faults, batch, rule, args, load_seconds, letters_done, notes) -> dict:
    from django.db.models import Q

    from notices.models import Letter, LetterBatch
    from reservations import selectors
    from reservations.models import Reservation

    this_run = Q(email__startswith="c%d-" % run) | Q(email__startswith="bad%d-" % run)
    stored = list(
        Reservation.objects.filter(this_run, email__endswith=EMAIL_DOMAIN).values_list(
            "idempotency_key", "code", "email"
        )
    )
    by_key = Counter(key for key, _code, _email in stored)
    codes = {key: code for key, code, _email in stored}
    acknowledged = tally.acknowledged
    lost = [key for key, code in acknowledged.items() if codes.get(key) != code]
    doubled = [key for key, count in by_key.items() if count > 1]
    unacknowledged = [key for key in by_key if key not in acknowledged]
    bad_stored = [email for _key, _code, email in stored if email.startswith("bad")]
    refused_stored = [key for key in tally.refused if key in by_key]
    double_booked = selectors.staff_double_bookings()

    batch = LetterBatch.objects.get(pk=batch.pk)
    letters = Letter.objects.filter(rule=rule)
    letters_made = letters.count()
    letters_doubled = letters_made - letters.values("certificate").distinct().count()
    pages = sum(pdf_pages(chunk.pdf.path) for chunk in batch.chunks.all() if chunk.pdf)
    emails = email_figures(acknowledged)
    hung = [f.window for f in faults if f.window]

    # Requests begun while Redis hung, or in the seconds after it (the breaker's period).
    def while_hung(began: float) -> bool:
        return any(start - 1 <= began <= end + 10 for start, end in hung)

    slow_while_hung = [request for request in tally.slow if while_hung(request[0])]
    hung_latencies = [seconds for began, seconds in tally.timed if while_hung(began)]
    other_latencies = [seconds for began, seconds in tally.timed if not while_hung(began)]

    print(
        "run %d: %d booking attempts by %d clients in %.1f s; %d requests (%d retries, "
        "%d connection errors); statuses %s"
        % (
            run,
            len(tally.acknowledged) + len(tally.refused) + len(tally.gave_up),
            args.clients,
            load_seconds,
            tally.requests,
            tally.retries,
            tally.connection_errors,
            dict(sorted(tally.statuses.items())),
        )
    )
    for fault in faults:
        print(
            "  fault: %-55s service back after %.2f s; app answering again %.2f s later"
            % (fault.name, fault.down_s, fault.recovery_s)
        )
    print(
        "  bookings: acknowledged %d, refused (time taken) %d, gave up %d; stored %d; "
        "acknowledged but missing %d, stored twice %d, stored without acknowledgement %d, "
        "refused but stored %d; clerks double-booked %d"
        % (
            len(acknowledged),
            len(tally.refused),
            len(tally.gave_up),
            len(stored),
            len(lost),
            len(doubled),
            len(unacknowledged),
            len(refused_stored),
            len(double_booked),
        )
    )
    print(
        "  bad input: %d sent (%s); answered wrongly %d %s; stored %d; "
        "longest a client retried %.1f s"
        % (
            sum(tally.bad_inputs.values()),
            ", ".join("%s %d" % item for item in sorted(tally.bad_inputs.items())),
            len(tally.bad_answers),
            tally.bad_answers[:5],
            len(bad_stored),
            tally.latest_retry_wait,
        )
    )
    print(
        "  letters: due %d, made %d, doubled %d, rendered %d of %d, pages printed %d"
        % (args.letters, letters_made, letters_doubled, batch.rendered, batch.total, pages)
    )
    print(
        "  e-mails: acknowledged bookings %d, confirmation e-mails sent %d; missing %d, "
        "doubled %d; outbox e-mails failed %d"
        % (
            len(acknowledged),
            emails["confirmations"],
            len(emails["missing"]),
            len(emails["doubled"]),
            emails["failed"],
        )
    )
    print(
        "  latency of the other requests: p50 %.2f s, p95 %.2f s, slowest %.2f s; over %g s: %d"
        % (
            _percentile(other_latencies, 50),
            _percentile(other_latencies, 95),
            max(other_latencies, default=0.0),
            SLOW_SECONDS,
            len(tally.slow) - len(slow_while_hung),
        )
    )
    if hung:
        print(
            "  latency while Redis hung (and 10 s after): %d requests, p50 %.2f s, p95 %.2f s, "
            "slowest %.2f s; over %g s: %d %s"
            % (
                len(hung_latencies),
                _percentile(hung_latencies, 50),
                _percentile(hung_latencies, 95),
                max(hung_latencies, default=0.0),
                SLOW_SECONDS,
                len(slow_while_hung),
                ["%.1f s (%s)" % (seconds, status) for _b, seconds, status in slow_while_hung[:5]],
            )
        )
    for note in notes:
        print("  " + note)
    ok = (
        not lost
        and not doubled
        and not unacknowledged
        and not refused_stored
        and not double_booked
        and not tally.gave_up
        and not bad_stored
        and not tally.bad_answers
        and tally.statuses.get(500, 0) == 0
        and letters_done
        and letters_made == args.letters
        and not letters_doubled
        and batch.rendered == batch.total == args.letters
        and pages == args.letters
        and not emails["missing"]
        and not emails["doubled"]
        and emails["confirmations"] == len(acknowledged)
        and not emails["failed"]
        and not slow_while_hung
    )
    print("  RESULT: %s" % ("consistent, nothing lost" if ok else "INCONSISTENT"))
    return {
        "ok": ok,
        "requests": tally.requests,
        "retries": tally.retries,
        "faults": len(faults),
        "bad": sum(tally.bad_inputs.values()),
        "acknowledged": len(acknowledged),
        "lost": len(lost) + len(doubled) + len(double_booked) + len(bad_stored),
        "letters": letters_made,
        "recovery": max((f.recovery_s for f in faults), default=0.0),
        "emails": emails["confirmations"],
        "emails_wrong": len(emails["missing"]) + len(emails["doubled"]),
        "slow_hung": len(slow_while_hung),
    }


# --- The import: a large upload while the Celery worker is killed -------------------
# (its own section: issue 17 item 6)

IMPORT_USER = "faults-importer"
IMPORT_PASSWORD = "faults-import-pass-1"


def _import_file(rows: int) -> tuple[bytes, int]:
    """An export of ``rows`` records in CP932 (bench/import_certificates.py), one row in
    a thousand broken on purpose (a NUL byte): (file, good rows)."""
    from bench.import_certificates import make_export

    lines = make_export(rows).decode("cp932").split("\n")
    for n in range(1, len(lines) - 1):  # a building and room, as most addresses have
        cells = lines[n].split(",")
        cells[6] = "グリーンコーポみどり第%d号棟%d号室" % (n % 9 + 1, 100 + n % 900)
        lines[n] = ",".join(cells)
    bad = 0
    for n in range(1000, len(lines) - 1, 1000):
        lines[n] = lines[n].replace("在住", "在\x00住")
        bad += 1
    return "\n".join(lines).replace("bench-cert", "faults-cert").encode("cp932"), rows - bad


def _upload(opener, url: str, name: str, data: bytes) -> tuple[int, str, float]:
    """POST the file as a browser's form does: (status, final URL, seconds)."""
    import urllib.error
    import urllib.request

    page = opener.open(url + "/notices/import/", timeout=30).read().decode()
    token = CSRF_RE.search(page).group(1)
    boundary = "faults%s" % secrets.token_hex(8)
    body = b"".join(
        [
            b"--%s\r\n" % boundary.encode(),
            b'Content-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n',
            token.encode() + b"\r\n",
            b"--%s\r\n" % boundary.encode(),
            b'Content-Disposition: form-data; name="file"; filename="%s"\r\n' % name.encode(),
            b"Content-Type: text/csv\r\n\r\n",
            data,
            b"\r\n--%s--\r\n" % boundary.encode(),
        ]
    )
    request = urllib.request.Request(
        url + "/notices/import/",
        data=body,
        headers={
            "Content-Type": "multipart/form-data; boundary=%s" % boundary,
            "Referer": url + "/notices/import/",
        },
    )
    started = time.perf_counter()
    try:
        response = opener.open(request, timeout=120)
        status, final = response.status, response.geturl()
        response.read()
    except urllib.error.HTTPError as error:
        status, final = error.code, url
    return status, final, time.perf_counter() - started


def import_phase(args, app: App) -> dict:
    """Upload ``--import-rows`` records over HTTP to gunicorn; SIGKILL the Celery worker
    while it imports (``--cycles`` times, at evenly spread points); then check that the
    import finished with every good row stored once, every bad row refused once with
    its line, and a complete report."""
    from django.db import connection

    from notices.models import Certificate, CertificateType, ImportRun, ImportStatus
    from organization import services as org_services
    from organization.models import Role

    department = org_services.department_upsert(code="faults-import", name="取込試験課")
    org_services.staff_member_create(
        username=IMPORT_USER,
        password=IMPORT_PASSWORD,
        department=department,
        role=Role.DEPARTMENT_STAFF,
    )
    CertificateType.objects.update_or_create(
        code="faults-cert", defaults={"name": "取込試験の証明書", "department": department}
    )
    Certificate.objects.filter(source_id__startswith="BENCH-").delete()
    data, good = _import_file(args.import_rows)
    connection.close()
    opener = staff_login(app.url, IMPORT_USER, IMPORT_PASSWORD)
    status, final, upload_seconds = _upload(opener, app.url, "faults-import.csv", data)
    match = re.search(r"/notices/import/(\d+)/$", final)
    print(
        "import: %d rows (%d good, %d with a NUL byte), %.1f MB CP932; upload answered %d "
        "in %.1f s"
        % (args.import_rows, good, args.import_rows - good, len(data) / 1e6, status, upload_seconds)
    )
    if status != 200 or not match:
        print("  RESULT: INCONSISTENT (the upload was not accepted: %s %s)" % (status, final))
        return {"ok": False, "kills": 0}
    run_id = int(match.group(1))
    started = time.perf_counter()

    def current() -> ImportRun:
        try:
            return ImportRun.objects.get(pk=run_id)
        finally:
            connection.close()

    kills, kill_points = [], [(n + 1) / (args.cycles + 1) for n in range(args.cycles)]
    page_statuses = Counter()
    while time.perf_counter() - started < args.timeout * 3:
        run = current()
        # The progress part, as the page's htmx polls it.
        try:
            page_statuses[
                opener.open(app.url + "/notices/import/%d/" % run_id, timeout=10).status
            ] += 1
        except Exception as error:  # an HTTP error is a finding, not a crash of this script
            page_statuses[getattr(error, "code", "error")] += 1
        if run.is_finished:
            break
        done = run.next_offset / run.size if run.size else 0
        if kill_points and done >= kill_points[0] and run.chunks_done:
            kill_points.pop(0)
            app.kill_celery_worker()
            kills.append((run.chunks_done, run.rows))
        time.sleep(0.5)
    seconds = time.perf_counter() - started
    run = current()
    stored = Certificate.objects.filter(source_id__startswith="BENCH-", import_run_id=run_id)
    stored_count = stored.count()
    error_lines = list(run.row_errors.values_list("line", flat=True))
    connection.close()
    print(
        "  worker SIGKILLed %d time(s) (at chunk, rows read: %s); the import %s after %.1f s "
        "(%d attempts); report pages answered %s"
        % (len(kills), kills, run.get_status_display(), seconds, run.attempts, dict(page_statuses))
    )
    print(
        "  report: rows %d, new %d, changed %d, unchanged %d, refused %d, chunks %d; "
        "stored %d of %d good rows; refused lines listed %d (distinct %d)"
        % (
            run.rows,
            run.created,
            run.updated,
            run.unchanged,
            run.refused,
            run.chunks_done,
            stored_count,
            good,
            len(error_lines),
            len(set(error_lines)),
        )
    )
    ok = (
        run.status == ImportStatus.DONE
        and run.rows == args.import_rows
        and run.created == good == stored_count
        and run.updated == run.unchanged == 0
        and run.refused == args.import_rows - good == len(set(error_lines)) == len(error_lines)
        and set(page_statuses) == {200}
    )
    print("  RESULT: %s" % ("consistent, nothing lost or doubled" if ok else "INCONSISTENT"))
    return {"ok": ok, "kills": len(kills), "seconds": seconds}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cycles", type=int, default=2, help="fault cycles per run")
    parser.add_argument(
        "--bookings",
        type=int,
        default=5000,
        help="most booking attempts per run (the load lasts until the faults are over)",
    )
    parser.add_argument("--clients", type=int, default=12)
    parser.add_argument("--letters", type=int, default=900, help="due letters per run")
    parser.add_argument("--give-up", type=float, default=60, help="a client retries this long")
    parser.add_argument("--timeout", type=float, default=300, help="bound of each phase")
    parser.add_argument(
        "--import-rows", type=int, default=100_000, help="rows of the import (0: no import)"
    )
    parser.add_argument(
        "--import-only", action="store_true", help="only the import (no booking runs)"
    )
    parser.add_argument("--short", action="store_true", help="the short form CI runs")
    parser.add_argument(
        "--faults",
        type=lambda text: [f.strip() for f in text.split(",") if f.strip()],
        default=list(FAULTS),
        help="comma-separated, in turn each cycle (default all): " + ", ".join(FAULTS),
    )
    parser.add_argument(
        "--hung-seconds", type=float, default=8, help="how long Redis hangs (redis-hung)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    if args.short:
        args.runs, args.cycles, args.bookings, args.letters = 1, 1, 2000, 300
        args.import_rows = min(args.import_rows, 20_000)
    if args.import_only:
        args.runs = 0
    unknown = set(args.faults) - set(FAULTS)
    if unknown:
        parser.error("unknown fault(s): %s" % ", ".join(sorted(unknown)))

    workdir = Path(tempfile.mkdtemp(prefix="madoguchi-faults-"))
    postgres, redis = Postgres(workdir), Redis()
    os.environ.update({"DATABASE_URL": postgres.url, "REDIS_URL": redis.url})
    # Extra to what every benchmark sets (configure): workers for real, the letter-chunk
    # sweeper fast enough to see within a run, files in the temporary directory.
    env = {
        "MADOGUCHI_VAR_DIR": str(workdir / "var"),
        "MEDIA_ROOT": str(workdir / "media"),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "LETTER_CHUNK_RETRY_SECONDS": "60",
        "LETTER_CHUNK_SWEEP_SECONDS": "5",
        # An import whose worker was killed resumes within seconds, not minutes.
        "IMPORT_RETRY_SECONDS": "15",
        "IMPORT_SWEEP_SECONDS": "5",
        "LOG_LEVEL": "ERROR",
        # E-mails as files, counted afterwards; the outbox sweep and its retries fast
        # enough to finish within a run.
        "EMAIL_FILE_PATH": str(workdir / "mail"),
        "OUTBOX_SWEEP_SECONDS": "5",
        "OUTBOX_RETRY_SECONDS": "5",
        "OUTBOX_LEASE_SECONDS": "30",
    }
    app = App(workdir)
    results = []
    imported = None
    try:
        postgres.start()
        redis.start()
        configure(argparse.Namespace(sqlite=False))  # creates the database too
        os.environ.update(env)
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        procedure = prepare_booking_data()
        app.start()
        print(
            "faults: %d run(s) of up to %d booking attempts by %d clients and %d letters, %d fault "
            "cycle(s) each; private PostgreSQL %s and Redis on loopback, gunicorn 3 workers, "
            "Celery 2 processes + beat"
            % (
                args.runs,
                args.bookings,
                args.clients,
                args.letters,
                args.cycles,
                postgres.bin.parent.name,
            )
        )
        for run in range(1, args.runs + 1):
            results.append(one_run(run, args, app, postgres, redis, procedure))
        imported = import_phase(args, app) if args.import_rows else None
    finally:
        app.stop()
        redis.stop()
        postgres.stop()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print("kept %s" % workdir)
    total = {
        key: sum(r[key] for r in results)
        for key in (
            "requests",
            "retries",
            "faults",
            "bad",
            "acknowledged",
            "lost",
            "letters",
            "emails",
            "emails_wrong",
            "slow_hung",
        )
    }
    print(
        "TOTAL: %d runs; %d requests tried (%d of them retries); %d faults injected; %d bad "
        "inputs sent; %d bookings acknowledged; %d confirmation e-mails (missing or doubled "
        "%d); %d letters; lost or doubled: %d; requests over 3 s while Redis hung: %d; "
        "slowest recovery %.2f s"
        % (
            len(results),
            total["requests"],
            total["retries"],
            total["faults"],
            total["bad"],
            total["acknowledged"],
            total["emails"],
            total["emails_wrong"],
            total["letters"],
            total["lost"],
            total["slow_hung"],
            max((r["recovery"] for r in results), default=0.0),
        )
    )
    ok = (bool(results) or args.import_only) and all(r["ok"] for r in results)
    if imported is not None:
        ok = ok and imported["ok"]
    print("RESULT: %s" % ("every run consistent" if ok else "INCONSISTENT"))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
