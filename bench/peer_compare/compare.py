"""Side by side with the peer (django-appointment 3.12) on the shared harness, alternated.

    .venv/bin/python bench/peer_compare/compare.py            # peer, new × 3, 20 s levels
    .venv/bin/python bench/peer_compare/compare.py --quick    # peer, new × 1, 5 s levels
    .venv/bin/python bench/peer_compare/compare.py --only madoguchi --phases booking

Both apps use the harness's private PostgreSQL cluster (same settings: shared_buffers
256MB, fsync and synchronous_commit on), 4 sync gunicorn workers, CONN_MAX_AGE 60, and
the same load client (``loadgen/bench.py``: wrk for availability, aiohttp for booking,
race and rules). Madoguchi gets a database of its own in that cluster (``madoguchi_peer``,
seeded once with the peer's data shape, see data.py), Redis db 7, and a Celery worker
(2 processes) that sends every confirmation e-mail (the file backend) while the load
runs. After each booking level the reset waits until the outbox is empty; "with e-mail"
is bookings / (level time + the lag of its last e-mail: from the last one promised to the
last one sent): every e-mail rendered and delivered is paid for.
Availability is measured twice for Madoguchi: cache warm (as served) and cold
(AVAILABILITY_CACHE_SECONDS=0: every request computes the day's free times).

Prints the median of each figure over the alternations and the ratio to the peer.
Everything runs on 127.0.0.1 and stops by itself (the cluster too, when it started it).
"""

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from bench import cpu_meter  # noqa: E402
from bench.server import celery_worker_command, gunicorn  # noqa: E402

HARNESS = Path(os.environ.get("PEER_HARNESS", ROOT.parent.parent / "shared" / "peer-bench"))
if not HARNESS.exists():
    HARNESS = Path("/work/shared/peer-bench")
WORK = Path(os.environ.get("PEER_BENCH_DIR", ROOT / "var" / "peer-bench"))
PG_PORT = os.environ.get("PEER_PG_PORT", "55442")
PEER_HTTP = os.environ.get("PEER_HTTP_PORT", "8021")
DB = "madoguchi_peer"
REDIS_URL = os.environ.get("PEER_REDIS_URL", "redis://127.0.0.1:6379/7")
PEER_ENV = {"PEER_BENCH_DIR": str(WORK), "PEER_PG_PORT": PG_PORT, "PEER_HTTP_PORT": PEER_HTTP}
# The load client's options that this script takes and passes on to it, for the peer and
# Madoguchi alike, with their defaults (--quick lowers them).
LOAD_OPTIONS = {"--duration": 20, "--warmup": 5, "--race-reps": 5}
PHASES = "avail,booking,race,rules"


def log(*a):
    print("[%s]" % time.strftime("%H:%M:%S"), *a, file=sys.stderr, flush=True)


def harness_shell(script: str, check=True):
    """Run bash with the harness's lib.sh sourced (its pg_start / pg_stop)."""
    env = {**os.environ, **PEER_ENV}
    return subprocess.run(
        ["bash", "-c", f"source '{HARNESS}/lib.sh'; {script}"], env=env, check=check
    )


def mado_env(cold: bool = False) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{PG_PORT}/{DB}",
        "DATABASE_CONN_MAX_AGE": "60",
        "REDIS_URL": REDIS_URL,
        "DEBUG": "false",
        "HTTPS_ONLY": "false",
        "STATIC_MANIFEST": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
        "EMAIL_FILE_PATH": str(WORK / "mado-mail"),
        # All the load comes from 127.0.0.1: the per-address limits are lifted for the run.
        "RATE_LIMIT_AVAILABILITY": "100000000",
        "RATE_LIMIT_BOOK": "100000000",
        "RATE_LIMIT_BOOK_CONTACT": "100000000",
        "RATE_LIMIT_MANAGE": "100000000",
    }
    env.pop("EMAIL_HOST", None)
    if cold:
        env["AVAILABILITY_CACHE_SECONDS"] = "0"
    return env


def data(*args, env=None):
    python = str(ROOT / ".venv" / "bin" / "python")
    return subprocess.run(
        [python, str(HERE / "data.py"), *args],
        env=env or mado_env(),
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def ensure_database():
    import psycopg

    with psycopg.connect(f"postgres://postgres@127.0.0.1:{PG_PORT}/postgres", autocommit=True) as c:
        if not c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB]).fetchone():
            c.execute(f'CREATE DATABASE "{DB}"')
    log("madoguchi seed:", data("seed").strip())


