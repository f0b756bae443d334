"""Letters and their batches: the due letters of a rule made and numbered, rendered
as PDF chunk by chunk, queued again when a render was lost, marked printed and mailed."""

import datetime as dt
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from notices import capacity, letters, selectors
from notices.models import (
    BatchStatus,
    DocumentSerial,
    Letter,
    LetterBatch,
    LetterChunk,
    LetterStatus,
    NoticeRule,
)
from notices.services.rows import BATCH
from reservations.codes import new_booking_code

logger = logging.getLogger(__name__)

CHUNK_SIZE = 150  # letters per print-ready PDF: one bundle for the bulk-mail office


def letters_create_due(
    *, rule: NoticeRule, today, user=None, now: dt.datetime | None = None
) -> LetterBatch | None:
    """Make the letters of ``rule``'s wave of today and a batch that renders them.

    Only the due letters the capacity forecast plans for today or earlier are made
    (notices/capacity.py); the others are held for a later wave, never past their
    latest date. Idempotent and safe to run twice at once: the rule is locked for the
    run, letters made earlier this week count against its budget, and the database
    refuses a second letter for one resident, certificate and rule. Residents with an
    incomplete address are left out (the overview lists them for staff). Rendering is
    enqueued on commit, one task per chunk of CHUNK_SIZE letters in postal-code order.
    Returns None when nobody is due today.
    """
    from notices import tasks

    now = now or timezone.now()
    with transaction.atomic():
        rule = NoticeRule.objects.select_for_update().select_related("procedure").get(pk=rule.pk)
        plan = capacity.rule_forecast(rule=rule, today=today, now=now)
        due_today = [
            certificate
            for certificate in selectors.due_certificates(rule=rule, today=today)
            if plan.sends_on(certificate.pk, today)
        ]
        # Incomplete addresses are left out: the overview lists them for staff.
        mailable = selectors.split_by_address(due_today)[0]
        if not mailable:
            return None
        Letter.objects.bulk_create(
            [
                Letter(
                    rule=rule,
                    resident_id=certificate.resident_id,
                    certificate=certificate,
                    code=new_booking_code(),
                    created_at=now,
                )
                for certificate in mailable
            ],
            ignore_conflicts=True,
        )
        batch = LetterBatch.objects.create(rule=rule, created_by=user, created_at=now)
        pending = list(
            Letter.objects.filter(rule=rule, batch__isnull=True)
            .order_by("resident__postal_code", "resident__resident_number")
            .values_list("pk", flat=True)
        )
        _number_letters(rule=rule, letter_ids=pending, today=today)
        for index, start in enumerate(range(0, len(pending), CHUNK_SIZE)):
            ids = pending[start : start + CHUNK_SIZE]
            chunk = LetterChunk.objects.create(
                batch=batch, index=index, size=len(ids), queued_at=timezone.now()
            )
            Letter.objects.filter(pk__in=ids).update(batch=batch, chunk=chunk)
            tasks.letter_chunk_render.delay_on_commit(chunk.pk)
        batch.total = len(pending)
        batch.save(update_fields=["total"])
    return batch


def document_numbers_reserve(*, prefix: str, day, count: int) -> list[str]:
    """``count`` consecutive document numbers (み福第12号…) of the fiscal year of ``day``
    under ``prefix``. Must run inside a transaction: the year's counter is locked until
    it commits, so two runs never give the same number."""
    from dashboards.periods import fiscal_year

    year = fiscal_year(day)
    DocumentSerial.objects.get_or_create(prefix=prefix, fiscal_year=year)
    serial = DocumentSerial.objects.select_for_update().get(prefix=prefix, fiscal_year=year)
    first = serial.last + 1
    serial.last += count
    serial.save(update_fields=["last"])
    return ["%s第%d号" % (prefix, number) for number in range(first, first + count)]


