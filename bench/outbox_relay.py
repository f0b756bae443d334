"""The e-mail outbox relay with a Celery worker: what sending e-mails costs the worker.

    .venv/bin/python bench/outbox_relay.py                  # 2,000 at once; 40/s for 15 s
    .venv/bin/python bench/outbox_relay.py --emails 500 --stream-seconds 5   # quick

PostgreSQL + Redis (a database of its own, ``madoguchi_bench_outbox``; Redis db 12), the
peer comparison's data shape (bench/peer_compare/data.py, 5,000 bookings), a Celery
worker of 2 processes, the file backend (a temporary directory). Booking confirmations
of seeded bookings are promised, in two ways:

* **a job**: N e-mails promised in one transaction, as the reminder and survey jobs do;
  figures: seconds from the last e-mail promised to the last one sent, e-mails a second;
* **a stream**: one e-mail per commit, R commits a second for T seconds, as bookings
  come; figures: the same lag, after the stream's last commit.

Each is run by the relay as the app has it (one run for a burst of commits, batches
over one connection, a full batch queueing the next run) and, for comparison, as it was
before (``--also-per-task``: a Celery task per e-mail, queued on its commit). For each:
the worker's CPU per e-mail (``bench/cpu_meter.py``: the worker's processes, from
/proc) and the committing process's CPU per commit. Every e-mail is checked sent once.
Runs on 127.0.0.1 only and stops its worker at the end.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import cpu_meter  # noqa: E402
from bench.booking_load import ensure_postgres_database  # noqa: E402
from bench.server import celery_worker  # noqa: E402

ENV = {
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/madoguchi_bench_outbox",
    "REDIS_URL": "redis://127.0.0.1:6379/12",
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "DEBUG": "false",
    "HTTPS_ONLY": "false",
    "STATIC_MANIFEST": "false",
    "LOG_LEVEL": "WARNING",
    "EMAIL_FILE_PATH": tempfile.mkdtemp(prefix="mdg-outbox-bench-"),
}


def setup() -> list:
    """Django, the database (seeded once) and the bookings to confirm by e-mail."""
    for name, value in ENV.items():
        os.environ.setdefault(name, value)
    ensure_postgres_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.utils import timezone

    from bench.peer_compare import data
    from reservations.models import Reservation

    data.seed(5000)
    return list(
        Reservation.objects.filter(code__startswith=data.SEED_PREFIX, start_at__gt=timezone.now())
        .order_by("pk")
        .values_list("pk", "email")
    )


def promise(bookings: list, run: str) -> None:
    """Promise each booking's confirmation (the app's own call)."""
    from outbox import services as outbox

    for n, (pk, email) in enumerate(bookings):
        outbox.email_queue(
            kind="booking_confirmed",
            key="bench-%s:%d:%d" % (run, n, pk),
            object_id=pk,
            recipient=email,
            language="ja",
        )


def delivered(expected: int, timeout: float) -> float:
    """Wait until the outbox is empty, as compare.py's reset does (``drain_outbox``);
    every promised e-mail must be sent, once. Returns the seconds from the last e-mail
    promised to the last one sent, and forgets the e-mails for the next phase."""
    from bench.peer_compare import data
    from outbox.models import Email

    drained = data.drain_outbox(timeout)
    sent, not_sent = drained["sent"], drained["not_sent"]
    if sent != expected or not_sent:
        raise SystemExit("%d e-mails promised: %d sent, %d not" % (expected, sent, not_sent))
    Email.objects.all().delete()
    return drained["drain_s"]


def phase(name: str, bookings: list, args, run: str) -> dict:
    from django.db import transaction

    before = cpu_meter.snapshot()
    cpu = time.process_time()
    started = time.monotonic()
    if name == "job":
        with transaction.atomic():
            promise(bookings, run)
        commits = 1
    else:
        commits = 0
        interval = 1 / args.stream_rate
        while commits < len(bookings):
            with transaction.atomic():
                promise(bookings[commits : commits + 1], run)
            commits += 1
            time.sleep(max(0.0, started + commits * interval - time.monotonic()))
    committing_cpu = time.process_time() - cpu
    lag = delivered(len(bookings), args.timeout)
    worker_cpu = cpu_meter.used(before, cpu_meter.snapshot())["worker"]
    return {
        "lag_s": lag,
        "worker_ms": worker_cpu * 1000 / len(bookings),
        "commit_ms": committing_cpu * 1000 / commits,
    }


def run_mode(mode: str, bookings: list, args) -> None:
    from outbox import services as outbox
    from outbox import tasks

    # Swapped for the comparison only: the old relay, a task per e-mail on its commit.
    relay = outbox._relay_on_commit
    if mode == "per task":
        outbox._relay_on_commit = tasks.outbox_send.delay_on_commit
    try:
        job = phase("job", bookings[: args.emails], args, mode.replace(" ", "-") + "-job")
        stream_n = int(args.stream_rate * args.stream_seconds)
        rest = bookings[args.emails : args.emails + stream_n]
        stream = phase("stream", rest, args, mode.replace(" ", "-") + "-stream")
    finally:
        outbox._relay_on_commit = relay
    print(
        "%-8s job of %d: all sent %.2f s after the last was promised (%.0f e-mails/s), worker CPU "
        "%.2f ms an e-mail | stream %d/s for %.0f s: last e-mail %.2f s after its commit, "
        "worker CPU %.2f ms an e-mail, the committing process %.2f ms a commit"
        % (
            mode,
            args.emails,
            job["lag_s"],
            args.emails / job["lag_s"],
            job["worker_ms"],
            args.stream_rate,
            args.stream_seconds,
            stream["lag_s"],
            stream["worker_ms"],
            stream["commit_ms"],
        ),
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--emails", type=int, default=2000, help="e-mails of the job")
    parser.add_argument("--stream-rate", type=float, default=40, help="commits a second")
    parser.add_argument("--stream-seconds", type=float, default=15)
    parser.add_argument("--reps", type=int, default=2)
    parser.add_argument("--also-per-task", action="store_true", help="the old relay too")
    parser.add_argument("--timeout", type=float, default=300)
    args = parser.parse_args()
    bookings = setup()
    needed = args.emails + int(args.stream_rate * args.stream_seconds)
    bookings = (bookings * (needed // len(bookings) + 1))[:needed]  # a booking may recur
    from outbox.models import Email

    Email.objects.all().delete()
    modes = ["relay", "per task"] if args.also_per_task else ["relay"]
    with celery_worker(concurrency=2, env={name: os.environ[name] for name in ENV}):
        time.sleep(3)  # the worker starts
        for rep in range(args.reps):
            for mode in modes if rep % 2 == 0 else modes[::-1]:
                run_mode(mode, bookings, args)


if __name__ == "__main__":
    main()
