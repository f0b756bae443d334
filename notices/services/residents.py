"""Residents' data: a booking match staff release, and the retention job's
anonymisation."""

from django.db import transaction
from django.db.models import Exists, OuterRef

from notices.models import (
    BookingMatchRelease,
    Certificate,
    Letter,
    NoticeRule,
    Resident,
)
from organization.retention import anonymise, cutoff


def booking_match_release(*, rule: NoticeRule, certificate: Certificate, user=None) -> bool:
    """Staff confirm that the booking matched to ``certificate``'s holder by name and kana
    alone is someone else's: the holder is due a letter again (the next run makes it).
    False when it was already released."""
    with transaction.atomic():
        _release, created = BookingMatchRelease.objects.get_or_create(
            rule=rule, certificate=certificate, defaults={"released_by": user}
        )
    return created


@transaction.atomic
def residents_anonymise(*, now=None) -> int:
    """Blank the name and address of residents whose every certificate expired and
    every letter was made before the retention cutoff; the resident number becomes a
    pseudonym. Letters keep their codes and batches (the conversion KPI)."""
    before = cutoff(now)
    recent_certificate = Certificate.objects.filter(
        resident=OuterRef("pk"), expires_on__gte=before.date()
    )
    recent_letter = Letter.objects.filter(resident=OuterRef("pk"), created_at__gte=before)
    old = (
        Resident.objects.exclude(name="")
        .annotate(recent=Exists(recent_certificate) | Exists(recent_letter))
        .filter(recent=False)
    )
    return anonymise(
        old,
        blank=("name", "kana", "postal_code", "address_line1", "address_line2"),
        pseudonymise=("resident_number",),
    )
