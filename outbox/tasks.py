"""Celery tasks of the outbox: the relay. Thin: they take keys and call services."""

from celery import shared_task

from outbox import services


@shared_task
def outbox_send(key: str) -> str:
    """One e-mail: run in the committing process where no worker runs (eager tasks), or
    queued by hand. Failures are retried by the row's own schedule, not by Celery."""
    return services.email_send(key=key)


@shared_task
def outbox_send_due() -> int:
    """The relay: queued once for a burst of commits that promised e-mails, and run by
    beat every OUTBOX_SWEEP_SECONDS for whatever was missed or whose retry came."""
    return services.emails_send_due()


@shared_task
def outbox_purge() -> int:
    """Nightly: forget e-mails sent more than OUTBOX_KEEP_DAYS ago."""
    return services.emails_purge()
