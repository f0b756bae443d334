"""CPU time used by each part of the stack on this machine, from /proc (Linux).

A benchmark takes a snapshot before and after the work it measures; ``used`` gives the
CPU seconds each role spent in between: the web (gunicorn), the Celery worker, the
PostgreSQL server processes, Redis and the load client. Divided by the work done (for
example bookings, with their e-mails delivered), that is what the work costs each
machine of a deployment, which is what sizing needs. A process that started between
the snapshots counts in full; one that ended between them is lost (short-lived ones
only: the servers' processes live through a run).

Only the standard library: snapshots are JSON-friendly (written to a log by one
process, read by another).
"""

import os

HZ = os.sysconf("SC_CLK_TCK")
ROLES = ("web", "worker", "postgres", "redis", "load client")


def role_of(command: str, name: str) -> str | None:
    """The role of a process from its command line (or name), None for the rest."""
    if "gunicorn" in command and "config.wsgi" in command:
        return "web"
    if "celery" in command and " worker" in command:
        return "worker"
    if name == "postgres" or command.startswith("postgres"):
        return "postgres"
    if name == "redis-server":
        return "redis"
    if "loadgen/bench.py" in command or name == "wrk":
        return "load client"
    return None


def snapshot() -> dict[str, list]:
    """{pid: [role, start time, CPU seconds]} of every process with a role."""
    out = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                command = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # ended while we looked
            continue
        name = stat[stat.find("(") + 1 : stat.rfind(")")]
        role = role_of(command, name)
        if role is None:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        # utime, stime (fields 14 and 15 of stat), and starttime (22) against pid reuse.
        cpu = (int(fields[11]) + int(fields[12])) / HZ
        out[pid] = [role, int(fields[19]), cpu]
    return out


def used(before: dict, after: dict) -> dict[str, float]:
    """CPU seconds per role between two snapshots."""
    totals = dict.fromkeys(ROLES, 0.0)
    for pid, (role, started, cpu) in after.items():
        earlier = before.get(pid)
        same_process = earlier is not None and earlier[1] == started
        totals[role] += cpu - (earlier[2] if same_process else 0.0)
    return totals
