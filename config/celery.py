"""The Celery application.

Broker and behaviour come from ``config.settings`` (the ``CELERY_`` settings): Redis as
broker, late acknowledgement with rejection when a worker dies (so a killed worker's task
runs again instead of being lost), one message prefetched per worker process, and the
static beat schedule ``CELERY_BEAT_SCHEDULE``. Tasks are enqueued from services with
``delay_on_commit`` so that a worker never runs before the rows it needs are committed.

When the broker is down (or hangs) at that moment the commit has already happened: the
citizen's booking (or the batch) is stored, so the request must neither fail nor wait.
Publishing gives up after REDIS_TIMEOUT (the broker settings), is skipped while the
Redis circuit breaker is open (config/cache.py), and any failure is logged as "not
queued" instead of raised. Work that must not be lost is recorded before it is queued
and swept up later: the e-mail outbox (``outbox.tasks.outbox_send_due``), letter PDFs
(``notices.tasks.letter_chunks_redispatch``).
"""

import functools
import logging
import os

from celery import Celery
from celery.contrib.django.task import DjangoTask
from celery.signals import setup_logging, task_postrun, task_prerun, worker_process_init
from django.db import close_old_connections, transaction
from kombu.exceptions import OperationalError as BrokerUnavailable

from config.cache import OUTAGE as REDIS_OUTAGE

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

logger = logging.getLogger("madoguchi.tasks")


class MadoguchiTask(DjangoTask):
    def delay_on_commit(self, *args, **kwargs) -> None:
        transaction.on_commit(functools.partial(self._delay_after_commit, args, kwargs))

    def delay_on_commit_once(self, flag: str, seconds: int, countdown: float = 0) -> None:
        """Queue this task (no arguments) on commit unless one queued so is waiting to
        start: the cache key ``flag`` marks it for at most ``seconds``, and the task
        deletes it when it starts, so a burst of commits shares one run and a commit
        after that start queues the next. The task must then do the work of every
        change committed before it started (the commit comes first, so a run that has
        deleted the flag sees the change)."""
        transaction.on_commit(functools.partial(self.delay_once, flag, seconds, countdown))

    def delay_once(self, flag: str, seconds: int, countdown: float = 0) -> None:
        """Queue this task now unless one queued with ``flag`` is waiting to start (see
        ``delay_on_commit_once``). A failure to queue is logged, never raised."""
        from django.core.cache import cache

        options = {"countdown": countdown} if countdown else None
        if cache.add(flag, 1, seconds) and not self._delay_after_commit((), {}, options):
            cache.delete(flag)  # not queued: the next try queues it

    def _delay_after_commit(self, args, kwargs, options=None) -> bool:
        """Queue the task (with ``apply_async``'s ``options`` if any); True when it was
        queued (or run, in eager mode)."""
        from config.cache import redis_breaker

        eager = self.app.conf.task_always_eager
        if not eager and redis_breaker.is_open():
            logger.error("Task %s%r not queued: the broker failed a moment ago", self.name, args)
            return False
        try:
            if options:
                self.apply_async(args, kwargs, **options)
            else:
                self.delay(*args, **kwargs)
        except (BrokerUnavailable, *REDIS_OUTAGE, OSError) as error:
            redis_breaker.trip()
            logger.error(
                "Task %s%r not queued: the broker is unavailable (%s)",
                self.name,
                args,
                type(error).__name__,
            )
            return False
        except Exception:
            if not eager:
                raise
            # Embedded mode runs the task here, after the commit: its failure must not
            # turn a stored change into an error page.
            logger.exception("Task %s%r failed after commit", self.name, args)
        return True


app = Celery("madoguchi", task_cls=MadoguchiTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def _close_old_connections(sender=None, **_kwargs) -> None:
    """At each task's start and end, as Django does at each request's: close a database
    connection that is broken, or older than CONN_MAX_AGE, and check the others before
    their next use (``conn_health_checks``). Celery's own fixup would close every
    connection instead (``CELERY_DB_REUSE_MAX`` turns that off); a task run eagerly, in
    a request or a test, leaves the connection to its caller."""
    if not getattr(getattr(sender, "request", None), "is_eager", False):
        close_old_connections()


@setup_logging.connect
def _use_django_logging(**_kwargs) -> None:
    """Workers and beat log like the web: through LOGGING, whose filter keeps personal
    data out (config/logs.py), instead of Celery's own handlers."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)


@worker_process_init.connect
def _settle_garbage_collector(**_kwargs) -> None:
    """Each worker process, once started: the collector settings of config/gc_tuning.py."""
    from config.gc_tuning import settle_after_startup

    settle_after_startup()
