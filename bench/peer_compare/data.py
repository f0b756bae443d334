"""Madoguchi's side of the peer comparison: seed, reset and the harness's input files.

Run with the environment set by ``compare.py`` (DATABASE_URL of the peer's private
PostgreSQL cluster, a Redis db of our own):

    python bench/peer_compare/data.py seed       # once: migrate + the peer's data shape
    python bench/peer_compare/data.py reset      # wait for the outbox, back to the seed
    python bench/peer_compare/data.py prepare --out DIR   # meta/sessions/free_slots/avail_paths

The data set has the peer's shape (its ``bench_seed.py``): one procedure of 30 minutes,
10 qualified clerks with shifts Mon–Fri 09:00–17:00, 50,000 bookings from 40 weeks back
to 52 weeks ahead (past days about 85 % booked, future occupancy falling linearly from
about 90 % tomorrow to about 10 % at the horizon, today empty), random seed 42. The
city is closed on Japanese public holidays, so those days get no shift and no booking.
"""

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.db.models import Max  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench import cpu_meter  # noqa: E402
from bench.common import counter_clerks  # noqa: E402
from organization import services as org_services  # noqa: E402
from outbox.models import Email, EmailStatus  # noqa: E402
from reservations import availability  # noqa: E402
from reservations.availability import closure_reason  # noqa: E402
from reservations.models import (  # noqa: E402
    Counter,
    DocumentRule,
    Procedure,
    Reservation,
    ReservationStatus,
    Shift,
)

CODE = "peer-consult"
STAFF = 10
MINUTES = 30
DAY_START, DAY_END = dt.time(9, 0), dt.time(17, 0)
SEED_PREFIX = "Z"  # code of every seeded booking (real codes never start with Z)
SESSIONS = 40_000


def day_slots() -> list[dt.time]:
    out, t = [], dt.datetime.combine(dt.date(2000, 1, 1), DAY_START)
    end = dt.datetime.combine(dt.date(2000, 1, 1), DAY_END)
    while t + dt.timedelta(minutes=MINUTES) <= end:
        out.append(t.time())
        t += dt.timedelta(minutes=MINUTES)
    return out


