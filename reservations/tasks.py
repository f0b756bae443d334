"""Celery tasks of the reservations app: thin, they take ids and call services."""

import datetime as dt
import logging

from celery import shared_task
from django.utils import timezone

from reservations import emails, selectors, services
from reservations.models import Reservation

logger = logging.getLogger(__name__)


def _load(reservation_id: int) -> Reservation | None:
    try:
        return selectors.reservation_for_email(reservation_id)
    except Reservation.DoesNotExist:
        logger.warning("Reservation %s is gone; no e-mail sent", reservation_id)
        return None


@shared_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def reservation_send_booked_email(reservation_id: int) -> None:
    reservation = _load(reservation_id)
    if reservation and reservation.email:
        emails.send_booked(reservation)


@shared_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def reservation_send_cancelled_email(reservation_id: int) -> None:
    reservation = _load(reservation_id)
    if reservation and reservation.email:
        emails.send_cancelled(reservation)


@shared_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def reservation_send_rescheduled_email(reservation_id: int, previous_id: int) -> None:
    reservation = _load(reservation_id)
    previous = _load(previous_id)
    if reservation and previous and reservation.email:
        emails.send_rescheduled(reservation, previous)


@shared_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def reservations_send_links_email(reservation_ids: list[int], language: str) -> None:
    """The manage links asked for on the find page, to the address of the bookings (ids
    of one person's open bookings, all with that address; only those still open go)."""
    from django.utils import translation

    reservations = [r for r in map(_load, reservation_ids) if r is not None and r.is_open]
    if reservations and reservations[0].email:
        with translation.override(language):
            emails.send_links(reservations, email=reservations[0].email)


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
    """E-mail tomorrow's citizens once. Each reminder is claimed before it is sent, so a
    rerun or a second beat never sends it twice; a failed send is given back for the
    next run."""
    now = timezone.now()
    tomorrow = timezone.localdate(now) + dt.timedelta(days=1)
    sent = 0
    for reservation_id in selectors.reminders_due(day=tomorrow):
        if not services.reservation_claim_reminder(reservation_id=reservation_id, now=now):
            continue
        reservation = _load(reservation_id)
        if reservation is None:
            continue
        try:
            emails.send_reminder(reservation)
        except OSError:
            logger.exception("Reminder for reservation %s failed; will retry", reservation_id)
            services.reservation_unclaim_reminder(reservation_id=reservation_id)
            continue
        services.reservation_record_reminder(reservation_id=reservation_id, now=now)
        sent += 1
    return sent


@shared_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def visit_send_survey_email(visit_id: int) -> bool:
    """After a booked visit is done: the survey link, once (the task runs once per
    "done"; a visit cannot be done twice)."""
    from reservations.models import Visit

    visit = Visit.objects.select_related("reservation", "procedure").filter(pk=visit_id).first()
    if visit is None:
        return False
    return emails.send_survey(visit)


@shared_task
def reservations_anonymise_old() -> int:
    """Nightly: anonymise bookings past the personal-data retention period."""
    from reservations.services.retention import reservations_anonymise

    return reservations_anonymise()
