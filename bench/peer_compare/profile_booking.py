"""What one booking costs, in process: SQL statements, Redis round trips, Python time.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mdg_perf_prof \\
    REDIS_URL=redis://127.0.0.1:6379/7 .venv/bin/python bench/peer_compare/profile_booking.py

Seeds the peer's data shape once (5,000 bookings: the per-booking cost does not depend
on the table's size), then books ``--bookings`` free times through Django's test client
exactly as the load client does (GET the form, POST it) and prints, per GET of the form
and per booking POST, the statements, the Redis round trips (a pipeline is one), the
Python function calls and the wall time; then the same for the confirmation e-mail sent
as the Celery worker sends it (``outbox.services.email_send``: claim, build, render,
deliver through the file backend, record), and with ``--profile get|post|email`` the
top functions of a cProfile of that part. Function calls are the steady figure on a
busy machine; wall times are noisy there.
"""

import argparse
import cProfile
import datetime as dt
import os
import pstats
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.pop("EMAIL_HOST", None)
for name, value in {
    "DEBUG": "false",
    "HTTPS_ONLY": "false",
    "STATIC_MANIFEST": "false",
    "ALLOWED_HOSTS": "testserver,127.0.0.1",
    "LOG_LEVEL": "WARNING",
    "RATE_LIMIT_BOOK": "100000000",
    "RATE_LIMIT_BOOK_CONTACT": "100000000",
    "RATE_LIMIT_AVAILABILITY": "100000000",
    # As compare.py runs the worker: the file backend, no SMTP server.
    "EMAIL_FILE_PATH": tempfile.mkdtemp(prefix="mdg-profile-mail-"),
}.items():
    os.environ.setdefault(name, value)

import django  # noqa: E402

django.setup()

import redis.connection  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

HIDDEN = re.compile(r'<input type="(?:hidden|checkbox)" name="([^"]+)"(?: value="([^"]*)")?')

round_trips = 0
_send = redis.connection.Connection.send_packed_command


def _counting_send(self, *args, **kwargs):
    global round_trips
    round_trips += 1
    return _send(self, *args, **kwargs)


redis.connection.Connection.send_packed_command = _counting_send


class Meter:
    """Statements, Redis round trips, function calls and wall time of each measured call."""

    def __init__(self, profile: bool):
        self.rows = {"queries": [], "redis": [], "calls": [], "ms": []}
        self.profiler = cProfile.Profile() if profile else None

    def run(self, fn, *, keep: bool):
        global round_trips
        round_trips = 0
        # One profiler at a time: the --profile one, or a counter of calls.
        counter = self.profiler or cProfile.Profile()
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            counter.enable()
            result = fn()
            counter.disable()
        elapsed = (time.perf_counter() - started) * 1000
        if keep:
            self.rows["queries"].append(len(queries))
            self.rows["redis"].append(round_trips)
            if not self.profiler:
                self.rows["calls"].append(pstats.Stats(counter).total_calls)
            self.rows["ms"].append(elapsed)
        self.last_queries = queries.captured_queries
        return result

    def ms(self, fn, *, keep: bool):
        """Wall time alone (the function-call counter above slows what it measures)."""
        started, cpu = time.perf_counter(), time.process_time()
        result = fn()
        if keep:
            self.rows.setdefault("bare_ms", []).append((time.perf_counter() - started) * 1000)
            self.rows.setdefault("cpu_ms", []).append((time.process_time() - cpu) * 1000)
        return result

    def print_statements(self, width: int) -> None:
        """The last counted call's SQL, each statement cut at ``width`` characters."""
        for q in self.last_queries:
            print("  ", q["sql"][:width])

    def print_profile(self, cumulative: int) -> None:
        """With --profile: the top functions by cumulative time, then the top 25 by own time."""
        if self.profiler:
            stats = pstats.Stats(self.profiler)
            stats.sort_stats("cumulative").print_stats(cumulative)
            stats.sort_stats("tottime").print_stats(25)

    def line(self, what: str) -> str:
        med = {k: statistics.median(v) for k, v in self.rows.items() if v}
        return (
            "%s (median): %d SQL statements, %d Redis round trips, %s function calls, "
            "%.1f ms wall, %.1f ms CPU of this process"
            % (
                what,
                med["queries"],
                med["redis"],
                "%d" % med["calls"] if "calls" in med else "(profiled)",
                med["bare_ms"],
                med["cpu_ms"],
            )
        )


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--bookings", type=int, default=60)
    p.add_argument("--profile", choices=("get", "post", "email"))
    p.add_argument("--statements", action="store_true", help="print the last one's SQL")
    a = p.parse_args()
    sys.argv = [sys.argv[0]]
    from django.core.management import call_command

    from bench.peer_compare import data
    from config.gc_tuning import settle_after_startup
    from reservations.models import Procedure

    call_command("migrate", verbosity=0)
    if not Procedure.objects.filter(code=data.CODE).exists():
        data.seed(5000)
    data.reset(timeout=0)
    # As a gunicorn worker runs once it has loaded the app (gunicorn.conf.py).
    settle_after_startup()

    now = timezone.localtime()
    day = timezone.localdate() + dt.timedelta(days=200)
    times = []
    while len(times) < 2 * a.bookings:
        day += dt.timedelta(days=1)
        if day.weekday() >= 5:
            continue
        for t in data.day_slots():
            times.append((day, t))
    client = Client()
    gets, posts = Meter(a.profile == "get"), Meter(a.profile == "post")
    made = 0
    # Each booking twice over: once counted (statements, round trips, calls), once timed
    # bare, on alternate times, so the counting does not weigh on the times.
    for n, (d, t) in enumerate(times[: 2 * a.bookings]):
        keep = n >= 10  # the first ones warm caches and connections
        meter = "run" if n % 2 == 0 else "ms"
        path = "/book/%s/%s/%s/" % (data.CODE, d.isoformat(), t.strftime("%H%M"))
        page = getattr(gets, meter)(lambda path=path: client.get(path), keep=keep)
        if page.status_code != 200:
            continue
        fields = {m.group(1): m.group(2) or "on" for m in HIDDEN.finditer(page.content.decode())}
        fields.update(
            name="比較 花子",
            kana="ひかく はなこ",
            email="prof%d-%d@bench.example.jp" % (n, now.second),
        )
        answer = getattr(posts, meter)(
            lambda path=path, fields=fields: client.post(path, fields), keep=keep
        )
        if answer.status_code not in (302, 303) or "/booking/" not in answer["Location"]:
            print("not booked:", answer.status_code, answer.get("Location"))
            continue
        made += 1
    print("%d booked, in process (Django's test client, no HTTP)" % made)
    print(gets.line("per GET of the details form"))
    print(posts.line("per booking POST"))
    if a.statements:
        print("last booking's statements:")
        posts.print_statements(150)

    from outbox import services as outbox_services
    from outbox.models import Email, EmailStatus

    sends = Meter(a.profile == "email")
    keys = list(Email.objects.order_by("pk").values_list("key", flat=True))
    sent = 0
    for n, key in enumerate(keys):
        meter = "run" if n % 2 == 0 else "ms"
        status = getattr(sends, meter)(
            lambda key=key: outbox_services.email_send(key=key), keep=n >= 4
        )
        sent += status == EmailStatus.SENT
    if keys:
        print(
            sends.line(
                "per confirmation e-mail as the worker sends it (claim, build, render, "
                "deliver, record; %d sent)" % sent
            )
        )
    data.reset(timeout=0)
    for meter in (gets, posts, sends):
        meter.print_profile(60)


if __name__ == "__main__":
    main()
