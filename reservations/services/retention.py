"""Anonymise bookings (and survey comments) past the retention period."""

import datetime as dt

from django.db import transaction

from organization.retention import anonymise, cutoff
from reservations.models import Reservation, SurveyAnswer


@transaction.atomic
def reservations_anonymise(*, now: dt.datetime | None = None) -> int:
    """Blank the names and contacts of bookings that ended before the cutoff; the
    contact keys become pseudonyms (repeat use stays countable). Survey comments of
    visits before the cutoff are blanked too. Returns the number of bookings changed."""
    before = cutoff(now)
    old = Reservation.objects.filter(end_at__lt=before).exclude(citizen_name="", email="", phone="")
    changed = anonymise(
        old,
        blank=("citizen_name", "citizen_kana", "email", "phone"),
        pseudonymise=("email_key", "phone_key"),
    )
    SurveyAnswer.objects.filter(visit__day__lt=before.date()).exclude(comment="").update(comment="")
    return changed
