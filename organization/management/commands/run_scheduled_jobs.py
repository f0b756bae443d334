"""The beat schedule without Celery beat, for the embedded mode (SQLite, no Redis).

There the scheduled jobs — releasing lapsed holds, marking no-shows, the reminders the
day before, the renewal letters, the overdue complaint notices, the KPI rollup, the
retention jobs, the outbox sweep — would never run. This runs each entry of
``settings.CELERY_BEAT_SCHEDULE`` that is due, in this process, as beat would queue it:
once from cron every minute (``* * * * * manage.py run_scheduled_jobs``), or with
``--loop`` as ``./dev start`` does. When each job last ran is kept in
``VAR_DIR/scheduled-jobs.json``; a job seen for the first time runs after one period
(as with beat), and a lock file keeps two runners from running the same job twice.
Never run it beside a Celery beat: the jobs would run twice as often (they are
idempotent, but the e-mails' sweep and the letters would do needless work).
"""

import copy
import datetime as dt
import fcntl
import json
import logging
import time
from pathlib import Path

from celery.schedules import schedule as every
from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

logger = logging.getLogger("madoguchi.tasks")


def _schedule(entry: dict):
    period = entry["schedule"]
    if isinstance(period, int | float):
        return every(dt.timedelta(seconds=period))
    return period


def run_due_jobs(state_path: Path, now: dt.datetime | None = None) -> list[str]:
    """Run the due entries of the beat schedule once; the names of those run."""
    from config.celery import app

    app.loader.import_default_modules()  # the apps' tasks modules, as a worker loads them
    now = now or timezone.now()
    state = json.loads(state_path.read_text()) if state_path.exists() else {}
    ran = []
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        last = state.get(name)
        if last is None:
            state[name] = now.isoformat()  # first seen: the first run after one period
            continue
        schedule = copy.copy(_schedule(entry))  # the settings' own is left as it is
        schedule.nowfun = lambda: now
        due, _next = schedule.is_due(dt.datetime.fromisoformat(last))
        if not due:
            continue
        result = app.tasks[entry["task"]].apply()
        if result.failed():
            logger.error("Scheduled job %s failed: %s", name, result.result)
        state[name] = now.isoformat()
        ran.append(name)
    state_path.write_text(json.dumps(state, indent=1))
    return ran


class Command(BaseCommand):
    help = (
        "Run the scheduled jobs that are due (the embedded mode, without Celery beat): "
        "every minute from cron, or --loop."
    )

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="Run every 30 seconds.")

    def handle(self, *args, loop=False, **options):
        var_dir = Path(settings.VAR_DIR)
        with open(var_dir / "scheduled-jobs.lock", "w") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                self.stderr.write("Another run_scheduled_jobs is running; nothing done.")
                return
            while True:
                for name in run_due_jobs(var_dir / "scheduled-jobs.json"):
                    self.stdout.write("ran %s" % name)
                if not loop:
                    return
                time.sleep(30)
