"""Celery tasks of the reservations app: thin, they take ids and call services."""

import datetime as dt

from celery import shared_task
from django.utils import timezone

from reservations import selectors, services


@shared_task
def reservations_expire_holds() -> int:
    """Release bookings held for e-mail confirmation that were not confirmed in time."""
    return services.reservations_expire_holds()


@shared_task
def visits_mark_no_shows() -> int:
    """Mark citizens who did not come (booked and absent, or called and not coming)."""
    return services.visits_mark_no_shows()


@shared_task
def reservations_send_reminders() -> int:
    """Promise tomorrow's citizens their reminder, once each: every booking is marked and
    its e-mail written to the outbox in one transaction, so a rerun or a second beat
    writes nothing twice; the outbox relay sends (and retries) them."""
    now = timezone.now()
    tomorrow = timezone.localdate(now) + dt.timedelta(days=1)
    return sum(
        services.reservation_queue_reminder(reservation_id=reservation_id, now=now)
        for reservation_id in selectors.reminders_due(day=tomorrow)
    )


@shared_task
def reservations_anonymise_old() -> int:
    """Nightly: anonymise bookings past the personal-data retention period."""
    from reservations.services.retention import reservations_anonymise

    return reservations_anonymise()
