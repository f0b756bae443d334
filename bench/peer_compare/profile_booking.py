"""What one booking costs, in process: SQL statements, Redis round trips, Python time.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mdg_perf_prof \\
    REDIS_URL=redis://127.0.0.1:6379/7 .venv/bin/python bench/peer_compare/profile_booking.py

Seeds the peer's data shape once (5,000 bookings: the per-booking cost does not depend
on the table's size), then books ``--bookings`` free times through Django's test client
exactly as the load client does (GET the form, POST it) and prints, per booking POST,
the statements, the Redis round trips (a pipeline is one) and the wall time; then the
confirmation e-mail's rendering time (what the Celery worker does per booking), and
with ``--profile`` the top functions of a cProfile of the POSTs.
"""

import argparse
import cProfile
import datetime as dt
import os
import pstats
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
for name, value in {
    "DEBUG": "false",
    "HTTPS_ONLY": "false",
    "STATIC_MANIFEST": "false",
    "ALLOWED_HOSTS": "testserver,127.0.0.1",
    "LOG_LEVEL": "WARNING",
    "RATE_LIMIT_BOOK": "100000000",
    "RATE_LIMIT_BOOK_CONTACT": "100000000",
    "RATE_LIMIT_AVAILABILITY": "100000000",
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


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--bookings", type=int, default=60)
    p.add_argument("--profile", action="store_true")
    a = p.parse_args()
    sys.argv = [sys.argv[0]]
    from django.core.management import call_command

    from bench.peer_compare import data
    from reservations.models import Procedure

    call_command("migrate", verbosity=0)
    if not Procedure.objects.filter(code=data.CODE).exists():
        data.seed(5000)
    data.reset(timeout=0)

    now = timezone.localtime()
    day = timezone.localdate() + dt.timedelta(days=200)
    times = []
    while len(times) < a.bookings:
        day += dt.timedelta(days=1)
        if day.weekday() >= 5:
            continue
        for t in data.day_slots():
            times.append((day, t))
    client = Client()
    stats = {"queries": [], "redis": [], "ms": []}
    profiler = cProfile.Profile() if a.profile else None
    made = 0
    for n, (d, t) in enumerate(times[: a.bookings]):
        path = "/book/%s/%s/%s/" % (data.CODE, d.isoformat(), t.strftime("%H%M"))
        page = client.get(path)
        if page.status_code != 200:
            continue
        fields = {m.group(1): m.group(2) or "on" for m in HIDDEN.finditer(page.content.decode())}
        fields.update(
            name="比較 花子",
            kana="ひかく はなこ",
            email="prof%d-%d@bench.example.jp" % (n, now.second),
        )
        global round_trips
        round_trips = 0
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        with CaptureQueriesContext(connection) as queries:
            answer = client.post(path, fields)
        if profiler:
            profiler.disable()
        elapsed = (time.perf_counter() - started) * 1000
        if answer.status_code not in (302, 303) or "/booking/" not in answer["Location"]:
            print("not booked:", answer.status_code, answer.get("Location"))
            continue
        made += 1
        if n >= 5:  # the first ones warm caches and connections
            stats["queries"].append(len(queries))
            stats["redis"].append(round_trips)
            stats["ms"].append(elapsed)
    print(
        "%d booked; per booking POST (median): %d SQL statements, %d Redis round trips, "
        "%.1f ms wall (in process, no HTTP)"
        % (
            made,
            statistics.median(stats["queries"]),
            statistics.median(stats["redis"]),
            statistics.median(stats["ms"]),
        )
    )
    if a.profile:
        print("last booking's statements:")
        for q in queries.captured_queries:
            print("  ", q["sql"][:150])
    from outbox import registry
    from outbox.models import Email

    promised = list(Email.objects.all()[:30])
    started = time.perf_counter()
    for email in promised:
        registry.builder_for(email.kind)(email).message()
    if promised:
        print(
            "its confirmation e-mail built and rendered (what the worker does): %.1f ms each"
            % ((time.perf_counter() - started) * 1000 / len(promised))
        )
    data.reset(timeout=0)
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)


if __name__ == "__main__":
    main()
