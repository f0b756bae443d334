"""Celery tasks of the notices app: thin, they take ids and call services.

Tasks are acknowledged late and rejected when a worker dies (config/celery.py), so a
chunk whose worker was killed is rendered again by another; the services are
idempotent, so no letter is lost or doubled.
"""

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from config.storage import OUTAGE as STORAGE_OUTAGE
from notices import services
from notices.models import NoticeRule


@shared_task(
    autoretry_for=(OSError, OperationalError, InterfaceError, *STORAGE_OUTAGE),
    retry_backoff=5,
    max_retries=5,
)
def letter_chunk_render(chunk_id: int) -> bool:
    return services.letter_chunk_render(chunk_id=chunk_id)


@shared_task(
    autoretry_for=(OSError, OperationalError, InterfaceError, *STORAGE_OUTAGE),
    retry_backoff=5,
    max_retries=5,
)
def certificates_import_run(run_id: int) -> int:
    """Import a stored upload chunk by chunk from where it stopped; after
    ``IMPORT_TASK_SECONDS`` it queues itself again (other work interleaves). Returns the
    rows read so far."""
    return services.import_run_process(
        run_id=run_id, budget_seconds=settings.IMPORT_TASK_SECONDS
    ).rows


@shared_task
def certificate_imports_resume() -> int:
    """Queue again the imports that stopped making progress (beat, every minute)."""
    return services.import_runs_resume()


@shared_task
def letter_chunks_redispatch() -> int:
    """Queue again the letter PDFs whose rendering task was lost (beat, every minute)."""
    return services.letter_chunks_redispatch()


@shared_task
def notices_create_due_letters() -> int:
    """Every active rule: make today's due letters and render them (beat, daily)."""
    today = timezone.localdate()
    made = 0
    for rule in NoticeRule.objects.filter(is_active=True):
        batch = services.letters_create_due(rule=rule, today=today)
        made += batch.total if batch else 0
    return made


@shared_task
def residents_anonymise_old() -> int:
    """Nightly: anonymise residents whose data is past the retention period."""
    return services.residents_anonymise()
