"""Dashboard pages over a large history on PostgreSQL.

Builds (once; reused while the row counts match) a history of about 1,000,000
reservations with their visits, 300,000 walk-in visits, 100,000 survey answers, 100,000
complaints with their reports and 10,000 renewal letters, generated in SQL on
PostgreSQL; rebuilds the KPI rollup (timed); then measures every dashboard page with
gunicorn and a bounded number of closed-loop clients, and counts each page's queries.

    .venv/bin/python bench/dashboards_load.py [--clients 8] [--requests 200] [--rebuild]

Uses the database madoguchi_bench_dash on 127.0.0.1 (created if missing) and Redis
db 12. Everything talks to this machine only and stops by itself.
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import loadgen
from bench.booking_load import ensure_postgres_database
from bench.server import gunicorn

DATABASE_URL = "postgres://postgres@127.0.0.1:5432/madoguchi_bench_dash"
CLERKS = 200
SLOTS = 17  # half-hour slots a clerk a day, 9:00–17:30
WALK_INS_A_DAY = 1000
ANSWERS = 100_000
COMPLAINTS = 100_000
LETTER_BATCHES, LETTERS_PER_BATCH = 20, 500


def configure() -> None:
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", DATABASE_URL)
    os.environ["REDIS_URL"] = "redis://127.0.0.1:6379/12"
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "false",
            "HTTPS_ONLY": "false",
            "STATIC_MANIFEST": "false",
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "LOG_LEVEL": "WARNING",
            # The benchmark's manager session has no authenticator device; it measures
            # the pages, not the login.
            "TWO_FACTOR_REQUIRED": "false",
        }
    )
    ensure_postgres_database(os.environ["DATABASE_URL"])


def business_days(first: dt.date, last: dt.date) -> list[dt.date]:
    from organization.calendar import is_business_day

    days, day = [], first
    while day <= last:
        if is_business_day(day):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def build(days: list[dt.date]) -> None:
    """Master data through the ORM, the history in SQL (minutes instead of hours)."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from organization.models import Department, Role, StaffMember
    from reservations.models import Counter, Procedure

    User = get_user_model()
    with transaction.atomic():
        departments = [
            Department.objects.update_or_create(
                code="bench%d" % n, defaults={"name": "ベンチ課%d" % n, "name_en": "Bench %d" % n}
            )[0]
            for n in range(5)
        ]
        procedures = [
            Procedure.objects.update_or_create(
                code="bench-dash-%d" % n,
                defaults={
                    "name": "ベンチ手続%d" % n,
                    "department": departments[n % 5],
                    "duration_minutes": 30,
                    "slot_interval_minutes": 30,
                },
            )[0]
            for n in range(10)
        ]
        counters = [
            Counter.objects.get_or_create(department=d, name="ベンチ窓口%d" % d.pk)[0]
            for d in departments
        ]
        users = User.objects.bulk_create(
            [User(username="bench-dash-%03d" % n, last_name="職員") for n in range(CLERKS + 1)],
            ignore_conflicts=True,
        )
        users = list(User.objects.filter(username__startswith="bench-dash-").order_by("username"))
        StaffMember.objects.bulk_create(
            [
                StaffMember(
                    user=user,
                    department=departments[n % 5],
                    role=Role.MANAGER if n == CLERKS else Role.COUNTER_STAFF,
                )
                for n, user in enumerate(users)
            ],
            ignore_conflicts=True,
        )
        manager = users[CLERKS]
        manager.set_password("bench-manager")
        manager.save()
    staff = list(
        StaffMember.objects.filter(
            user__username__startswith="bench-dash-", role=Role.COUNTER_STAFF
        )
        .order_by("pk")
        .values_list("pk", "department_id")
    )
    procedure_of = {
        d.pk: [p.pk for p in procedures if p.department_id == d.pk] for d in departments
    }
    counter_of = {c.department_id: c.pk for c in counters}
    with connection.cursor() as cursor:
        cursor.execute("SET TIME ZONE 'Asia/Tokyo'")
        cursor.execute("CREATE TEMP TABLE bench_days (day date)")
        cursor.executemany("INSERT INTO bench_days VALUES (%s)", [(d,) for d in days])
        cursor.execute(
            "CREATE TEMP TABLE bench_clerks (staff_id int, procedure_id int, counter_id int, n int)"
        )
        cursor.executemany(
            "INSERT INTO bench_clerks VALUES (%s, %s, %s, %s)",
            [
                (pk, procedure_of[dept][n % 2], counter_of[dept], n)
                for n, (pk, dept) in enumerate(staff)
            ],
        )
        cursor.execute("CREATE TEMP SEQUENCE bench_code")
        print("  reservations …", flush=True)
        cursor.execute(
            """
            INSERT INTO reservations_reservation
              (procedure_id, staff_id, counter_id, start_at, end_at, status, channel, code,
               manage_nonce, citizen_name, citizen_kana, email, phone, email_key, phone_key,
               language, referral_code, created_at, cancelled_at, idempotency_key,
               calendar_uid, calendar_sequence)
            SELECT c.procedure_id, c.staff_id, c.counter_id, s.start_at,
                   s.start_at + interval '30 minutes',
                   CASE WHEN s.r < 0.05 THEN 'cancelled' ELSE 'confirmed' END,
                   CASE WHEN s.r2 < 0.9 THEN 'web' ELSE 'phone' END,
                   'R' || lpad(nextval('bench_code')::text, 8, '0'),
                   'n', '市民', 'シミン', '', '', 'p' || s.person || '@example.jp', '', 'ja', '',
                   s.start_at - (1 + s.r2 * 20) * interval '1 day',
                   CASE WHEN s.r < 0.05 THEN s.start_at - interval '1 day' END, '', '', 0
            FROM bench_days d CROSS JOIN bench_clerks c
            CROSS JOIN LATERAL (
              SELECT (d.day + time '09:00' + k * interval '30 minutes') AS start_at,
                     random() AS r, random() AS r2, (random() * 200000)::int AS person
              FROM generate_series(0, %s) k
            ) s
            """,
            [SLOTS - 1],
        )
        print("  booked visits …", flush=True)
        cursor.execute(
            """
            INSERT INTO reservations_visit
              (day, kind, reservation_id, procedure_id, staff_id, counter_id, ticket, status,
               expected_at, checked_in_at, called_at, serving_at, done_at, no_show_at,
               recall_count, survey_token)
            SELECT v.day, 'booked', v.id, v.procedure_id, v.staff_id, v.counter_id,
                   'A' || lpad(v.n::text, 6, '0'),
                   CASE WHEN v.r < 0.06 THEN 'no_show' ELSE 'done' END,
                   v.start_at,
                   CASE WHEN v.r >= 0.06 THEN v.arrived END,
                   CASE WHEN v.r >= 0.06 THEN v.called END,
                   CASE WHEN v.r >= 0.06 THEN v.called + interval '1 minute' END,
                   CASE WHEN v.r >= 0.06
                        THEN v.called + (6 + v.r * 25) * interval '1 minute' END,
                   CASE WHEN v.r < 0.06 THEN v.start_at + interval '30 minutes' END,
                   0, md5(v.id::text || 'b')
            FROM (
              SELECT r.*, (r.start_at)::date AS day, random() AS r,
                     row_number() OVER (PARTITION BY (r.start_at)::date ORDER BY r.id) AS n,
                     r.start_at - random() * interval '15 minutes' AS arrived,
                     r.start_at + (random() * 12)::int * interval '1 minute' AS called
              FROM reservations_reservation r
              WHERE r.code LIKE 'R%%' AND r.status = 'confirmed'
            ) v
            """
        )
        print("  walk-in visits …", flush=True)
        cursor.execute(
            """
            INSERT INTO reservations_visit
              (day, kind, procedure_id, staff_id, counter_id, ticket, status, checked_in_at,
               called_at, serving_at, done_at, recall_count, survey_token)
            SELECT d.day, 'walk_in', c.procedure_id, c.staff_id, c.counter_id,
                   'B' || lpad(k::text, 6, '0'), 'done', w.arrived, w.called,
                   w.called + interval '1 minute',
                   w.called + (6 + random() * 25) * interval '1 minute', 0,
                   md5(d.day::text || k::text || 'w')
            FROM bench_days d CROSS JOIN generate_series(1, %s) k
            JOIN bench_clerks c ON c.n = k %% %s
            CROSS JOIN LATERAL (
              SELECT d.day + time '09:00' + random() * interval '7 hours' AS arrived
            ) a
            CROSS JOIN LATERAL (
              SELECT a.arrived AS arrived,
                     a.arrived + (random() * 60)::int * interval '1 minute' AS called
            ) w
            """,
            [WALK_INS_A_DAY, CLERKS],
        )
        print("  visit events …", flush=True)
        cursor.execute(
            """
            INSERT INTO reservations_visitevent (visit_id, kind, at, note)
            SELECT id, 'called', called_at, '' FROM reservations_visit
            WHERE called_at IS NOT NULL AND staff_id IN (SELECT staff_id FROM bench_clerks)
            """
        )
        print("  survey answers …", flush=True)
        cursor.execute(
            """
            INSERT INTO reservations_surveyanswer
              (visit_id, answered_at, overall, waiting, staff, clarity, comment, language)
            SELECT id, done_at + interval '2 hours', 1 + (random() * 4.4)::int,
                   1 + (random() * 4)::int, NULL, NULL, '', 'ja'
            FROM reservations_visit
            WHERE status = 'done' AND staff_id IN (SELECT staff_id FROM bench_clerks)
            ORDER BY md5(id::text) LIMIT %s
            """,
            [ANSWERS],
        )
        print("  complaints and reports …", flush=True)
        manager_staff = StaffMember.objects.get(user=manager).pk
        cursor.execute(
            """
            INSERT INTO complaints_complaint
              (channel, received_at, citizen_name, citizen_contact, department_id, category_id,
               summary, description, first_response, citizen_state, damage, reach, emotion,
               repeat, policy_level, level, status, recorded_by_id, handler_id, created_at,
               closed_at, days_to_close, root_cause, countermeasure, initial_report_due,
               closing_report_due, search_index)
            SELECT 'counter', c.received_at, '市民', '', c.department_id, c.category_id,
                   'ベンチ苦情', '内容', '', 'calmed', 'none', 'one', 'calm', 'first', 1, 1,
                   CASE WHEN c.open THEN 'investigating' ELSE 'closed' END, %s, %s,
                   c.received_at,
                   CASE WHEN NOT c.open THEN c.received_at + c.days * interval '1 day' END,
                   CASE WHEN NOT c.open THEN c.days END, '原因', '対策',
                   CASE WHEN c.open THEN (c.received_at)::date + 3 END,
                   CASE WHEN c.open THEN (c.received_at)::date + 14 END,
                   ' ベンチ 苦情 内容 原因 対策 ␞ベンチクジョウナイヨウゲンインタイサク'
                     || '␝ベンチ苦情 内容 原因 対策'
            FROM (
              SELECT (SELECT day FROM bench_days ORDER BY random() + g * 0 LIMIT 1)
                       + time '10:00' AS received_at,
                     g, random() < 0.02 AS open, 1 + (random() * 30)::int AS days,
                     (SELECT id FROM organization_department
                      WHERE code LIKE 'bench%%' ORDER BY random() + g * 0 LIMIT 1) AS department_id,
                     (SELECT id FROM complaints_category ORDER BY random() + g * 0 LIMIT 1)
                       AS category_id
              FROM generate_series(1, %s) g
            ) c
            """,
            [manager_staff, manager_staff, COMPLAINTS],
        )
        cursor.execute(
            """
            INSERT INTO complaints_report
              (complaint_id, kind, body, due_on, submitted_at, on_time, author_id)
            SELECT id, 'initial', '報告', (received_at)::date + 3,
                   received_at + (random() * 5) * interval '1 day', NULL, %s
            FROM complaints_complaint WHERE summary = 'ベンチ苦情'
            """,
            [manager_staff],
        )
        cursor.execute(
            "UPDATE complaints_report SET on_time = (submitted_at)::date <= due_on "
            "WHERE on_time IS NULL"
        )
        cursor.execute("SET TIME ZONE 'UTC'")
    _letters(days, procedures[0], manager)


