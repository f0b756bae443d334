"""The reminder e-mail of tomorrow's bookings, promised once per booking."""

import datetime as dt

from django.db import transaction

from reservations.models import Reservation, ReservationEvent, ReservationStatus


def reservation_queue_reminder(*, reservation_id: int, now: dt.datetime) -> bool:
    """Promise tomorrow's reminder, once: the booking is marked reminded and the e-mail
    written to the outbox in one transaction. True only for the caller that did it (a
    rerun or a second beat finds it marked)."""
    from reservations import emails

    with transaction.atomic():
        claimed = Reservation.objects.filter(
            pk=reservation_id,
            reminder_sent_at__isnull=True,
            status=ReservationStatus.CONFIRMED,
        ).update(reminder_sent_at=now)
        if not claimed:
            return False
        reservation = Reservation.objects.only("pk", "email", "language").get(pk=reservation_id)
        ReservationEvent.objects.create(
            reservation_id=reservation_id, kind=ReservationEvent.Kind.REMINDED, at=now
        )
        emails.booking_email_queue(reservation, "booking_reminder", now=now)
    return True
