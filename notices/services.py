"""Writes of the notices app: importing past issuance records."""

import csv
import datetime as dt
import io
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from notices import letters, parsing, selectors
from notices.models import (
    BatchStatus,
    Certificate,
    CertificateType,
    ImportRun,
    Letter,
    LetterBatch,
    LetterChunk,
    LetterStatus,
    NoticeRule,
    Resident,
    ResidentStatus,
)
from reservations.codes import new_booking_code
from reservations.models import Procedure

logger = logging.getLogger(__name__)

# The documented columns of an issuance-record export (README "Importing certificates").
COLUMNS = [
    "record_id",
    "resident_number",
    "name",
    "kana",
    "postal_code",
    "address1",
    "address2",
    "status",
    "certificate_type",
    "issued_on",
    "expires_on",
    "procedure",
]
REQUIRED = ["record_id", "resident_number", "name", "certificate_type", "issued_on", "expires_on"]
# Status words as municipal exports write them, in either language.
STATUS_WORDS = {
    "": ResidentStatus.ACTIVE,
    "active": ResidentStatus.ACTIVE,
    "在住": ResidentStatus.ACTIVE,
    "住民": ResidentStatus.ACTIVE,
    "moved": ResidentStatus.MOVED,
    "転出": ResidentStatus.MOVED,
    "deceased": ResidentStatus.DECEASED,
    "死亡": ResidentStatus.DECEASED,
    "opted_out": ResidentStatus.OPTED_OUT,
    "送付不要": ResidentStatus.OPTED_OUT,
}
BATCH = 5000
RESIDENT_FIELDS = ["name", "kana", "postal_code", "address_line1", "address_line2", "status"]
CERTIFICATE_FIELDS = [
    "resident_id",
    "certificate_type_id",
    "issued_on",
    "expires_on",
    "procedure_id",
]


@dataclass
class _Row:
    line: int
    resident: dict
    certificate: dict


def _read_row(line: int, raw: dict, types: dict, procedures: dict) -> _Row:
    value = {key: parsing.normalize(raw.get(key) or "") for key in COLUMNS}
    missing = [key for key in REQUIRED if not value[key]]
    if missing:
        raise parsing.ParseError(_("missing %(columns)s") % {"columns": ", ".join(missing)})
    certificate_type = types.get(value["certificate_type"])
    if certificate_type is None:
        raise parsing.ParseError(
            _("unknown certificate type: %(type)s") % {"type": value["certificate_type"]}
        )
    status = STATUS_WORDS.get(value["status"].lower())
    if status is None:
        raise parsing.ParseError(_("unknown status: %(status)s") % {"status": value["status"]})
    issued_on = parsing.parse_date(value["issued_on"])
    expires_on = parsing.parse_date(value["expires_on"])
    if expires_on < issued_on:
        raise parsing.ParseError(_("expires before it was issued"))
    procedure_id = None
    if value["procedure"]:
        procedure_id = procedures.get(value["procedure"])
        if procedure_id is None:
            raise parsing.ParseError(
                _("unknown procedure: %(code)s") % {"code": value["procedure"]}
            )
    return _Row(
        line,
        {
            "resident_number": value["resident_number"],
            "name": value["name"],
            "kana": value["kana"],
            "postal_code": parsing.parse_postal_code(value["postal_code"]),
            "address_line1": value["address1"],
            "address_line2": value["address2"],
            "status": status,
        },
        {
            "source_id": value["record_id"],
            "certificate_type_id": certificate_type,
            "issued_on": issued_on,
            "expires_on": expires_on,
            "procedure_id": procedure_id,
        },
    )


def _upsert_residents(rows: list[_Row], now) -> dict[str, int]:
    """Create or update the batch's residents (the last row of a resident wins)."""
    wanted = {row.resident["resident_number"]: row.resident for row in rows}
    existing = {r.resident_number: r for r in Resident.objects.filter(resident_number__in=wanted)}
    new, changed = [], []
    for number, fields in wanted.items():
        resident = existing.get(number)
        if resident is None:
            new.append(Resident(updated_at=now, **fields))
        elif any(getattr(resident, name) != fields[name] for name in RESIDENT_FIELDS):
            for name in RESIDENT_FIELDS:
                setattr(resident, name, fields[name])
            resident.updated_at = now
            changed.append(resident)
    Resident.objects.bulk_create(new, batch_size=BATCH)
    Resident.objects.bulk_update(changed, [*RESIDENT_FIELDS, "updated_at"], batch_size=BATCH)
    return dict(
        Resident.objects.filter(resident_number__in=wanted).values_list("resident_number", "id")
    )


