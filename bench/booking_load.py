"""Booking under load: availability pages, booking POSTs spread over slots, and everyone
on one hot slot; then a check that no clerk is double-booked and every booking that was
confirmed to a client exists exactly once.

Runs gunicorn (3 workers: the best measured on 2 cores shared with PostgreSQL and the
load) on a free loopback port against PostgreSQL + Redis by default (a database of its
own, ``madoguchi_bench``), with a dataset of a year of shifts for 30
clerks and 200,000 bookings, built once and reused. The load comes from this machine.

    .venv/bin/python bench/booking_load.py                 # PostgreSQL + Redis
    .venv/bin/python bench/booking_load.py --sqlite        # the embedded SQLite
    .venv/bin/python bench/booking_load.py --dataset-bookings 20000 --bookings 500  # quick

The per-IP rate limits are lifted for the run (all load comes from 127.0.0.1).

Every booking's confirmation e-mail is paid for: on PostgreSQL + Redis a Celery worker
(2 processes) runs beside gunicorn and sends them (the file backend, into
var/bench-mail) during the run; each booking phase ends when the outbox is empty, and
its bookings/s is counted over that whole time. On SQLite the e-mail is sent in the
request (embedded mode has no worker).
"""

import argparse
import contextlib
import datetime as dt
import os
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import loadgen  # noqa: E402
from bench.server import celery_worker, gunicorn  # noqa: E402

CLERKS = 30
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
BENCH_EMAIL_DOMAIN = "bench.example.jp"


def configure(args) -> None:
    if args.sqlite:
        os.environ.pop("DATABASE_URL", None)
        os.environ.pop("REDIS_URL", None)
        os.environ["MADOGUCHI_VAR_DIR"] = str(ROOT / "var" / "bench")
    else:
        os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/madoguchi_bench")
        os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/13")
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "false",
            "HTTPS_ONLY": "false",
            "STATIC_MANIFEST": "false",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "RATE_LIMIT_AVAILABILITY": "100000000",
            "RATE_LIMIT_BOOK": "100000000",
            "RATE_LIMIT_MANAGE": "100000000",
            "RATE_LIMIT_DISPLAY": "100000000",
            "LOG_LEVEL": "WARNING",
        }
    )
    if not args.sqlite:
        ensure_postgres_database(os.environ["DATABASE_URL"])


def ensure_postgres_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute('CREATE DATABASE "%s"' % name)