class Celery:
    def __init__(self, env, log_file: Path):
        self.log = open(log_file, "ab")  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(
            celery_worker_command(concurrency=2),
            cwd=ROOT,
            env=env,
            start_new_session=True,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


def run_child(cmd, env):
    """Run ``cmd`` (its own process group); when this script is stopped, stop it too."""
    child = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, start_new_session=True)
    try:
        if child.wait() != 0:
            raise SystemExit(f"{cmd[1]} failed ({child.returncode})")
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGINT)  # run.sh's trap stops its gunicorn
            try:
                child.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()


def load_options(a) -> list[str]:
    """LOAD_OPTIONS with this run's values, for the load client's command line."""
    return [
        word
        for option in LOAD_OPTIONS
        for word in (option, str(getattr(a, option[2:].replace("-", "_"))))
    ]


def load_client(base, inputs, out, phases, a, env, reset_cmd):
    cmd = [
        str(WORK / "venv" / "bin" / "python"),
        str(HARNESS / "loadgen" / "bench.py"),
        "--adapter",
        "madoguchi_adapter:MadoguchiAdapter",
        "--base",
        base,
        "--inputs",
        str(inputs),
        "--out",
        str(out),
        "--phases",
        phases,
        "--dsn",
        f"host=127.0.0.1 port={PG_PORT} dbname={DB} user=postgres",
        *load_options(a),
        "--reset-cmd",
        reset_cmd,
    ]
    env = {**env, "PYTHONPATH": str(HERE)}
    run_child(cmd, env=env)
    return json.loads((out / "results.json").read_text())


def run_madoguchi(a, k) -> dict:
    run_dir = WORK / "mado-results" / time.strftime("%Y%m%d-%H%M%S")
    run_dir.mkdir(parents=True)
    drain_log = run_dir / "drain.jsonl"
    env = {**mado_env(), "PEER_DRAIN_LOG": str(drain_log)}
    python = str(ROOT / ".venv" / "bin" / "python")
    reset_cmd = f"cd '{ROOT}' && '{python}' '{HERE / 'data.py'}' reset"
    data("reset", "--drain-timeout", "0", env=env)  # what an interrupted run left
    drain_log.unlink(missing_ok=True)
    data("prepare", "--out", str(run_dir / "inputs"), "--race-reps", str(a.race_reps))
    celery = Celery(env, run_dir / "celery.log")
    try:
        with gunicorn(workers=4, env=env) as base:
            log(f"madoguchi {k}: {a.phases} (availability with the cache warm) at {base}")
            full = load_client(base, run_dir / "inputs", run_dir, a.phases, a, env, reset_cmd)
    finally:
        celery.stop()
    lines = drain_log.read_text().splitlines() if drain_log.exists() else []
    drains = [json.loads(line) for line in lines]
    # Resets: before the warm-up, after it, after each level, after the race, at the end.
    first = 2 if a.warmup else 1
    for i, level in enumerate(full.get("booking", [])):
        d = drains[first + i]
        level["drain_s"] = d["drain_s"]
        level["emails_not_sent"] = d["not_sent"]
        level["with_email_per_s"] = round(
            level["successes"] / (level["duration_s"] + d["drain_s"]), 2
        )
        # From the reset before the level to the one after it, its e-mails delivered.
        spent = cpu_meter.used(drains[first + i - 1]["cpu"], d["cpu"])
        level["cpu_ms_per_booking"] = {
            role: round(seconds * 1000 / max(level["successes"], 1), 1)
            for role, seconds in spent.items()
        }
    if "avail" in a.phases.split(","):
        with gunicorn(workers=4, env=mado_env(cold=True)) as base:
            log(f"madoguchi {k}: availability (cold cache)")
            cold = load_client(
                base, run_dir / "inputs", run_dir / "cold", "avail", a, mado_env(), ""
            )
        full["availability_cold"] = cold["availability"]
    (run_dir / "combined.json").write_text(json.dumps(full, indent=1, default=str))
    return full


def run_peer(a, k) -> dict:
    log(f"peer {k}: run.sh")
    env = {**os.environ, **PEER_ENV}
    run_child(["bash", str(HARNESS / "run.sh"), *load_options(a), "--phases", a.phases], env=env)
    return json.loads((WORK / "results" / "latest" / "results.json").read_text())


