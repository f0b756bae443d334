"""Start and stop gunicorn on a free loopback port for a benchmark run."""

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(*, workers: int, env: dict | None = None, threads: int = 1):
    """Yield the base URL of a gunicorn serving the app with the current environment."""
    port = free_port()
    environment = {**os.environ, "HTTPS_ONLY": "false", "STATIC_MANIFEST": "false", **(env or {})}
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=environment)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120  # a loaded machine boots workers slowly
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(url + "/healthz", timeout=2).read()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise SystemExit("gunicorn did not start")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:  # a loaded machine: do not leave it behind
            process.kill()
            process.wait()


# A worker that keeps to itself: no gossip, mingle or heartbeat with other workers.
ALONE = ("--without-gossip", "--without-mingle", "--without-heartbeat")


def celery_worker_command(
    *, concurrency: int, loglevel: str = "WARNING", options: tuple[str, ...] = ALONE
) -> list[str]:
    """The command line of a Celery worker of the app, this Python's virtualenv's."""
    celery = str(Path(sys.executable).with_name("celery"))
    worker = ["-A", "config", "worker", "--concurrency", str(concurrency)]
    return [celery, *worker, "--loglevel", loglevel, *options]


@contextlib.contextmanager
def celery_worker(*, concurrency: int = 2, env: dict | None = None, log_path: Path | None = None):
    """A Celery worker (its own process group) for the run; stopped, with its pool, after."""
    import signal

    log = open(log_path or os.devnull, "ab")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        celery_worker_command(concurrency=concurrency),
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        log.close()