def build_dataset(target_bookings: int) -> dict:
    """A year of shifts for 30 clerks (half behind, half ahead) and ``target_bookings``
    bookings, inserted in bulk; the next 30 days are left mostly free for the run."""
    import random

    from django.db import transaction
    from django.utils import timezone

    from bench.common import counter_clerks, department_counters
    from organization import services as org_services
    from reservations.availability import closure_reason
    from reservations.models import DocumentRule, Procedure, Reservation, Shift

    department = org_services.department_upsert(code="bench", name="ベンチ課")
    clerks = counter_clerks(
        department, CLERKS, username="bench-clerk-%02d", password="bench-pass-%02d"
    )
    counters = department_counters(department, CLERKS, name="B%02d番窓口")

    def procedure(code: str, name: str, **fields) -> Procedure:
        defaults = {
            "name": name,
            "department": department,
            "duration_minutes": 15,
            "slot_interval_minutes": 15,
            "booking_horizon_days": 60,
            "lead_time_minutes": 60,
            **fields,
        }
        return Procedure.objects.update_or_create(code=code, defaults=defaults)[0]

    fill = procedure("bench-fill", "ベンチ（既存予約）", is_active=False)
    book = procedure("bench-book", "ベンチ（予約）")
    hot = procedure("bench-hot", "ベンチ（2人だけ）")
    fill.qualified_staff.set(clerks)
    book.qualified_staff.set(clerks)
    hot.qualified_staff.set(clerks[:2])
    # Every booking agrees to a document rule, as real procedures ask (a consent record).
    for bookable in (book, hot):
        DocumentRule.objects.get_or_create(
            procedure=bookable,
            defaults={
                "text": "本人確認書類（運転免許証など）をお持ちください。",
                "text_en": "Bring an identity document (e.g. a driving licence).",
            },
        )

    existing = Reservation.objects.filter(procedure=fill).count()
    today = timezone.localdate()
    first_day, last_day = today - dt.timedelta(days=182), today + dt.timedelta(days=182)
    if existing >= target_bookings and Shift.objects.filter(staff__in=clerks).exists():
        return {"procedures": (book, hot), "bookings": existing}

    started = time.perf_counter()
    Reservation.objects.filter(procedure__in=[fill, book, hot]).delete()
    Shift.objects.filter(staff__in=clerks).delete()
    workdays = []
    day = first_day
    while day <= last_day:
        if day.weekday() < 5 and not closure_reason(day, {}):
            workdays.append(day)
        day += dt.timedelta(days=1)
    shifts = [
        Shift(staff=clerk, counter=counters[i], date=day, start_time=start, end_time=end)
        for day in workdays
        for i, clerk in enumerate(clerks)
        for start, end in ((dt.time(8, 30), dt.time(12, 0)), (dt.time(13, 0), dt.time(17, 15)))
    ]
    Shift.objects.bulk_create(shifts, batch_size=5000)

    # Capacity: 30 quarter-hours a clerk a day. Fill the past densely, the next 30 days
    # lightly (the run books there), the rest of the year ahead densely.
    rng = random.Random(1)
    quarter_hours = []
    for start, end in ((dt.time(8, 30), dt.time(12, 0)), (dt.time(13, 0), dt.time(17, 15))):
        moment = dt.datetime.combine(today, start)
        while (moment + dt.timedelta(minutes=15)).time() <= end:
            quarter_hours.append(moment.time())
            moment += dt.timedelta(minutes=15)
    rows = []
    serial = 0
    for day in workdays:
        offset = (day - today).days
        ratio = 0.3 if 0 <= offset <= 30 else 0.97
        for i, clerk in enumerate(clerks):
            for quarter in quarter_hours:
                if rng.random() > ratio:
                    continue
                start = timezone.make_aware(dt.datetime.combine(day, quarter))
                serial += 1
                rows.append(
                    Reservation(
                        procedure=fill,
                        staff=clerk,
                        counter=counters[i],
                        start_at=start,
                        end_at=start + dt.timedelta(minutes=15),
                        code="Z%08d" % serial,
                        manage_nonce="bench",
                        citizen_name="既存",
                        citizen_kana="キソン",
                        email_key="filler%d@example.jp" % serial,
                    )
                )
    rows = rows[:target_bookings]
    with transaction.atomic():
        Reservation.objects.bulk_create(rows, batch_size=5000)
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh planner statistics after the bulk load
    print("dataset built in %.0f s" % (time.perf_counter() - started))
    return {"procedures": (book, hot), "bookings": len(rows)}


def free_times(procedure, days: int, *, first: int = 2) -> list[tuple[dt.datetime, int]]:
    from django.utils import timezone

    from reservations import selectors

    now = timezone.now()
    result = []
    day = timezone.localdate(now) + dt.timedelta(days=first)
    for _ in range(days):
        view = selectors.day_times(procedure=procedure, day=day, now=now)
        result.extend((slot.start, slot.free_staff) for slot in view.slots)
        day += dt.timedelta(days=1)
    return result


def csrf_preparer(path: str):
    def prepare(connection) -> dict:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read().decode()
        cookie = response.getheader("Set-Cookie", "").split(";", 1)[0]
        token = CSRF_RE.search(body).group(1)
        return {
            "Cookie": cookie,
            "X-CSRFToken": token,
            "Content-Type": "application/x-www-form-urlencoded",
        }

    return prepare


def booking_body(procedure, email: str) -> bytes:
    """The booking form as a browser sends it: filled in, every document rule agreed to,
    with the form's own idempotency key (the rules are read once per procedure: the load
    generator must not query the database per request)."""
    if not hasattr(procedure, "bench_consents"):
        consents = {}  # filled before it is shared: the client threads call this at once
        for rule in procedure.document_rules.filter(is_active=True):
            consents["rule_%d" % rule.pk] = "on"
            consents["rule_%d_version" % rule.pk] = rule.version
        procedure.bench_consents = consents
    data = {
        "name": "負荷 試験",
        "kana": "フカ シケン",
        "email": email,
        "phone": "",
        "idempotency_key": secrets.token_urlsafe(16),
        **procedure.bench_consents,
    }
    return urlencode(data).encode()


def classify_booking(status: int, response) -> str:
    location = response.getheader("Location", "")
    if status == 302 and "/booking/" in location:
        return "booked:" + location.split("/booking/")[1].split(".")[0]
    if status == 302:
        return "refused"
    return "status:%d" % status


