"""Past renewal-letter batches and the bookings they brought."""

import datetime as dt

from django.utils import timezone

from dashboards.demo.history import History
from notices.models import (
    Certificate,
    CertificateType,
    Letter,
    LetterBatch,
    LetterStatus,
    NoticeRule,
    Resident,
)
from reservations.models import (
    Reservation,
)


def letters_seed(history: History) -> int:
    """Four past batches (one a quarter) of JR commuter-pass renewal letters; about
    four in ten residents booked with the letter's code within 30 days."""
    rule = NoticeRule.objects.filter(procedure__code="jr-commuter-pass").first()
    certificate_type = CertificateType.objects.filter(code="jr-commuter").first()
    if rule is None or certificate_type is None:
        return 0
    made = 0
    candidates = sorted(
        (r for r in history.reservations if r.procedure_id == rule.procedure_id and r.pk),
        key=lambda r: r.start_at,
    )
    for quarter_back in range(4, 0, -1):
        made_on = history.today - dt.timedelta(days=91 * quarter_back - 10)
        letters = _batch_mail(history, rule, certificate_type, made_on, quarter_back)
        _bookings_refer(history, letters, candidates, made_on, quarter_back)
        made += len(letters)
    return made


def _batch_mail(history: History, rule, certificate_type, made_on: dt.date, quarter_back: int):
    """One quarter's batch: its residents, their expiring passes and the mailed letters."""
    created = timezone.make_aware(dt.datetime.combine(made_on, dt.time(6, 30)))
    # A past quarter's batch: printed and mailed long ago (its PDFs are not kept).
    batch = LetterBatch.objects.create(
        rule=rule,
        created_at=created,
        status="mailed",
        printed_at=created + dt.timedelta(hours=3),
        mailed_at=created + dt.timedelta(days=1),
    )
    size = 40 + 10 * (4 - quarter_back)
    residents = Resident.objects.bulk_create(
        Resident(
            resident_number="H%02d%04d" % (quarter_back, n),
            name="案内 %d-%d" % (quarter_back, n),
            postal_code="330-0063",
            address_line1="さいたま市浦和区高砂3丁目",
        )
        for n in range(size)
    )
    certificates = Certificate.objects.bulk_create(
        Certificate(
            source_id="H%02d%04d" % (quarter_back, n),
            resident=resident,
            certificate_type=certificate_type,
            issued_on=made_on - dt.timedelta(days=150),
            expires_on=made_on + dt.timedelta(days=30),
        )
        for n, resident in enumerate(residents)
    )
    letters = Letter.objects.bulk_create(
        Letter(
            rule=rule,
            resident=resident,
            certificate=certificate,
            code=history.code(),
            status=LetterStatus.MAILED,
            created_at=created,
            batch=batch,
        )
        for resident, certificate in zip(residents, certificates, strict=True)
    )
    batch.total = batch.rendered = len(letters)
    batch.save(update_fields=["total", "rendered"])
    return letters


def _bookings_refer(history: History, letters, candidates, made_on: dt.date, quarter_back: int):
    """Some residents book with their letter's code: the next free booking of the
    procedure after the day they booked takes the code as its referral."""
    rng = history.rng
    for letter in letters:
        if rng.random() < 0.35 + 0.05 * (4 - quarter_back):
            booked_on = made_on + dt.timedelta(days=rng.randint(2, 25))
            if booked_on >= history.today:
                continue
            booking = next(
                (
                    r
                    for r in candidates
                    if timezone.localdate(r.start_at) > booked_on and not r.referral_code
                ),
                None,
            )
            if booking:
                booking.referral_code = letter.code
                booking.created_at = timezone.make_aware(
                    dt.datetime.combine(booked_on, dt.time(20, 0))
                )
                Reservation.objects.filter(pk=booking.pk).update(
                    referral_code=letter.code, created_at=booking.created_at
                )
