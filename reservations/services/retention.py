"""Anonymise bookings (and survey comments) past the retention period."""

import datetime as dt

from django.db import transaction

from organization.retention import cutoff, pseudonym
from reservations.models import Reservation, SurveyAnswer


@transaction.atomic
def reservations_anonymise(*, now: dt.datetime | None = None) -> int:
    """Blank the names and contacts of bookings that ended before the cutoff; the
    contact keys become pseudonyms (repeat use stays countable). Survey comments of
    visits before the cutoff are blanked too. Returns the number of bookings changed."""
    before = cutoff(now)
    old = Reservation.objects.filter(end_at__lt=before).exclude(citizen_name="", email="", phone="")
    changed = 0
    for reservation in old.only("pk", "email_key", "phone_key").iterator():
        Reservation.objects.filter(pk=reservation.pk).update(
            citizen_name="",
            citizen_kana="",
            email="",
            phone="",
            email_key=pseudonym(reservation.email_key),
            phone_key=pseudonym(reservation.phone_key),
        )
        changed += 1
    SurveyAnswer.objects.filter(visit__day__lt=before.date()).exclude(comment="").update(comment="")
    return changed