def _number_letters(*, rule: NoticeRule, letter_ids: list[int], today) -> None:
    """Give each letter without one its document number, in the letters' order."""
    unnumbered = list(
        Letter.objects.filter(pk__in=letter_ids, document_number="").values_list("pk", flat=True)
    )
    if not unnumbered:
        return
    order = {pk: index for index, pk in enumerate(letter_ids)}
    unnumbered.sort(key=order.__getitem__)
    prefix = rule.document_prefix or rule.sender.code
    numbers = document_numbers_reserve(prefix=prefix, day=today, count=len(unnumbered))
    Letter.objects.bulk_update(
        [
            Letter(pk=pk, document_number=number)
            for pk, number in zip(unnumbered, numbers, strict=True)
        ],
        ["document_number"],
        batch_size=BATCH,
    )


def letter_chunk_render(*, chunk_id: int) -> bool:
    """Render one chunk's PDF and store it; False when it was already rendered.

    Safe to run again (a redelivered task after a worker died): the letters are rows
    that exist once; the PDF of the chunk is simply written again.
    """
    chunk = LetterChunk.objects.select_related("batch").get(pk=chunk_id)
    if chunk.rendered_at:
        return False
    rows = list(
        chunk.letters.select_related(
            "resident",
            "certificate__certificate_type",
            "rule__procedure",
            "rule__sender__head__user",
        ).order_by("resident__postal_code", "resident__resident_number")
    )
    pdf = letters.render_pdf(rows)
    with transaction.atomic():
        chunk = LetterChunk.objects.select_for_update().get(pk=chunk_id)
        if chunk.rendered_at:  # a twin task finished first
            return False
        chunk.pdf.save(
            "letters-%d-%03d.pdf" % (chunk.batch_id, chunk.index + 1), ContentFile(pdf), save=False
        )
        chunk.rendered_at = timezone.now()
        chunk.save(update_fields=["pdf", "rendered_at"])
        LetterBatch.objects.filter(pk=chunk.batch_id).update(rendered=F("rendered") + len(rows))
        LetterBatch.objects.filter(
            pk=chunk.batch_id, status=BatchStatus.RENDERING, rendered__gte=F("total")
        ).update(status=BatchStatus.READY)
    return True


def letter_chunks_redispatch(*, now=None) -> int:
    """Queue again every chunk not rendered ``LETTER_CHUNK_RETRY_SECONDS`` after it was
    last queued (beat, every minute). Its task may have been lost: the broker restarted
    without the message, or the whole worker was killed and its unacknowledged message
    waits for the visibility timeout. A twin render is harmless (see above)."""
    from notices import tasks

    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.LETTER_CHUNK_RETRY_SECONDS)
    with transaction.atomic():
        stalled = list(
            LetterChunk.objects.select_for_update(skip_locked=True)
            .filter(rendered_at__isnull=True)
            .filter(Q(queued_at__lte=cutoff) | Q(queued_at__isnull=True))
            .values_list("pk", flat=True)
        )
        LetterChunk.objects.filter(pk__in=stalled).update(queued_at=now)
        for chunk_id in stalled:
            tasks.letter_chunk_render.delay_on_commit(chunk_id)
    if stalled:
        logger.warning("Letter chunks queued again after no render: %s", stalled)
    return len(stalled)


def letter_batch_mark(*, batch, step: str) -> None:
    """Staff record that a ready batch was printed, then mailed."""
    now = timezone.now()
    with transaction.atomic():
        if step == "printed" and batch.status == BatchStatus.READY:
            batch.status, batch.printed_at = BatchStatus.PRINTED, now
            batch.letters.update(status=LetterStatus.PRINTED)
        elif step == "mailed" and batch.status == BatchStatus.PRINTED:
            batch.status, batch.mailed_at = BatchStatus.MAILED, now
            batch.letters.update(status=LetterStatus.MAILED)
        else:
            raise ValueError(step)
        batch.save(update_fields=["status", "printed_at", "mailed_at"])
