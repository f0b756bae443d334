"""The embedded mode has no Celery beat: ``run_scheduled_jobs`` runs the beat schedule's
due jobs (helper 43: a lapsed hold stayed "held", no reminder went out, nobody became a
no-show while only the web server ran)."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from organization.management.commands.run_scheduled_jobs import run_due_jobs

pytestmark = pytest.mark.django_db


def test_a_job_runs_once_its_period_has_passed_and_a_daily_one_waits(tmp_path, monkeypatch):
    calls = []
    from config.celery import app

    app.loader.import_default_modules()
    holds = app.tasks["reservations.tasks.reservations_expire_holds"]
    letters = app.tasks["notices.tasks.notices_create_due_letters"]
    monkeypatch.setattr(holds, "run", lambda *a, **k: calls.append("holds"))
    monkeypatch.setattr(letters, "run", lambda *a, **k: calls.append("letters"))
    state = tmp_path / "scheduled-jobs.json"
    now = timezone.make_aware(dt.datetime(2030, 6, 12, 10, 0))

    assert run_due_jobs(state, now=now) == []  # first seen: after one period, as beat
    later = run_due_jobs(state, now=now + dt.timedelta(seconds=61))
    again = run_due_jobs(state, now=now + dt.timedelta(seconds=62))

    assert "reservations-expire-holds" in later and "reservations-expire-holds" not in again
    assert calls.count("holds") == 1 and "letters" not in calls  # 6:30 is tomorrow
    recorded = json.loads(state.read_text())
    assert recorded["reservations-expire-holds"] == (now + dt.timedelta(seconds=61)).isoformat()
