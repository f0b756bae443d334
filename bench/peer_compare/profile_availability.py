"""What one cold day page of free times costs, in process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mdg_cold_prof \\
    REDIS_URL=redis://127.0.0.1:6379/9 .venv/bin/python bench/peer_compare/profile_availability.py

Seeds the peer's data shape once (``data.seed``, 50,000 bookings by default: the cold
page should not depend on the table's size), then GETs ``--pages`` day pages of
different days (``GET /book/<procedure>/<date>/`` with ``HX-Request: true``, as the peer
harness's adapter does) through Django's test client with the availability cache off
(``AVAILABILITY_CACHE_SECONDS=0``: every request computes the day), and prints per
request the SQL statements, the Redis round trips (a pipeline is one), the Python
function calls and the process's CPU time; with ``--profile`` the top functions of a
cProfile of all the pages. Function calls are the steady figure on a busy machine.
"""

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ["AVAILABILITY_CACHE_SECONDS"] = "0"

# Settings, Django set-up and the counters of the booking profile (Redis round trips
# counted at the connection).
from profile_booking import Meter


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--pages", type=int, default=60)
    p.add_argument("--seed", type=int, default=50_000, help="bookings seeded if not seeded yet")
    p.add_argument("--profile", action="store_true")
    p.add_argument("--statements", action="store_true", help="print the last page's SQL")
    a = p.parse_args()
    sys.argv = [sys.argv[0]]
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from bench.peer_compare import data
    from reservations.models import Procedure

    assert settings.AVAILABILITY_CACHE_SECONDS == 0
    call_command("migrate", verbosity=0)
    if not Procedure.objects.filter(code=data.CODE).exists():
        data.seed(a.seed)

    days, day = [], timezone.localdate()
    while len(days) < 2 * a.pages + 10:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            days.append(day)
    client = Client(headers={"HX-Request": "true"})
    meter = Meter(a.profile)
    sizes = []
    for n, d in enumerate(days):
        keep = n >= 10  # the first ones warm caches and connections
        path = "/book/%s/%s/" % (data.CODE, d.isoformat())
        how = "run" if n % 2 == 0 else "ms"
        page = getattr(meter, how)(lambda path=path: client.get(path), keep=keep)
        if page.status_code != 200 or b"times-grid" not in page.content:
            print("no free times:", path, page.status_code)
        elif keep:
            sizes.append(page.content.count(b"<li>"))
    print(
        "%d day pages, %.1f free times each on average, in process (Django's test client)"
        % (len(sizes), sum(sizes) / max(1, len(sizes)))
    )
    print(meter.line("per cold day page (HX)"))
    if a.statements:
        meter.print_statements(300)
    meter.print_profile(50)


if __name__ == "__main__":
    main()
