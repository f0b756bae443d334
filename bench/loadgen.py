"""A small, bounded HTTP load generator for the benchmarks (loopback only).

Each client is a thread with its own keep-alive connection. A run stops after
``requests`` requests or ``seconds`` seconds, whichever comes first, and refuses any
host that is not on this machine.
"""

import http.client
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@dataclass
class Request:
    method: str
    path: str
    body: bytes | None = None
    headers: dict = field(default_factory=dict)


@dataclass
class Result:
    latencies_ms: list[float]
    statuses: Counter
    elapsed_s: float
    errors: int
    outcomes: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.latencies_ms)

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
        return ordered[index]

    def summary(self, label: str) -> str:
        rate = self.count / self.elapsed_s if self.elapsed_s else 0.0
        median = statistics.median(self.latencies_ms) if self.latencies_ms else float("nan")
        statuses = ", ".join(f"{code}: {n}" for code, n in sorted(self.statuses.items()))
        return (
            f"{label}: {self.count} requests in {self.elapsed_s:.1f} s = {rate:.0f} req/s; "
            f"p50 {median:.1f} ms, p95 {self.percentile(95):.1f} ms, "
            f"max {max(self.latencies_ms, default=float('nan')):.1f} ms; "
            f"statuses {{{statuses}}}; connection errors {self.errors}"
        )


def run(
    base_url: str,
    make_request: Callable[[int], Request],
    *,
    clients: int,
    requests: int,
    seconds: float,
    classify: Callable[[int, http.client.HTTPResponse], str] | None = None,
    prepare: Callable[[http.client.HTTPConnection], dict] | None = None,
    rate: float | None = None,
) -> Result:
    """Send up to ``requests`` requests from ``clients`` threads for at most ``seconds``.

    ``prepare`` runs once per client on its connection (e.g. to fetch a CSRF cookie) and
    returns headers added to each of its requests; ``classify`` names each response's
    outcome (the status code by default), collected in ``Result.outcomes``.

    Without ``rate`` each client sends its next request as soon as it has the answer to
    the last (closed loop: the maximum throughput). With ``rate`` (requests a second)
    request i is due at start + i/rate (open loop, as people arrive); its latency is
    counted from when it was due, so time spent waiting for a free client counts too.
    """
    parts = urlsplit(base_url)
    if parts.hostname not in LOOPBACK:
        raise SystemExit(f"Benchmarks only talk to this machine, not {parts.hostname!r}")
    lock = threading.Lock()
    issued = 0
    latencies: list[float] = []
    outcomes: list[str] = []
    statuses: Counter = Counter()
    errors = 0
    # Set once every client is prepared: request i is due at schedule_start + i / rate.
    schedule_start = 0.0
    deadline = 0.0
    prepared = threading.Barrier(clients + 1)
    go = threading.Barrier(clients + 1)

    def next_index() -> int | None:
        nonlocal issued
        with lock:
            if issued >= requests or time.monotonic() > deadline:
                return None
            issued += 1
            return issued - 1

    def client() -> None:
        nonlocal errors
        connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=30)
        extra_headers = prepare(connection) if prepare else {}
        prepared.wait()
        go.wait()
        while (index := next_index()) is not None:
            request = make_request(index)
            started = time.perf_counter()
            if rate:
                due = schedule_start + index / rate
                if due > started:
                    time.sleep(due - started)
                started = due
            try:
                connection.request(
                    request.method,
                    request.path,
                    body=request.body,
                    headers={**extra_headers, **request.headers},
                )
                response = connection.getresponse()
                response.read()
                status = response.status
                outcome = classify(status, response) if classify else str(status)
            except (OSError, http.client.HTTPException):
                with lock:
                    errors += 1
                connection.close()
                connection = http.client.HTTPConnection(
                    parts.hostname, parts.port or 80, timeout=30
                )
                continue
            elapsed_ms = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed_ms)
                statuses[status] += 1
                outcomes.append(outcome)
        connection.close()

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    prepared.wait()
    started = schedule_start = time.perf_counter()
    deadline = time.monotonic() + seconds
    go.wait()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    return Result(latencies, statuses, time.perf_counter() - started, errors, outcomes)