def details_path(procedure, start) -> str:
    from django.utils import timezone

    local = timezone.localtime(start)
    return "/book/%s/%s/%s/" % (procedure.code, local.date().isoformat(), local.strftime("%H%M"))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--sqlite", action="store_true", help="use the embedded SQLite")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--dataset-bookings", type=int, default=200_000)
    parser.add_argument(
        "--bookings", type=int, default=4000, help="booking POSTs at the target rate"
    )
    parser.add_argument("--booking-rate", type=float, default=100, help="bookings a second")
    parser.add_argument("--page-rate", type=float, default=250, help="page requests a second")
    parser.add_argument("--hot", type=int, default=640, help="POSTs on the one hot slot")
    parser.add_argument("--pages", type=int, default=4000, help="availability page requests")
    parser.add_argument("--seconds", type=float, default=120, help="time limit of each phase")
    args = parser.parse_args()

    configure(args)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from outbox.models import Email, EmailStatus
    from reservations import selectors
    from reservations.models import Reservation, ReservationStatus, Shift

    call_command("migrate", verbosity=0)
    data = build_dataset(args.dataset_bookings)
    book, hot = data["procedures"]
    Reservation.objects.filter(email_key__endswith=BENCH_EMAIL_DOMAIN).delete()
    Email.objects.filter(recipient__endswith=BENCH_EMAIL_DOMAIN).delete()
    connection.close()

    def outbox_drained() -> float:
        """Seconds until every promised e-mail was sent (or the time limit passed)."""
        started = time.monotonic()
        waiting = Email.objects.filter(status__in=[EmailStatus.PENDING, EmailStatus.SENDING])
        while waiting.exists() and time.monotonic() - started < args.seconds * 5:
            time.sleep(0.2)
        connection.close()
        return time.monotonic() - started

    total = Reservation.objects.count()
    shifts = Shift.objects.filter(staff__department__code="bench").count()
    database = "SQLite" if args.sqlite else "PostgreSQL + Redis"
    print(
        "dataset: %s; %d clerks; %d shifts (a year); %d bookings in the database"
        % (database, CLERKS, shifts, total)
    )
    print(
        "load: %d clients, gunicorn %d workers, on this 2-core machine"
        % (args.clients, args.workers)
    )

    spread = free_times(book, days=20)
    # The hot slot lies after the days the spread phase books, so both its clerks are free.
    hot_time = next(start for start, free in free_times(hot, days=5, first=25) if free == 2)
    # Spread: one booking for each free time in turn, then a second round, and so on,
    # so that requests at the same moment rarely aim at the same time.
    targets = []
    for round_ in range(max((free for _start, free in spread), default=0)):
        targets.extend(start for start, free in spread if free > round_)
    targets = targets[: args.bookings * 2]
    first_path = details_path(book, targets[0])

    worker = (
        contextlib.nullcontext()
        if args.sqlite
        else celery_worker(
            env={"EMAIL_FILE_PATH": str(ROOT / "var" / "bench-mail")},
            log_path=ROOT / "var" / "bench-celery.log",
        )
    )
    with worker, gunicorn(workers=args.workers) as url:
        targets_met = []  # (the figure, met?) printed at the end
        # 1. Availability pages (calendars and days): at the target rate, then flat out.
        days = sorted({timezone_local_date(start) for start, _ in spread})
        page_paths = []
        for day in days:
            page_paths.append("/book/%s/?month=%s" % (book.code, day.strftime("%Y-%m")))
            page_paths.append("/book/%s/%s/" % (book.code, day.isoformat()))

        def page(i):
            return loadgen.Request("GET", page_paths[i % len(page_paths)])

        # Warm the cache once per page, as a running service has it warm.
        loadgen.run(url, page, clients=4, requests=len(page_paths), seconds=args.seconds)

        for label, rate in [
            ("availability pages at %d/s offered" % args.page_rate, args.page_rate),
            ("availability pages, flat out", None),
        ]:
            result = loadgen.run(
                url,
                page,
                clients=args.clients,
                requests=args.pages,
                seconds=args.seconds,
                rate=rate,
            )
            print(result.summary(label))
            if rate:
                targets_met.append(
                    (
                        "availability pages: >= 250 requests/s, p95 <= 100 ms",
                        round(result.count / result.elapsed_s) >= 250
                        and result.percentile(95) <= 100,
                    )
                )

        # 2. Booking POSTs spread over free slots, one citizen and one slot each: at the
        #    target rate, then flat out on further slots.
        booked = []
        offset = 0
        for label, rate, count in [
            ("booking POSTs at %d/s offered" % args.booking_rate, args.booking_rate, args.bookings),
            ("booking POSTs, flat out", None, args.bookings // 2),
        ]:
            batch = targets[offset : offset + count]
            result = loadgen.run(
                url,
                lambda i, batch=batch, offset=offset: loadgen.Request(
                    "POST",
                    details_path(book, batch[i]),
                    body=booking_body(book, "spread%d@%s" % (offset + i, BENCH_EMAIL_DOMAIN)),
                ),
                clients=args.clients,
                requests=len(batch),
                seconds=args.seconds,
                classify=classify_booking,
                prepare=csrf_preparer(first_path),
                rate=rate,
            )
            offset += count
            drain = outbox_drained()
            ok = [o for o in result.outcomes if o.startswith("booked:")]
            booked += ok
            per_s = len(ok) / (result.elapsed_s + drain)
            print(result.summary(label))
            print(
                "  successful bookings: %d = %.0f bookings/s counting their e-mails (the "
                "outbox emptied %.1f s after the last answer); refused: %d; other: %d"
                % (
                    len(ok),
                    per_s,
                    drain,
                    result.outcomes.count("refused"),
                    len(result.outcomes) - len(ok) - result.outcomes.count("refused"),
                )
            )
            if rate:
                targets_met.append(
                    (
                        "booking POSTs spread over slots, %d clients: >= 100 bookings/s "
                        "(e-mails sent), p95 <= 150 ms" % args.clients,
                        round(per_s) >= 100 and result.percentile(95) <= 150,
                    )
                )

        # 3. Everyone on one hot slot of a procedure only two clerks can handle.
        hot_result = loadgen.run(
            url,
            lambda i: loadgen.Request(
                "POST",
                details_path(hot, hot_time),
                body=booking_body(hot, "hot%d@%s" % (i, BENCH_EMAIL_DOMAIN)),
            ),
            clients=args.clients,
            requests=args.hot,
            seconds=args.seconds,
            classify=classify_booking,
            prepare=csrf_preparer(details_path(hot, hot_time)),
        )
        hot_booked = [o for o in hot_result.outcomes if o.startswith("booked:")]
        print(hot_result.summary("all clients on one hot slot (2 qualified clerks), flat out"))
        print(
            "  booked: %d (capacity 2); cleanly refused: %d; other: %d"
            % (
                len(hot_booked),
                hot_result.outcomes.count("refused"),
                len(hot_result.outcomes) - len(hot_booked) - hot_result.outcomes.count("refused"),
            )
        )

    targets_met.append(
        (
            "one hot slot: clean refusals, p95 <= 300 ms, no hang",
            len(hot_booked) == 2
            and hot_result.outcomes.count("refused") == args.hot - 2
            and not hot_result.errors
            and hot_result.percentile(95) <= 300,
        )
    )
    for figure, met in targets_met:
        print("target %s: %s" % (figure, "met" if met else "NOT MET"))

    # 4. Afterwards: nobody double-booked; every confirmed booking exactly once.
    connection.close()
    doubles = selectors.staff_double_bookings()
    codes = [o.split(":", 1)[1] for o in booked + hot_booked]
    stored = Reservation.objects.filter(email_key__endswith=BENCH_EMAIL_DOMAIN)
    stored_codes = list(stored.values_list("code", flat=True))
    missing = set(codes) - set(stored_codes)
    not_confirmed = stored.exclude(status=ReservationStatus.CONFIRMED).count()
    print(
        "check: clerks double-booked: %d pairs; confirmed to clients: %d; in the database: %d; "
        "missing: %d; duplicates: %d; not confirmed: %d"
        % (
            len(doubles),
            len(codes),
            len(stored_codes),
            len(missing),
            len(stored_codes) - len(set(stored_codes)),
            not_confirmed,
        )
    )
    ok = not doubles and not missing and len(stored_codes) == len(set(codes)) == len(codes)
    print("RESULT: %s" % ("consistent" if ok else "INCONSISTENT"))
    if not args.sqlite:
        subprocess.run(["redis-cli", "-n", "13", "FLUSHDB"], capture_output=True, check=False)
    sys.exit(0 if ok else 1)


def timezone_local_date(moment):
    from django.utils import timezone

    return timezone.localdate(moment)


if __name__ == "__main__":
    main()
