"""Import speed of past issuance records: a generated export of 100,000 rows in
Shift_JIS (CP932), imported once (all new) and again (all unchanged), as the import job
runs (chunks of IMPORT_CHUNK_ROWS, one transaction each), in this process.

    .venv/bin/python bench/import_certificates.py            # PostgreSQL (madoguchi_bench)
    .venv/bin/python bench/import_certificates.py --sqlite   # the embedded SQLite
"""

import argparse
import datetime as dt
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.booking_load import configure  # noqa: E402


def make_export(rows: int) -> bytes:
    from notices import services

    lines = [",".join(services.COLUMNS)]
    base = dt.date(2020, 1, 6)
    for n in range(rows):
        issued = base + dt.timedelta(days=n % 2000)
        expires = issued + dt.timedelta(days=182)
        lines.append(
            ",".join(
                [
                    "BENCH-%07d" % n,
                    "BR%06d" % (n // 4),  # four certificates a resident
                    "市民 %d" % (n // 4),
                    "シミン",
                    "１２３－%04d" % (n % 10000),  # full-width, as old systems write
                    "みどり市本町%d-%d" % (n % 50, n % 7),
                    "",
                    "在住",
                    "bench-cert",
                    "令和%d年%d月%d日" % (issued.year - 2018, issued.month, issued.day)
                    if n % 2
                    else issued.isoformat(),
                    expires.isoformat(),
                    "",
                ]
            )
        )
    return ("\n".join(lines) + "\n").encode("cp932")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    configure(args)
    import django

    django.setup()
    from django.core.management import call_command

    from notices import services
    from notices.models import Certificate, CertificateType, Resident

    call_command("migrate", verbosity=0)
    CertificateType.objects.get_or_create(code="bench-cert", defaults={"name": "ベンチ証明書"})
    Certificate.objects.filter(source_id__startswith="BENCH-").delete()
    Resident.objects.filter(resident_number__startswith="BR").delete()
    data = make_export(args.rows)
    print(
        "file: %d rows, %.1f MB, CP932; database: %s"
        % (args.rows, len(data) / 1e6, "SQLite" if args.sqlite else "PostgreSQL")
    )
    for label in ("first import (all new)", "same file again (all unchanged)"):
        started, cpu = time.perf_counter(), time.process_time()
        run = services.certificates_import(data=data, file_name="bench.csv")
        elapsed = time.perf_counter() - started
        # CPU time of this process too: on a shared machine the wall time includes waiting
        # for a core (with SQLite the database works in this process).
        print(
            "%s: %.1f s (%.1f s CPU here) = %.0f rows/s; %d chunks; new %d, changed %d, "
            "unchanged %d, refused %d"
            % (
                label,
                elapsed,
                time.process_time() - cpu,
                args.rows / elapsed,
                run.chunks_done,
                run.created,
                run.updated,
                run.unchanged,
                run.refused,
            )
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("peak memory of the importing process: %.0f MB" % peak)


if __name__ == "__main__":
    main()