def _upsert_certificates(rows: list[_Row], resident_ids: dict[str, int]) -> tuple[int, int, int]:
    wanted = {}
    for row in rows:
        fields = dict(row.certificate)
        fields["resident_id"] = resident_ids[row.resident["resident_number"]]
        wanted[fields.pop("source_id")] = fields
    existing = {c.source_id: c for c in Certificate.objects.filter(source_id__in=wanted)}
    new, changed, unchanged = [], [], 0
    for source_id, fields in wanted.items():
        certificate = existing.get(source_id)
        if certificate is None:
            new.append(Certificate(source_id=source_id, **fields))
        elif any(getattr(certificate, name) != fields[name] for name in CERTIFICATE_FIELDS):
            for name in CERTIFICATE_FIELDS:
                setattr(certificate, name, fields[name])
            changed.append(certificate)
        else:
            unchanged += 1
    Certificate.objects.bulk_create(new, batch_size=BATCH)
    Certificate.objects.bulk_update(changed, CERTIFICATE_FIELDS, batch_size=BATCH)
    return len(new), len(changed), unchanged


def certificates_import(*, data: bytes, file_name: str, user=None) -> ImportRun:
    """Import an issuance-record export (CSV, UTF-8 or CP932) and report on every row.

    Residents are matched by resident number and certificates by the source's record
    id, so importing the same file again changes nothing. A row that cannot be read is
    refused with its line number and the reason; the other rows are imported. The
    report is kept as an ImportRun.
    """
    run = ImportRun(file_name=file_name[:200], imported_by=user, started_at=timezone.now())
    try:
        text, run.encoding = parsing.decode(data)
    except parsing.ParseError as error:
        run.errors = [{"line": 0, "reason": str(error)}]
        run.save()
        return run
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [parsing.normalize(name).lower() for name in reader.fieldnames or []]
    absent = [name for name in REQUIRED if name not in header]
    if absent:
        run.errors = [
            {
                "line": 1,
                "reason": _("missing columns: %(columns)s") % {"columns": ", ".join(absent)},
            }
        ]
        run.save()
        return run
    reader.fieldnames = header
    types = dict(CertificateType.objects.values_list("code", "id"))
    procedures = dict(Procedure.objects.values_list("code", "id"))
    now = timezone.now()
    errors, batch = [], []
    seen_records: set[str] = set()

    def flush():
        if not batch:
            return
        with transaction.atomic():
            resident_ids = _upsert_residents(batch, now)
            created, updated, unchanged = _upsert_certificates(batch, resident_ids)
        run.created += created
        run.updated += updated
        run.unchanged += unchanged
        batch.clear()

    for raw in reader:
        line = reader.line_num
        run.rows += 1
        try:
            row = _read_row(line, raw, types, procedures)
        except parsing.ParseError as error:
            errors.append({"line": line, "reason": str(error)})
            continue
        if row.certificate["source_id"] in seen_records:
            errors.append(
                {
                    "line": line,
                    "reason": _("record id %(id)s appears twice in the file")
                    % {"id": row.certificate["source_id"]},
                }
            )
            continue
        seen_records.add(row.certificate["source_id"])
        batch.append(row)
        if len(batch) >= BATCH:
            flush()
    flush()
    run.errors = errors
    run.save()
    return run


# --- Letters --------------------------------------------------------------------------

CHUNK_SIZE = 150  # letters per print-ready PDF: one bundle for the bulk-mail office


def letters_create_due(*, rule: NoticeRule, today, user=None) -> LetterBatch | None:
    """Make the letters due under ``rule`` today and a batch that renders them.

    Idempotent and safe to run twice at once: the rule is locked for the run, and the
    database refuses a second letter for one resident, certificate and rule. Residents
    with an incomplete address are left out (the overview lists them for staff).
    Rendering is enqueued on commit, one task per chunk of CHUNK_SIZE letters in
    postal-code order. Returns None when nobody is due.
    """
    from notices import tasks

    with transaction.atomic():
        rule = NoticeRule.objects.select_for_update().get(pk=rule.pk)
        mailable, _exceptions = selectors.split_by_address(
            selectors.due_certificates(rule=rule, today=today)
        )
        if not mailable:
            return None
        Letter.objects.bulk_create(
            [
                Letter(
                    rule=rule,
                    resident_id=certificate.resident_id,
                    certificate=certificate,
                    code=new_booking_code(),
                )
                for certificate in mailable
            ],
            ignore_conflicts=True,
        )
        batch = LetterBatch.objects.create(rule=rule, created_by=user)
        pending = list(
            Letter.objects.filter(rule=rule, batch__isnull=True)
            .order_by("resident__postal_code", "resident__resident_number")
            .values_list("pk", flat=True)
        )
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
            "resident", "certificate__certificate_type", "rule__procedure", "rule__sender"
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


@transaction.atomic
def residents_anonymise(*, now=None) -> int:
    """Blank the name and address of residents whose every certificate expired and
    every letter was made before the retention cutoff; the resident number becomes a
    pseudonym. Letters keep their codes and batches (the conversion KPI)."""
    from django.db.models import Exists, OuterRef

    from organization.retention import anonymise, cutoff

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
