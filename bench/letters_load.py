"""Renewal letters at volume: N due letters rendered by 2 Celery worker processes
(PostgreSQL + Redis), letters per minute and worker memory; then, with --kill, a fault
run that kills (SIGKILL) a worker process at random moments while the batch renders —
Celery's pool starts a new one and the lost task is delivered again — and checks that no
letter is missing or doubled.

    .venv/bin/python bench/letters_load.py                      # 10,000 letters
    .venv/bin/python bench/letters_load.py --letters 3000 --kill 20
"""

import argparse
import datetime as dt
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.booking_load import configure  # noqa: E402
from bench.server import celery_worker_command  # noqa: E402


def rss_mb(pid: int) -> float:
    try:
        for line in Path("/proc/%d/status" % pid).read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def children(pid: int) -> list[int]:
    found = []
    for task in Path("/proc/%d/task" % pid).glob("*"):
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def prepare(count: int):
    from django.utils import timezone

    from bench.common import renewal_rule
    from notices.models import Certificate, Letter, LetterBatch, Resident
    from organization import services as org_services
    from reservations.models import Procedure

    department = org_services.department_upsert(code="bench-letters", name="ベンチ案内課")
    procedure, _ = Procedure.objects.update_or_create(
        code="bench-letters", defaults={"name": "ベンチ（更新）", "department": department}
    )
    ctype, rule = renewal_rule(
        procedure, type_code="bench-letter", rule_name="ベンチ 更新案内", update=True
    )
    Letter.objects.filter(rule=rule).delete()
    LetterBatch.objects.filter(rule=rule).delete()
    Certificate.objects.filter(certificate_type=ctype).delete()
    Resident.objects.filter(resident_number__startswith="BL").delete()
    today = timezone.localdate()
    residents = Resident.objects.bulk_create(
        Resident(
            resident_number="BL%07d" % n,
            name="市民 %d" % n,
            kana="シミン",
            postal_code="%03d-%04d" % (100 + n % 800, n % 10000),
            address_line1="みどり市本町%d-%d" % (n % 50, n % 9),
            address_line2="",
        )
        for n in range(count)
    )
    Certificate.objects.bulk_create(
        Certificate(
            source_id="BL-%07d" % n,
            resident=resident,
            certificate_type=ctype,
            issued_on=today - dt.timedelta(days=170),
            expires_on=today + dt.timedelta(days=12),
        )
        for n, resident in enumerate(residents)
    )
    return rule, today


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--letters", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--kill", type=int, default=0, help="SIGKILL a worker this many times")
    parser.add_argument("--timeout", type=float, default=1200)
    parser.add_argument("--sqlite", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.sqlite = False  # workers and the web need a shared server database and broker
    configure(args)
    os.environ["MEDIA_ROOT"] = str(ROOT / "var" / "bench-media")
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from config.celery import app
    from notices import services
    from notices.models import Letter, LetterBatch

    call_command("migrate", verbosity=0)
    rule, today = prepare(args.letters)
    app.control.purge()
    connection.close()
    workers = [
        subprocess.Popen(
            celery_worker_command(concurrency=1, options=("-n", "bench%d@%%h" % n)),
            cwd=ROOT,
            env=os.environ.copy(),
        )
        for n in range(args.workers)
    ]
    try:
        time.sleep(6)  # let the workers connect
        started = time.perf_counter()
        batch = services.letters_create_due(rule=rule, today=today)
        print(
            "batch: %d letters in %d parts; %d worker processes (PostgreSQL + Redis)%s"
            % (
                batch.total,
                batch.chunks.count(),
                args.workers,
                ", killing one %d times" % args.kill if args.kill else "",
            )
        )
        peak = 0.0
        kills = 0
        rng = random.Random(3)
        next_kill = time.perf_counter() + rng.uniform(2, 6)
        while time.perf_counter() - started < args.timeout:
            batch.refresh_from_db()
            pool = [child for worker in workers for child in children(worker.pid)]
            peak = max([peak, *(rss_mb(pid) for pid in pool), *(rss_mb(w.pid) for w in workers)])
            if batch.rendered >= batch.total:
                break
            if kills < args.kill and time.perf_counter() >= next_kill and pool:
                os.kill(rng.choice(pool), signal.SIGKILL)
                kills += 1
                next_kill = time.perf_counter() + rng.uniform(1, 4)
            time.sleep(0.5)
        elapsed = time.perf_counter() - started
        connection.close()
        batch = LetterBatch.objects.get(pk=batch.pk)
        letters = Letter.objects.filter(rule=rule)
        missing = args.letters - letters.count()
        doubled = letters.count() - letters.values("certificate").distinct().count()
        unrendered = batch.chunks.filter(rendered_at__isnull=True).count()
        print(
            "rendered %d of %d letters in %.1f s = %.0f letters/minute; peak memory of a "
            "worker process %.0f MB; workers killed %d"
            % (batch.rendered, batch.total, elapsed, batch.rendered / elapsed * 60, peak, kills)
        )
        print(
            "check: letters missing %d, doubled %d, parts not rendered %d, counted %d of %d"
            % (missing, doubled, unrendered, batch.rendered, batch.total)
        )
        ok = not missing and not doubled and not unrendered and batch.rendered == batch.total
        print("RESULT: %s" % ("consistent" if ok else "INCONSISTENT"))
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