def figures(r: dict) -> dict:
    f = {}
    for o in r.get("availability", []):
        f[f"avail {o['clients']}: req/s"] = o["rps"]
        f[f"avail {o['clients']}: p95 ms"] = o["p95_ms"]
    for o in r.get("availability_cold", []):
        f[f"avail cold {o['clients']}: req/s"] = o["rps"]
        f[f"avail cold {o['clients']}: p95 ms"] = o["p95_ms"]
    for o in r.get("booking", []):
        c = o["clients"]
        f[f"booking {c}: bookings/s"] = o["bookings_per_s"]
        f[f"booking {c}: with e-mail/s"] = o.get("with_email_per_s", o["bookings_per_s"])
        f[f"booking {c}: p95 ms"] = o["p95_ms"]
        f[f"booking {c}: failed"] = o["failures"]
        f[f"booking {c}: double-booked after"] = o["double_booked_slots_after"]
        for role, ms in o.get("cpu_ms_per_booking", {}).items():
            f[f"booking {c}: CPU ms per booking, {role}"] = ms
        if "cpu_ms_per_booking" in o:
            f[f"booking {c}: CPU ms per booking, all"] = round(
                sum(o["cpu_ms_per_booking"].values()), 1
            )
    race = r.get("race", [])
    f["race: reps exactly 1"] = f"{sum(1 for x in race if x['correct'])} of {len(race)}"
    f["race: booked per rep"] = ",".join(str(x["appointments_for_slot"]) for x in race)
    rules = r.get("rules", {}).get("cases", [])
    f["rules: correct"] = f"{sum(1 for x in rules if x['correct'])} of {len(rules)}"
    return f


def median(values):
    nums = [v for v in values if isinstance(v, (int, float))]
    if len(nums) == len(values) and nums:
        return round(statistics.median(nums), 1)
    if not any(str(v) for v in values):  # a figure only one side has
        return ""
    return " / ".join(str(v) for v in values)


def report(peer_runs, mado_runs, a) -> str:
    peer = [figures(r) for r in peer_runs]
    mado = [figures(r) for r in mado_runs]
    names = list(dict.fromkeys([*mado[0].keys()]))
    lines = [
        f"Alternated {len(mado)}× (peer, Madoguchi), {a.duration} s levels, "
        f"warm-up {a.warmup} s; medians; ratio = Madoguchi / peer.",
        "",
        "| figure | peer | Madoguchi | ratio |",
        "|---|---:|---:|---:|",
    ]
    for name in names:
        base_name = name.replace("avail cold", "avail").replace("with e-mail/s", "bookings/s")
        p = median([f.get(base_name, "") for f in peer])
        m = median([f.get(name, "") for f in mado])
        ratio = ""
        if isinstance(p, float) and isinstance(m, float) and p:
            ratio = "%.2fx" % (m / p) if "ms" not in name else "%.2f" % (m / p)
        lines.append(f"| {name} | {p} | {m} | {ratio} |")
    return "\n".join(lines)


def main():
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--quick", action="store_true", help="one alternation, 5 s levels")
    p.add_argument("--reps", type=int, default=3)
    for option, default in LOAD_OPTIONS.items():
        p.add_argument(option, type=int, default=default)
    p.add_argument("--phases", default=PHASES, help="the load client's phases, for both")
    p.add_argument("--only", choices=["peer", "madoguchi"], help="run one side only")
    a = p.parse_args()
    # Stopped from outside (timeout, kill): clean up what was started, as on Ctrl-C.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if a.quick:
        a.reps, a.duration, a.warmup, a.race_reps = 1, 5, 2, 2
    if not (WORK / "venv" / "bin" / "gunicorn").exists() or not (WORK / "pgdata").exists():
        log("peer set-up (about 40 s)")
        subprocess.run(
            ["bash", str(HARNESS / "setup.sh")], env={**os.environ, **PEER_ENV}, check=True
        )
    started_pg = False
    try:
        pid_file = WORK / "pgdata" / "postmaster.pid"
        if not pid_file.exists():
            harness_shell("pg_start")
            started_pg = True
        subprocess.run(
            [
                str(ROOT / ".venv" / "bin" / "python"),
                "-c",
                "import redis,sys; redis.Redis.from_url(sys.argv[1]).flushdb()",
                REDIS_URL,
            ],
            check=True,
        )
        ensure_database()
        shutil.rmtree(WORK / "mado-mail", ignore_errors=True)
        peer_runs, mado_runs = [], []
        for k in range(1, a.reps + 1):
            if a.only != "madoguchi":
                peer_runs.append(run_peer(a, k))
            if a.only != "peer":
                mado_runs.append(run_madoguchi(a, k))
            if mado_runs:
                print(report(peer_runs, mado_runs, a), flush=True)
                print(flush=True)
    finally:
        if started_pg:
            harness_shell("pg_stop", check=False)


if __name__ == "__main__":
    main()
