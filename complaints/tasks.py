"""Celery tasks of the complaints app: thin, they take ids and call services."""

from celery import shared_task

from complaints import services


@shared_task
def complaints_notify_overdue() -> int:
    """Daily: e-mail the people responsible for overdue reports and answers, once a day
    per item however often it runs."""
    return services.complaints_notify_overdue()


@shared_task
def complaints_anonymise_old() -> int:
    """Nightly: anonymise complaints closed before the personal-data retention period."""
    return services.complaints_anonymise()
