"""Celery tasks of the outbox: the relay. Thin: they take keys and call services."""

from celery import shared_task

from outbox import services


@shared_task
def outbox_send(key: str) -> str:
    """Queued on commit of the change that promised the e-mail. Failures are retried by
    the row's own schedule (the sweep), not by Celery."""
    return services.email_send(key=key)


@shared_task
def outbox_send_due() -> int:
    """Beat, every OUTBOX_SWEEP_SECONDS: whatever the on-commit task did not send."""
    return services.emails_send_due()


@shared_task
def outbox_purge() -> int:
    """Nightly: forget e-mails sent more than OUTBOX_KEEP_DAYS ago."""
    return services.emails_purge()
