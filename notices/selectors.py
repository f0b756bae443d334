"""Reads of the notices app: who is due a letter, and who cannot be sent one."""

import datetime as dt

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet

from notices.models import (
    Certificate,
    Letter,
    LetterChunk,
    NoticeRule,
    Resident,
    ResidentStatus,
)
from reservations.models import OPEN_STATUSES, Reservation


def due_certificates(*, rule: NoticeRule, today: dt.date) -> QuerySet[Certificate]:
    """Certificates whose holder should get a letter under ``rule`` today.

    The resident's latest certificate of the rule's type expires within the rule's
    window; they are living here; they have not renewed (no newer certificate) nor
    booked the procedure since it was issued (a booking under the same name and kana);
    and no letter was made for this certificate and rule.
    """
    newer = Certificate.objects.filter(
        resident=OuterRef("resident"),
        certificate_type=rule.certificate_type,
        issued_on__gt=OuterRef("issued_on"),
    )
    booked_since = Reservation.objects.filter(
        procedure=rule.procedure,
        status__in=OPEN_STATUSES,
        citizen_name=OuterRef("resident__name"),
        citizen_kana=OuterRef("resident__kana"),
        created_at__date__gte=OuterRef("issued_on"),
    )
    already = Letter.objects.filter(certificate=OuterRef("pk"), rule=rule)
    return (
        Certificate.objects.filter(
            certificate_type=rule.certificate_type,
            expires_on__gte=today,
            expires_on__lte=today + dt.timedelta(days=rule.days_before_expiry),
            resident__status=ResidentStatus.ACTIVE,
        )
        .exclude(Exists(newer))
        .exclude(Exists(booked_since))
        .exclude(Exists(already))
        .select_related("resident", "certificate_type")
        .order_by("resident__postal_code", "resident__resident_number")
    )


def split_by_address(certificates) -> tuple[list[Certificate], list[Certificate]]:
    """(can be mailed, exceptions for staff: incomplete address)."""
    mailable, exceptions = [], []
    for certificate in certificates:
        (mailable if certificate.resident.has_complete_address else exceptions).append(certificate)
    return mailable, exceptions


def sample_certificate(rule: NoticeRule) -> Certificate:
    """An unsaved certificate of a fictitious resident, for previewing a letter."""
    today = dt.date.today()
    resident = Resident(
        resident_number="SAMPLE",
        name="見本 太郎",
        kana="ミホン タロウ",
        postal_code="123-4567",
        address_line1="%s本町1丁目2番3号" % settings.CITY_NAME,
        address_line2="みほんハイツ101号",
    )
    return Certificate(
        resident=resident,
        certificate_type=rule.certificate_type,
        issued_on=today - dt.timedelta(days=150),
        expires_on=today + dt.timedelta(days=30),
    )


def chunk_residents(*, chunk: LetterChunk) -> QuerySet[Resident]:
    """The residents whose letters are in ``chunk`` (their keys only: for the access log)."""
    return Resident.objects.filter(letters__chunk=chunk).only("pk")


def recent_batches(limit: int = 10) -> list:
    """The latest letter batches with their parts and how many letters led to a booking."""
    from django.db.models import Count, Prefetch, Q

    from notices.models import LetterBatch

    converted = Exists(Reservation.objects.filter(referral_code=OuterRef("code")))
    batches = list(
        LetterBatch.objects.select_related("rule")
        .prefetch_related(Prefetch("chunks", queryset=LetterChunk.objects.order_by("index")))
        .annotate(
            converted=Count(
                "letters",
                filter=Q(letters__in=Letter.objects.filter(converted)),
            )
        )[:limit]
    )
    return batches