def _letters(days, procedure, user) -> None:
    from django.db import connection

    from bench.common import renewal_rule

    certificate_type, rule = renewal_rule(procedure, type_code="bench", rule_name="ベンチ更新案内")
    print("  letters …", flush=True)
    with connection.cursor() as cursor:
        step = max(1, len(days) // LETTER_BATCHES)
        for n in range(LETTER_BATCHES):
            day = days[min(n * step, len(days) - 1)]
            cursor.execute(
                "INSERT INTO notices_letterbatch (rule_id, created_at, status, total, rendered, "
                "mailed_at) VALUES (%s, %s, 'ready', %s, %s, %s) RETURNING id",
                [rule.pk, day, LETTERS_PER_BATCH, LETTERS_PER_BATCH, day],
            )
            batch = cursor.fetchone()[0]
            cursor.execute(
                """
                WITH r AS (
                  INSERT INTO notices_resident (resident_number, name, kana, postal_code,
                    address_line1, address_line2, status, updated_at)
                  SELECT 'BD' || %s || '-' || g, '住民', '', '330-0063', '住所', '', 'active', now()
                  FROM generate_series(1, %s) g RETURNING id, resident_number
                ), c AS (
                  INSERT INTO notices_certificate (source_id, resident_id, certificate_type_id,
                    issued_on, expires_on)
                  SELECT resident_number, id, %s, %s::date - 150, %s::date + 30 FROM r
                  RETURNING id, resident_id
                )
                INSERT INTO notices_letter (rule_id, resident_id, certificate_id, code, status,
                  created_at, batch_id, document_number)
                SELECT %s, resident_id, id, 'L' || lpad(id::text, 8, '0'), 'mailed', %s, %s, ''
                FROM c
                """,
                [n, LETTERS_PER_BATCH, certificate_type.pk, day, day, rule.pk, day, batch],
            )
        # About a third of each batch's letters lead to a booking 5 to 25 days later:
        # the k-th chosen letter takes the k-th booking of the procedure in that window.
        cursor.execute(
            "SELECT id, created_at FROM notices_letterbatch WHERE rule_id = %s", [rule.pk]
        )
        for batch, made in cursor.fetchall():
            cursor.execute(
                """
                UPDATE reservations_reservation res
                   SET referral_code = l.code, created_at = l.created_at + interval '3 days'
                  FROM (SELECT code, created_at, row_number() OVER (ORDER BY id) AS k
                          FROM notices_letter WHERE batch_id = %s AND random() < 0.35) l
                  JOIN (SELECT id, row_number() OVER (ORDER BY start_at, id) AS k
                          FROM reservations_reservation
                         WHERE procedure_id = %s AND status = 'confirmed'
                           AND start_at > %s::timestamptz + interval '5 days'
                           AND start_at < %s::timestamptz + interval '25 days') r USING (k)
                 WHERE res.id = r.id
                """,
                [batch, procedure.pk, made, made],
            )


def counts() -> dict:
    from complaints.models import Complaint
    from reservations.models import Reservation, SurveyAnswer, Visit

    return {
        "reservations": Reservation.objects.count(),
        "visits": Visit.objects.count(),
        "survey answers": SurveyAnswer.objects.count(),
        "complaints": Complaint.objects.count(),
    }


def session_cookie() -> str:
    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore

    user = get_user_model().objects.get(username="bench-dash-%03d" % CLERKS)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return "%s=%s" % (settings.SESSION_COOKIE_NAME, session.session_key)


def pages(today: dt.date) -> list[tuple[str, str]]:
    from dashboards import periods
    from organization.models import Department

    quarter = periods.period_containing(today, "quarter").previous()
    department = Department.objects.filter(code="bench1").values_list("pk", flat=True).first()
    return [
        (
            "overview, quarter (8-quarter trend)",
            "/dashboards/?kind=quarter&period=%s" % quarter.key,
        ),
        ("overview, month (12-month trend)", "/dashboards/?kind=month"),
        ("overview, fiscal year (4-year trend)", "/dashboards/?kind=year"),
        ("overview, one department", "/dashboards/?kind=quarter&department=%s" % department),
        (
            "booked vs walk-in, quarter",
            "/dashboards/comparison/?kind=quarter&period=%s" % quarter.key,
        ),
        ("period picker (htmx)", "/dashboards/periods/?kind=month"),
        ("letters → bookings and funnel, year", "/dashboards/letters/?kind=year"),
        (
            "complaint indicators, quarter",
            "/dashboards/complaints/?kind=quarter&period=%s" % quarter.key,
        ),
        ("quarterly review", "/dashboards/review/%s/" % quarter.key),
        ("KPI table CSV", "/dashboards/export/kpis.csv?kind=quarter&period=%s" % quarter.key),
    ]


def query_counts(cookie: str, urls: list[tuple[str, str]]) -> dict[str, tuple]:
    """Per page, in process: (queries, ms) when it computes its figures (the first view
    after the rollup job wrote: a new version) and when another request has cached them."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from dashboards import rollup

    client = Client()
    client.cookies.load(cookie)
    result = {}
    for label, url in urls:
        client.get(url)
        rollup.version_raise()
        with CaptureQueriesContext(connection) as computed:
            started = time.perf_counter()
            response = client.get(url)
            computed_ms = 1000 * (time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
        with CaptureQueriesContext(connection) as cached:
            started = time.perf_counter()
            client.get(url)
            cached_ms = 1000 * (time.perf_counter() - started)
        result[label] = (
            len(computed.captured_queries),
            computed_ms,
            len(cached.captured_queries),
            cached_ms,
        )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    # A handful of managers at once is what a city hall has; 8 is the stress figure.
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rebuild", action="store_true", help="drop and rebuild the data set")
    parser.add_argument("--rollup", action="store_true", help="rebuild the KPI rollup")
    args = parser.parse_args()

    configure()
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from dashboards import rollup

    if args.rebuild:
        call_command("flush", "--no-input", verbosity=0)
    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    first = today - dt.timedelta(days=455)
    days = business_days(first, today - dt.timedelta(days=1))
    if counts()["reservations"] < 900_000:
        call_command("flush", "--no-input", verbosity=0)
        call_command("migrate", verbosity=0)
        from complaints import defaults
        from complaints.models import Category, SeverityLevel, SeverityWeight

        defaults.ensure(SeverityWeight, SeverityLevel, Category)
        print("building the data set (%d business days) …" % len(days), flush=True)
        started = time.monotonic()
        build(days)
        print("  built in %.0f s" % (time.monotonic() - started), flush=True)
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    from dashboards.models import MonthlyFact

    if args.rollup or not MonthlyFact.objects.exists():
        started = time.monotonic()
        rollup.facts_rebuild(first=first, last=today)
        print(
            "rollup rebuilt for %d days in %.0f s"
            % ((today - first).days + 1, time.monotonic() - started),
            flush=True,
        )
    sizes = counts()
    print("data set: " + ", ".join("%s %s" % (f"{n:,}", name) for name, n in sizes.items()))
    started = time.monotonic()
    rollup.facts_refresh_changed()
    print(
        "incremental rollup job (today, yesterday, changes): %.2f s" % (time.monotonic() - started)
    )

    cookie = session_cookie()
    urls = pages(today)
    queries = query_counts(cookie, urls)
    print("one request in process: figures computed (new rollup version) / from the cache")
    for label, (n, ms, n_cached, ms_cached) in queries.items():
        print(
            "  %s: %d queries, %.0f ms / %d queries, %.0f ms" % (label, n, ms, n_cached, ms_cached)
        )
    print(
        "gunicorn %d workers, %d closed-loop clients, up to %d requests a page (PostgreSQL)"
        % (args.workers, args.clients, args.requests)
    )
    worst = 0.0
    table = []
    with gunicorn(workers=args.workers) as base:
        for label, url in urls:
            result = loadgen.run(
                base,
                lambda _i, url=url: loadgen.Request("GET", url, headers={"Cookie": cookie}),
                clients=args.clients,
                requests=args.requests,
                seconds=args.seconds,
            )
            worst = max(worst, result.percentile(95))
            print("  " + result.summary("%s [%d queries]" % (label, queries[label][2])))
            table.append((label, queries[label], result))
    print()
    print("| page | queries (computed / cached) | req/s | p50 | p95 |")
    print("|---|---|---|---|---|")
    for label, (n, _ms, n_cached, _ms_cached), result in table:
        rate = result.count / result.elapsed_s if result.elapsed_s else 0.0
        print(
            "| %s | %d / %d | %.0f/s | %.0f ms | %.0f ms |"
            % (
                label,
                n,
                n_cached,
                rate,
                statistics.median(result.latencies_ms) if result.latencies_ms else float("nan"),
                result.percentile(95),
            )
        )
    print()
    print("worst p95: %.1f ms (target ≤ 300 ms, %d clients)" % (worst, args.clients))


if __name__ == "__main__":
    main()
