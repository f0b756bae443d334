"""Celery tasks of the complaints app: thin, they take ids and call services."""

import logging

from celery import shared_task

from complaints import notify, services
from complaints.models import Complaint

logger = logging.getLogger(__name__)


@shared_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def complaint_notify(complaint_id: int, what: str, **ids) -> bool:
    """E-mail those concerned about an event (enqueued on commit by the services)."""
    try:
        complaint = Complaint.objects.select_related("department__head__user", "handler__user").get(
            pk=complaint_id
        )
    except Complaint.DoesNotExist:
        logger.warning("Complaint %s is gone; no e-mail sent", complaint_id)
        return False
    return notify.send_event(complaint, what, **ids)


@shared_task
def complaints_notify_overdue() -> int:
    """Daily: e-mail the people responsible for overdue reports and answers, once a day
    per item however often it runs."""
    return services.complaints_notify_overdue()


@shared_task
def complaints_anonymise_old() -> int:
    """Nightly: anonymise complaints closed before the personal-data retention period."""
    return services.complaints_anonymise()