def seed(appointments: int) -> None:
    from django.core.management import call_command

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    if Procedure.objects.filter(code=CODE).exists():
        print("already seeded")
        return
    rng = random.Random(42)
    department = org_services.department_upsert(code="peer", name="比較課")
    clerks = counter_clerks(
        department, STAFF, username="peer-clerk-%02d", password="peer-bench-pass-%02d"
    )
    counters = [
        Counter.objects.create(department=department, name="P%02d番窓口" % n) for n in range(STAFF)
    ]
    procedure = Procedure.objects.create(
        code=CODE,
        name="相談",
        name_en="Consultation",
        department=department,
        duration_minutes=MINUTES,
        slot_interval_minutes=MINUTES,
        booking_horizon_days=366,
        lead_time_minutes=0,
    )
    procedure.qualified_staff.set(clerks)
    DocumentRule.objects.create(
        procedure=procedure,
        text="本人確認書類（運転免許証など）をお持ちください。",
        text_en="Bring an identity document (e.g. a driving licence).",
    )
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    first, horizon = monday - dt.timedelta(weeks=40), monday + dt.timedelta(weeks=52)
    span = (horizon - today).days or 1
    workdays = []
    day = first
    while day < horizon:
        if day.weekday() < 5 and not closure_reason(day, {}):
            workdays.append(day)
        day += dt.timedelta(days=1)
    Shift.objects.bulk_create(
        (
            Shift(staff=clerk, counter=counters[i], date=d, start_time=DAY_START, end_time=DAY_END)
            for d in workdays
            for i, clerk in enumerate(clerks)
        ),
        batch_size=5000,
    )
    chosen, rest = [], []
    for d in workdays:
        if d == today:
            continue
        p = 0.85 if d < today else 0.90 - 0.80 * ((d - today).days / span)
        for i in range(STAFF):
            for start in day_slots():
                (chosen if rng.random() < p else rest).append((i, d, start))
    if len(chosen) > appointments:
        chosen = rng.sample(chosen, appointments)
    else:
        chosen += rng.sample(rest, appointments - len(chosen))
    rows = []
    for serial, (i, d, start) in enumerate(sorted(chosen, key=lambda c: (c[1], c[0], c[2]))):
        at = timezone.make_aware(dt.datetime.combine(d, start))
        rows.append(
            Reservation(
                procedure=procedure,
                staff=clerks[i],
                counter=counters[i],
                start_at=at,
                end_at=at + dt.timedelta(minutes=MINUTES),
                status=ReservationStatus.CONFIRMED,
                code="%s%08d" % (SEED_PREFIX, serial),
                manage_nonce="seed",
                citizen_name="既存 利用者",
                citizen_kana="きそん りようしゃ",
                email="seed%d@example.invalid" % serial,
                email_key="seed%d@example.invalid" % serial,
                calendar_uid="seed-%d@peer" % serial,
                created_at=at - dt.timedelta(days=7),
            )
        )
    with transaction.atomic():
        Reservation.objects.bulk_create(rows, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    past = sum(1 for _i, d, _s in chosen if d < today)
    print(
        "%d bookings (%d past, %d future), %d workdays, seeded in %.1f s"
        % (len(rows), past, len(rows) - past, len(workdays), time.monotonic() - started)
    )


def drain_outbox(timeout: float) -> dict:
    """Wait until every e-mail the last level promised was sent (the Celery worker runs).
    ``drain_s``: from the last e-mail promised (the level's last booking) to the last one
    sent, whatever this process's start-up took: the time the level's e-mails lagged."""
    started = time.monotonic()
    waiting = Email.objects.filter(status__in=[EmailStatus.PENDING, EmailStatus.SENDING])
    while waiting.exists() and time.monotonic() - started < timeout:
        time.sleep(0.05)
    last = Email.objects.aggregate(promised=Max("created_at"), sent=Max("sent_at"))
    lag = (last["sent"] - last["promised"]).total_seconds() if last["sent"] else 0.0
    return {
        "drain_s": round(max(lag, 0.0), 2),
        "waited_s": round(time.monotonic() - started, 2),
        "sent": Email.objects.filter(status=EmailStatus.SENT).count(),
        "not_sent": Email.objects.exclude(status=EmailStatus.SENT).count(),
    }


def reset(timeout: float) -> None:
    """Back to the seeded state: the bookings made by the run go (with their consents,
    events and e-mails), after their e-mails were delivered. The CPU each part of the
    stack has used so far is logged once the e-mails are out (before the deletion):
    compare.py divides what a level used by its bookings."""
    started = time.monotonic()
    log = os.environ.get("PEER_DRAIN_LOG")
    info = drain_outbox(timeout)
    cpu = cpu_meter.snapshot() if log else None
    made = Reservation.objects.exclude(code__startswith=SEED_PREFIX)
    info["bookings_made"] = made.count()
    made.delete()
    Email.objects.all().delete()
    availability.changed()
    info["reset_s"] = round(time.monotonic() - started, 2)
    if log:
        with open(log, "a") as f:
            f.write(json.dumps({"at": time.time(), **info, "cpu": cpu}) + "\n")
    print(json.dumps(info))


def prepare(out: Path, random_seed: int, race_reps: int) -> None:
    """The harness's input files. ``free_slots.json`` lists every free (clerk, day, time)
    ahead. Madoguchi routes a time to any free qualified clerk (a time with k free clerks
    rightly takes k bookings), so the harness's contested slots (the race) and its rules
    slot are times with exactly one free clerk: they are placed where the harness's
    shuffle (``random.Random(1234)``, its default seed) puts its last ``race_reps + 1``."""
    out.mkdir(parents=True, exist_ok=True)
    procedure = Procedure.objects.get(code=CODE)
    clerks = list(procedure.qualified_staff.order_by("pk").values_list("pk", flat=True))
    now = timezone.now()
    today = timezone.localdate(now)
    last = today + dt.timedelta(days=procedure.booking_horizon_days)
    days = sorted(
        set(
            Shift.objects.filter(staff__in=clerks, date__gt=today, date__lte=last).values_list(
                "date", flat=True
            )
        )
    )
    taken = set()
    for staff_id, start in Reservation.objects.filter(
        procedure=procedure, start_at__date__gt=today - dt.timedelta(days=1)
    ).values_list("staff_id", "start_at"):
        local = timezone.localtime(start)
        taken.add((staff_id, local.date(), local.time()))
    free, single = [], []
    for d in days:
        for t in day_slots():
            open_ = [s for s in clerks if (s, d, t) not in taken]
            for s in open_:
                free.append([s, d.isoformat(), t.strftime("%H:%M")])
            if len(open_) == 1:
                single.append([open_[0], d.isoformat(), t.strftime("%H:%M")])
    # The harness keeps the last race_reps shuffled slots for the race and uses the one
    # before them for the rules: put single-clerk times there.
    contested = random.Random(7).sample(single, race_reps + 1)
    ordinary = [s for s in free if s not in contested]
    n = len(ordinary) + len(contested)
    order = list(range(n))
    random.Random(random_seed).shuffle(order)
    slots = [None] * n
    for position, item in zip(order[n - len(contested) :], contested, strict=True):
        slots[position] = item
    rest = iter(ordinary)
    slots = [s if s is not None else next(rest) for s in slots]
    sessions = [
        {
            "key": "b%05d" % i,
            "user_id": i,
            "name": "比較 花子",
            "email": "b%05d@bench.example.jp" % i,
        }
        for i in range(SESSIONS)
    ]
    avail_days = [d for d in days if not closure_reason(d, {})][:20]
    paths = ["/book/%s/%s/" % (CODE, d.isoformat()) for d in avail_days for _ in range(10)]
    meta = {
        "service_id": procedure.pk,
        "service_code": CODE,
        "service_minutes": MINUTES,
        "rule_ids": list(procedure.document_rules.values_list("pk", flat=True)),
        "today": today.isoformat(),
        "free_slots": len(slots),
        "single_clerk_times": len(single),
        "avail_paths": len(paths),
        "sessions": len(sessions),
    }
    (out / "free_slots.json").write_text(json.dumps(slots))
    (out / "sessions.json").write_text(json.dumps(sessions))
    (out / "avail_paths.txt").write_text("\n".join(paths) + "\n")
    (out / "meta.json").write_text(json.dumps(meta))
    print(json.dumps(meta))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("seed")
    s.add_argument("--appointments", type=int, default=50_000)
    r = sub.add_parser("reset")
    r.add_argument("--drain-timeout", type=float, default=600)
    p = sub.add_parser("prepare")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--random-seed", type=int, default=1234)
    p.add_argument("--race-reps", type=int, default=5)
    a = parser.parse_args()
    if a.command == "seed":
        seed(a.appointments)
    elif a.command == "reset":
        reset(a.drain_timeout)
    else:
        prepare(a.out, a.random_seed, a.race_reps)


if __name__ == "__main__":
    main()
