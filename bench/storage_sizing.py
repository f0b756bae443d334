"""What a booking and a letter cost in PostgreSQL and in the object store, measured.

Reads (never writes) a populated PostgreSQL database given by DATABASE_URL — by default
the one bench/dashboards_load.py builds (madoguchi_bench_dash: a million bookings, 1.27
million visits, 10,000 letters) — and prints, per table, the bytes per row with its
indexes and TOAST (pg_total_relation_size / rows). Tables the data set leaves empty (the
consent records, the e-mail outbox) are sized from a typical row with pg_column_size.
Then it renders one PDF part of 150 of the data set's letters, in memory, and prints
the bytes per letter that the object store keeps.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/madoguchi_bench_dash \\
        .venv/bin/python bench/storage_sizing.py
"""

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/madoguchi_bench_dash")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["MADOGUCHI_VAR_DIR"] = str(ROOT / "var" / "bench-sizing")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

TABLES = [
    ("reservations_reservation", "booking"),
    ("reservations_visit", "visit (booked or walk-in)"),
    ("reservations_visitevent", "visit event (called, started, done…)"),
    ("notices_letter", "letter"),
    ("notices_resident", "resident"),
    ("notices_certificate", "certificate"),
]
# Per-row overhead of a heap tuple (header 23 B rounded to 24, line pointer 4 B), and of a
# B-tree entry on an integer or timestamp key (8 B tuple header + key + line pointer).
HEAP_OVERHEAD = 28
BTREE_ENTRY = 20


def measured(cursor, table):
    cursor.execute("SELECT count(*), pg_total_relation_size(%s) FROM " + table, [table])
    rows, size = cursor.fetchone()
    return rows, size


def typical(cursor, expression, params, indexes):
    cursor.execute("SELECT pg_column_size(" + expression + ")", params)
    return cursor.fetchone()[0] + HEAP_OVERHEAD + indexes * BTREE_ENTRY


def main() -> int:
    print("database:", connection.settings_dict["NAME"])
    with connection.cursor() as cursor:
        print("%-28s %12s %14s %10s" % ("table", "rows", "bytes", "bytes/row"))
        for table, what in TABLES:
            rows, size = measured(cursor, table)
            per = size / rows if rows else float("nan")
            print("%-28s %12d %14d %10.0f  %s" % (table, rows, size, per, what))
        cursor.execute(
            "SELECT coalesce(avg(octet_length(text)), 60) FROM reservations_documentrule"
        )
        rule_bytes = int(cursor.fetchone()[0])
        consent = typical(
            cursor,
            "ROW(1::bigint, 1::bigint, repeat('x', %s), 1::int, now())",
            [rule_bytes],
            indexes=3,
        )
        outbox = typical(
            cursor,
            "ROW(1::bigint, 'booking-confirmed:1234567'::varchar, 'booking-confirmed'::varchar,"
            " 1::bigint, '{}'::jsonb, 'ja'::varchar, 'taro.yamada@example.jp'::text,"
            " 'sent'::varchar, 1::smallint, now(), NULL::timestamptz, ''::varchar, now(), now())",
            [],
            indexes=3,
        )
        print(
            "%-28s %12s %14s %10d  consent record, rule wording of %d bytes (typical row)"
            % ("reservations_consentrecord", "-", "-", consent, rule_bytes)
        )
        print(
            "%-28s %12s %14s %10d  e-mail outbox row, deleted after OUTBOX_KEEP_DAYS"
            % ("outbox_email", "-", "-", outbox)
        )

    from notices import letters
    from notices.models import Letter

    rows = list(
        Letter.objects.select_related(
            "resident",
            "certificate__certificate_type",
            "rule__procedure",
            "rule__sender__head__user",
        ).order_by("resident__postal_code", "resident__resident_number")[:150]
    )
    if rows:
        started = time.monotonic()
        pdf = letters.render_pdf(rows)
        seconds = time.monotonic() - started
        print(
            "letter PDF part: %d letters, %d bytes, %.0f bytes/letter, rendered in %.1f s"
            % (len(rows), len(pdf), len(pdf) / len(rows), seconds)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
