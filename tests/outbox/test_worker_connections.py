"""A Celery worker keeps its database connection from task to task, as a web process
keeps its own from request to request (CONN_MAX_AGE, the health check).

Celery's Django fixup closes every connection before and after each task unless
``db_reuse_max`` is set: each e-mail then paid for a new PostgreSQL connection (a new
server process), about a third of what sending it cost the worker.
"""

from celery.fixups.django import DjangoWorkerFixup
from celery.signals import task_postrun, task_prerun
from django.db import connections

from config.celery import app
from outbox.tasks import outbox_send


class FakeConnection:
    """What the worker does to its connection: closed, or only checked for age and health."""

    alias = "default"

    def __init__(self):
        self.done = []

    def close(self):
        self.done.append("closed")

    def close_if_unusable_or_obsolete(self):
        self.done.append("checked")


def _run_a_task_around(monkeypatch, fixup):
    fake = FakeConnection()
    monkeypatch.setattr(connections, "all", lambda initialized_only=False: [fake])
    for signal, fixup_handler in (
        (task_prerun, fixup.on_task_prerun),
        (task_postrun, fixup.on_task_postrun),
    ):
        fixup_handler(sender=outbox_send)
        signal.send(sender=outbox_send, task_id="t", task=outbox_send, args=(), kwargs={})
    return fake.done


def test_the_worker_keeps_its_database_connection_between_tasks(monkeypatch):
    done = _run_a_task_around(monkeypatch, DjangoWorkerFixup(app))
    assert "closed" not in done
    # Checked at the start and the end of the task, as a request is.
    assert done.count("checked") == 2


def test_without_the_setting_celery_would_close_it_at_every_task(monkeypatch):
    # What the setting is for: Celery's default closes the connection twice per task.
    fixup = DjangoWorkerFixup(app)
    fixup.db_reuse_max = None
    assert _run_a_task_around(monkeypatch, fixup).count("closed") == 2


def test_a_task_run_eagerly_leaves_the_connection_to_its_caller(monkeypatch):
    fake = FakeConnection()
    monkeypatch.setattr(connections, "all", lambda initialized_only=False: [fake])
    outbox_send.push_request(is_eager=True)
    try:
        task_prerun.send(sender=outbox_send, task_id="t", task=outbox_send, args=(), kwargs={})
    finally:
        outbox_send.pop_request()
    assert fake.done == []
