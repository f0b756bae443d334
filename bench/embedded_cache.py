"""The embedded cache under booking load: what a cache call costs while bookings hold
SQLite's write lock, with the cache in a file of its own (config/sqlitecache.py, what
the app does) and with the cache table inside the app's database file (as Django's
database cache would put it).

Booking processes loop over ``BEGIN IMMEDIATE``, an insert, ``--hold`` ms of work and
``COMMIT`` on the app database (a booking transaction holds the write lock about that
long); page processes meanwhile count a rate limit (``incr``) and read a cached value
(``get``), as every citizen page does. Prints each layout's cache-call latency and the
bookings committed. Bounded: ``--seconds`` per layout.

    .venv/bin/python bench/embedded_cache.py
"""

import argparse
import multiprocessing
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=20, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    return db


def _booker(app_db: Path, hold: float, until: float, done):
    db = _connect(app_db)
    count = 0
    while time.time() < until:
        db.execute("BEGIN IMMEDIATE")
        db.execute("INSERT INTO booking (at) VALUES (?)", [time.time()])
        time.sleep(hold)
        db.execute("COMMIT")
        count += 1
    done.put(count)


def _pages(cache_file: Path, until: float, results):
    from config.sqlitecache import SQLiteCache  # Django is set up before the fork

    cache = SQLiteCache(str(cache_file), {})
    cache.set("availability:epoch", "v1", timeout=None)
    latencies = []
    n = 0
    while time.time() < until:
        key = "ratelimit:book:10.0.0.%d:1" % (n % 50)
        started = time.perf_counter()
        try:
            cache.incr(key)
        except ValueError:
            cache.add(key, 1, timeout=60) or cache.incr(key)
        cache.get("availability:epoch")
        latencies.append((time.perf_counter() - started) * 1000)
        n += 1
        time.sleep(0.002)  # a page's own work between cache calls
    results.put(latencies)


def _run(layout: str, args) -> str:
    folder = Path(tempfile.mkdtemp(prefix="embedded-cache-"))
    app_db = folder / "madoguchi.sqlite3"
    _connect(app_db).execute("CREATE TABLE booking (id INTEGER PRIMARY KEY, at REAL)")
    cache_file = folder / "cache.sqlite3" if layout == "own file" else app_db
    until = time.time() + args.seconds
    context = multiprocessing.get_context("fork")
    done, results = context.Queue(), context.Queue()
    processes = [
        context.Process(target=_booker, args=(app_db, args.hold / 1000, until, done))
        for _ in range(args.bookers)
    ] + [
        context.Process(target=_pages, args=(cache_file, until, results)) for _ in range(args.pages)
    ]
    for process in processes:
        process.start()
    bookings = sum(done.get(timeout=args.seconds + 60) for _ in range(args.bookers))
    latencies = sorted(x for _ in range(args.pages) for x in results.get(timeout=args.seconds + 60))
    for process in processes:
        process.join(timeout=30)

    def pct(p):
        return latencies[min(len(latencies) - 1, int(len(latencies) * p))]

    return (
        "cache in %-25s: %6d page cache calls (incr + get), p50 %.2f ms, p95 %.2f ms, "
        "p99 %.2f ms, max %.1f ms; %d bookings committed (%.0f/s)"
        % (
            layout,
            len(latencies),
            pct(0.5),
            pct(0.95),
            pct(0.99),
            latencies[-1],
            bookings,
            bookings / args.seconds,
        )
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--bookers", type=int, default=2, help="booking processes")
    parser.add_argument("--pages", type=int, default=3, help="page processes")
    parser.add_argument("--hold", type=float, default=5, help="ms a booking holds the lock")
    args = parser.parse_args()
    _setup_django()
    print(
        "%d booking processes holding the write lock %.0f ms each, %d page processes"
        % (args.bookers, args.hold, args.pages)
    )
    for layout in ("own file", "the app's database file"):
        print(_run(layout, args), flush=True)


if __name__ == "__main__":
    main()
