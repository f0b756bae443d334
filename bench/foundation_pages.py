"""Throughput and latency of the foundation's pages: home (public) and /healthz.

Runs gunicorn with 2 workers on a free loopback port against the database the settings
point at (SQLite by default, PostgreSQL with DATABASE_URL), after seeding the demo city.

    .venv/bin/python bench/foundation_pages.py [--clients 16] [--requests 2000]
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import loadgen
from bench.server import ROOT, gunicorn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args()

    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True)
    subprocess.run([python, "manage.py", "seed_demo"], cwd=ROOT, check=True, capture_output=True)
    database = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
    print(f"database: {database}; gunicorn 2 workers; {args.clients} clients")
    # All load comes from 127.0.0.1: lift the per-address limit of the home page.
    with gunicorn(workers=2, env={"RATE_LIMIT_AVAILABILITY": "100000000"}) as url:
        for label, path in [("home page /", "/"), ("health check /healthz", "/healthz")]:
            result = loadgen.run(
                url,
                lambda _i, path=path: loadgen.Request("GET", path),
                clients=args.clients,
                requests=args.requests,
                seconds=args.seconds,
            )
            print(result.summary(label))


if __name__ == "__main__":
    main()
