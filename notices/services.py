"""Writes of the notices app: importing past issuance records."""

import datetime as dt
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from config.storage import OUTAGE as STORAGE_OUTAGE
from notices import letters, parsing, selectors
from notices.models import (
    BatchStatus,
    BookingMatchRelease,
    Certificate,
    CertificateType,
    DocumentSerial,
    ImportRowError,
    ImportRowMove,
    ImportRowWarning,
    ImportRun,
    ImportStatus,
    Letter,
    LetterBatch,
    LetterChunk,
    LetterStatus,
    MoveStatus,
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


# The longest value each stored field takes (PostgreSQL refuses longer ones).
_MAX_LENGTHS = {
    "record_id": Certificate._meta.get_field("source_id").max_length,
    "resident_number": Resident._meta.get_field("resident_number").max_length,
    "name": Resident._meta.get_field("name").max_length,
    "kana": Resident._meta.get_field("kana").max_length,
    "address1": Resident._meta.get_field("address_line1").max_length,
    "address2": Resident._meta.get_field("address_line2").max_length,
}


def _read_row(
    line: int, raw: dict, types: dict, procedures: dict, others: frozenset = frozenset()
) -> _Row:
    value = {key: parsing.normalize(raw.get(key) or "") for key in COLUMNS}
    missing = [key for key in REQUIRED if not value[key]]
    if missing:
        raise parsing.ParseError(_("missing %(columns)s") % {"columns": ", ".join(missing)})
    for key, limit in _MAX_LENGTHS.items():
        if len(value[key]) > limit:
            raise parsing.ParseError(
                _("%(column)s is longer than %(limit)s characters")
                % {"column": key, "limit": limit}
            )
    certificate_type = types.get(value["certificate_type"])
    if certificate_type is None:
        if value["certificate_type"] in others:
            raise parsing.ParseError(
                _(
                    "certificate type %(type)s belongs to another department: its staff, "
                    "a manager or an administrator imports it"
                )
                % {"type": value["certificate_type"]}
            )
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
    """Create or update the chunk's residents (the last row of a resident wins)."""
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
    # ignore_conflicts: a resident created meanwhile by a parallel import is kept.
    Resident.objects.bulk_create(new, batch_size=BATCH, ignore_conflicts=True)
    Resident.objects.bulk_update(changed, [*RESIDENT_FIELDS, "updated_at"], batch_size=BATCH)
    return dict(
        Resident.objects.filter(resident_number__in=wanted).values_list("resident_number", "id")
    )


@dataclass
class _Stored:
    created: int
    updated: int
    unchanged: int
    refused: list[dict]
    held: list[int]  # lines held as moves, waiting for confirmation


def _store_chunk(run: ImportRun, rows: list[_Row], now) -> _Stored:
    """Upsert the chunk's good rows by record id. Must run inside the chunk's
    transaction. A record id this run already stored (in an earlier chunk: the
    certificate's ``import_run``) or held is refused as a repetition. A row that gives a
    stored record id to another resident or certificate type is not applied: it is held
    (ImportRowMove) until staff confirm it; one of another department is refused."""
    refused, unique = [], {}
    for row in rows:
        source_id = row.certificate["source_id"]
        if source_id in unique:
            first = unique[source_id]
            refused.append(_repeated(row, first_line=first.line, conflicts=_differs(row, first)))
        else:
            unique[source_id] = row
    held_before = dict(
        ImportRowMove.objects.filter(run=run, source_id__in=list(unique)).values_list(
            "source_id", "line"
        )
    )
    for source_id, first_line in held_before.items():
        row = unique.pop(source_id)
        refused.append(_repeated_held(row, first_line=first_line))
    existing = {
        c.source_id: c
        for c in Certificate.objects.filter(source_id__in=list(unique)).select_related(
            "resident", "certificate_type"
        )
    }
    for source_id, certificate in existing.items():
        if certificate.import_run_id == run.pk:
            row = unique.pop(source_id)
            refused.append(_repeated(row, conflicts=_differs_from_stored(row, certificate)))
    moves = []
    for source_id, certificate in existing.items():
        row = unique.get(source_id)
        if row is None or not _moves(row, certificate):
            continue
        del unique[source_id]
        if run.department_id and certificate.certificate_type.department_id != run.department_id:
            refused.append(
                {
                    "line": row.line,
                    "reason": _(
                        "record id %(id)s is a certificate of another department: its "
                        "staff, a manager or an administrator imports it"
                    )
                    % {"id": source_id},
                }
            )
        else:
            moves.append(_held_move(run, row, certificate))
    ImportRowMove.objects.bulk_create(moves, batch_size=BATCH)
    kept = list(unique.values())
    resident_ids = _upsert_residents(kept, now)
    new, changed, unchanged = [], [], []
    for row in kept:
        fields = dict(row.certificate)
        source_id = fields.pop("source_id")
        fields["resident_id"] = resident_ids[row.resident["resident_number"]]
        certificate = existing.get(source_id)
        if certificate is None:
            new.append(Certificate(source_id=source_id, import_run=run, **fields))
        elif any(getattr(certificate, name) != fields[name] for name in CERTIFICATE_FIELDS):
            for name in CERTIFICATE_FIELDS:
                setattr(certificate, name, fields[name])
            certificate.import_run = run
            changed.append(certificate)
        else:
            unchanged.append(certificate.pk)
    Certificate.objects.bulk_create(new, batch_size=BATCH, ignore_conflicts=True)
    Certificate.objects.bulk_update(changed, [*CERTIFICATE_FIELDS, "import_run"], batch_size=BATCH)
    for start in range(0, len(unchanged), BATCH):
        Certificate.objects.filter(pk__in=unchanged[start : start + BATCH]).update(import_run=run)
    return _Stored(len(new), len(changed), len(unchanged), refused, [m.line for m in moves])


def _moves(row: _Row, certificate: Certificate) -> bool:
    """Whether the row gives the stored record id to another resident or type."""
    return (
        certificate.resident.resident_number != row.resident["resident_number"]
        or certificate.certificate_type_id != row.certificate["certificate_type_id"]
    )


def _certificate_state(certificate: Certificate) -> dict:
    """The fields of a certificate that confirming a move compares, as JSON."""
    return {
        "resident_id": certificate.resident_id,
        "certificate_type_id": certificate.certificate_type_id,
        "issued_on": certificate.issued_on.isoformat(),
        "expires_on": certificate.expires_on.isoformat(),
        "procedure_id": certificate.procedure_id,
    }


def _held_move(run: ImportRun, row: _Row, certificate: Certificate) -> ImportRowMove:
    data = row.certificate
    return ImportRowMove(
        run=run,
        line=row.line,
        source_id=data["source_id"],
        certificate=certificate,
        old_resident_number=certificate.resident.resident_number,
        old_certificate_type_id=certificate.certificate_type_id,
        new_resident_number=row.resident["resident_number"],
        new_certificate_type_id=data["certificate_type_id"],
        before=_certificate_state(certificate),
        new_resident=dict(row.resident),
        new_certificate={
            "certificate_type_id": data["certificate_type_id"],
            "issued_on": data["issued_on"].isoformat(),
            "expires_on": data["expires_on"].isoformat(),
            "procedure_id": data["procedure_id"],
        },
    )


def _repeated_held(row: _Row, *, first_line: int) -> dict:
    return {
        "line": row.line,
        "reason": _(
            "record id %(id)s appears twice in the file: line %(first)s moves it to "
            "another resident or certificate type and waits for confirmation; this one "
            "was not imported"
        )
        % {"id": row.certificate["source_id"], "first": first_line},
    }


def _postal_warnings(rows: list[_Row]) -> list[dict]:
    """A stored row whose postal code Japan Post does not know, or gives to another town
    than the address's: a warning on the report (the letters page lists it again before
    printing), never a refusal (the code may be newer than the packaged data)."""
    from notices.postal import postal_code_warning

    warnings = []
    for row in rows:
        resident = row.resident
        reason = postal_code_warning(
            resident["postal_code"],
            "%s %s" % (resident["address_line1"], resident["address_line2"]),
        )
        if reason:
            warnings.append(
                {
                    "line": row.line,
                    "reason": _("record id %(id)s (resident %(resident)s): %(reason)s")
                    % {
                        "id": row.certificate["source_id"],
                        "resident": resident["resident_number"],
                        "reason": reason,
                    },
                }
            )
    return warnings


def _differs(row: _Row, other: _Row) -> bool:
    return row.resident != other.resident or row.certificate != other.certificate


def _differs_from_stored(row: _Row, certificate: Certificate) -> bool:
    resident = certificate.resident
    return any(
        getattr(resident, name) != row.resident[name]
        for name in ["resident_number", *RESIDENT_FIELDS]
    ) or any(
        getattr(certificate, name) != row.certificate[name]
        for name in CERTIFICATE_FIELDS
        if name != "resident_id"
    )


def _repeated(row: _Row, *, first_line: int | None = None, conflicts: bool) -> dict:
    """A repeated record id: the first row was kept, this one is refused and says where
    the first one is and whether the two disagree (staff must check which is right)."""
    values = {"id": row.certificate["source_id"], "first": first_line}
    if first_line is None:
        reason = (
            _(
                "record id %(id)s appears twice in the file: an earlier line was imported "
                "and this one, with different data, was not"
            )
            if conflicts
            else _(
                "record id %(id)s appears twice in the file: an earlier line was imported; "
                "this one repeats it"
            )
        )
    elif conflicts:
        reason = _(
            "record id %(id)s appears twice in the file: line %(first)s was imported and "
            "this one, with different data, was not"
        )
    else:
        reason = _(
            "record id %(id)s appears twice in the file: line %(first)s was imported; this "
            "one repeats it"
        )
    return {"line": row.line, "reason": reason % values}


class ImportRefused(Exception):
    """A whole file refused at once (its encoding, its first line); the message says why."""

    def __init__(self, message: str, *, line: int = 0):
        super().__init__(message)
        self.line = line


def _records(run: ImportRun, stream, *, offset: int = 0, line: int = 1):
    return parsing.read_records(
        stream,
        codec=_CODEC_OF[run.encoding],
        offset=offset,
        line=line,
        max_line_bytes=settings.IMPORT_MAX_LINE_BYTES,
        max_cell_chars=settings.IMPORT_MAX_CELL_CHARS,
    )


_CODEC_OF = {"UTF-8": "utf-8-sig", "CP932": "cp932"}


def _header(run: ImportRun, stream) -> tuple[list[str], parsing.Record]:
    """The column names of the file's first record; ImportRefused without the required
    ones."""
    first = next(iter(_records(run, stream)), None)
    if first is None or first.cells is None:
        reason = first.error if first else _("the file is empty")
        raise ImportRefused(
            _("the first line cannot be read: %(reason)s") % {"reason": reason}, line=1
        )
    header = [parsing.normalize(name).lower() for name in first.cells]
    absent = [name for name in REQUIRED if name not in header]
    if absent:
        raise ImportRefused(
            _("missing columns: %(columns)s") % {"columns": ", ".join(absent)}, line=first.line
        )
    return header, first


def import_run_start(
    *, upload, file_name: str, user=None, department_id=None, queue: bool = True
) -> ImportRun:
    """Check an uploaded file at once (its encoding, read in pieces; its first line) and
    store it through Django's storage as a queued import; the import itself runs in a
    Celery task, queued on commit (in the request under the embedded default), unless
    ``queue`` is False (the caller runs ``import_run_process`` itself).

    ``department_id``: the department whose certificate types the rows may have (None:
    any). Raises ImportRefused when the whole file cannot be imported.
    """
    from notices import tasks

    try:
        _codec, label = parsing.detect_encoding(upload)
    except parsing.ParseError as error:
        raise ImportRefused(str(error)) from error
    run = ImportRun(
        file_name=file_name[:200],
        encoding=label,
        imported_by=user if user is not None and user.pk else None,
        department_id=department_id,
        started_at=timezone.now(),
    )
    upload.seek(0)
    _header_names, first = _header(run, upload)
    run.next_offset, run.next_line = first.end_offset, first.end_line
    upload.seek(0, 2)
    run.size = upload.tell()
    upload.seek(0)
    with transaction.atomic():
        run.file.save(file_name[-100:] or "import.csv", File(upload), save=False)
        run.progress_at = timezone.now()
        run.save()
        if queue:
            tasks.certificates_import_run.delay_on_commit(run.pk)
    return run


def import_run_process(
    *, run_id: int, budget_seconds: float | None = None, on_chunk=None
) -> ImportRun:
    """Import the rows of a started run from its next uncommitted chunk on.

    Each chunk (``IMPORT_CHUNK_ROWS`` records) is one transaction: its rows, its refused
    rows and the run's progress are committed together, so a worker killed mid-chunk
    leaves no trace of that chunk and the next attempt starts there. Twin attempts (a
    sweep that queued a run again while it still ran) cannot double a chunk: a chunk is
    committed only if the run's ``next_offset`` is still where it started.
    Stops after ``budget_seconds`` (the task queues itself again). ``on_chunk(run)`` is
    called after each committed chunk. Returns the run as stored.
    """
    started = time.monotonic()
    run = ImportRun.objects.get(pk=run_id)
    if run.is_finished:
        return run
    try:
        return _process(run, started, budget_seconds, on_chunk)
    except (OperationalError, InterfaceError, OSError, *STORAGE_OUTAGE):
        raise  # the task retries these; the chunk rolled back
    except Exception as error:  # never an import left silent
        logger.exception("Import %s stopped at line %s", run.pk, run.next_line)
        return import_run_fail(run_id=run.pk, reason=repr(error)[:500])


def _process(run: ImportRun, started: float, budget_seconds, on_chunk) -> ImportRun:
    types = dict(CertificateType.objects.values_list("code", "id"))
    if run.department_id:
        mine = dict(
            CertificateType.objects.filter(department_id=run.department_id).values_list(
                "code", "id"
            )
        )
        others = frozenset(types) - frozenset(mine)
        types = mine
    else:
        others = frozenset()
    procedures = dict(Procedure.objects.values_list("code", "id"))
    chunk_rows = settings.IMPORT_CHUNK_ROWS
    run_pk = run.pk
    with run.file.open("rb") as stream:
        try:
            header, _first = _header(run, stream)
        except ImportRefused as error:
            return import_run_fail(run_id=run.pk, reason=str(error), line=error.line)
        records = _records(run, stream, offset=run.next_offset, line=run.next_line)
        while True:
            start_offset = run.next_offset
            end_offset, end_line = run.next_offset, run.next_line
            good, refused, read = [], [], 0
            for record in records:
                read += 1
                end_offset, end_line = record.end_offset, record.end_line
                if record.error:
                    refused.append({"line": record.line, "reason": record.error})
                else:
                    try:
                        good.append(
                            _read_row(
                                record.line,
                                dict(zip(header, record.cells, strict=False)),
                                types,
                                procedures,
                                others,
                            )
                        )
                    except parsing.ParseError as error:
                        refused.append({"line": record.line, "reason": str(error)})
                if read >= chunk_rows:
                    break
            finished = read < chunk_rows or end_offset >= run.size
            run = _commit_chunk(
                run.pk, start_offset, end_offset, end_line, read, good, refused, finished
            )
            if run is None:  # a twin attempt committed this chunk first: leave it to it
                return ImportRun.objects.get(pk=run_pk)
            if on_chunk:
                on_chunk(run)
            if run.is_finished:
                return run
            if budget_seconds is not None and time.monotonic() - started > budget_seconds:
                from notices import tasks

                tasks.certificates_import_run.delay_on_commit(run.pk)
                return run


def _commit_chunk(
    run_pk: int,
    start_offset: int,
    end_offset: int,
    end_line: int,
    read: int,
    good: list[_Row],
    refused: list[dict],
    finished: bool,
) -> ImportRun | None:
    """One chunk's rows, refused rows and the run's progress, in one transaction; None
    when the run moved on meanwhile (a twin attempt, a failed run)."""
    now = timezone.now()
    with transaction.atomic():
        run = ImportRun.objects.select_for_update().get(pk=run_pk)
        if run.is_finished or run.next_offset != start_offset:
            return None
        stored = _store_chunk(run, good, now)
        created, updated, unchanged = stored.created, stored.updated, stored.unchanged
        refused = sorted([*refused, *stored.refused], key=lambda error: error["line"])
        not_stored = {error["line"] for error in stored.refused} | set(stored.held)
        warnings = _postal_warnings([row for row in good if row.line not in not_stored])
        ImportRowWarning.objects.bulk_create(
            [
                ImportRowWarning(run=run, line=warning["line"], reason=warning["reason"][:300])
                for warning in warnings
            ],
            batch_size=BATCH,
        )
        run.warned += len(warnings)
        ImportRowError.objects.bulk_create(
            [
                ImportRowError(run=run, line=error["line"], reason=str(error["reason"])[:300])
                for error in refused
            ],
            batch_size=BATCH,
        )
        run.rows += read
        run.created += created
        run.updated += updated
        run.unchanged += unchanged
        run.refused += len(refused)
        run.held += len(stored.held)
        run.next_offset, run.next_line = end_offset, end_line
        run.chunks_done += 1
        run.progress_at = now
        run.status = ImportStatus.DONE if finished else ImportStatus.RUNNING
        run.finished_at = now if finished else None
        if finished:
            _discard_file(run)
        run.save()
    return run


def _discard_file(run: ImportRun) -> None:
    """A finished import no longer needs its upload, full of names and addresses: the
    file is deleted once the run's end is committed (the city keeps its own export)."""
    if not run.file:
        return
    name, storage = run.file.name, run.file.storage
    run.file = ""
    transaction.on_commit(lambda: storage.delete(name))


def import_run_fail(*, run_id: int, reason: str, line: int | None = None) -> ImportRun:
    """Mark a run failed, keeping what its committed chunks stored; ``line``: a refused
    row to add to its report (a whole file refused)."""
    with transaction.atomic():
        run = ImportRun.objects.select_for_update().get(pk=run_id)
        if run.is_finished:
            return run
        if line is not None:
            ImportRowError.objects.create(run=run, line=line, reason=reason[:300])
            run.refused += 1
        run.status = ImportStatus.FAILED
        run.failure = reason
        run.finished_at = timezone.now()
        _discard_file(run)
        run.save()
    logger.warning("Import %s failed at line %s: %s", run.pk, run.next_line, reason)
    return run


def import_runs_resume(*, now=None) -> int:
    """Queue again every unfinished import without progress for ``IMPORT_RETRY_SECONDS``
    (beat, every minute): its task was lost with a restarted broker or its worker was
    killed. It resumes from its next uncommitted chunk. After ``IMPORT_MAX_ATTEMPTS`` a
    run is marked failed instead, with the counts of what was stored: never silent."""
    from notices import tasks

    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.IMPORT_RETRY_SECONDS)
    queued, failed = [], []
    with transaction.atomic():
        stalled = list(
            ImportRun.objects.select_for_update(skip_locked=True)
            .filter(status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING])
            .filter(Q(progress_at__lte=cutoff) | Q(progress_at__isnull=True))
        )
        for run in stalled:
            if run.attempts >= settings.IMPORT_MAX_ATTEMPTS:
                failed.append(run.pk)
                continue
            run.attempts += 1
            run.progress_at = now
            run.save(update_fields=["attempts", "progress_at"])
            queued.append(run.pk)
            tasks.certificates_import_run.delay_on_commit(run.pk)
    for run_id in failed:
        import_run_fail(
            run_id=run_id,
            reason=_(
                "The import stopped making progress and was given up after %(attempts)s "
                "attempts. The rows before the line shown were stored; import the file "
                "again to add the rest (stored rows stay unchanged)."
            )
            % {"attempts": settings.IMPORT_MAX_ATTEMPTS},
        )
    if queued:
        logger.warning("Imports queued again after no progress: %s", queued)
    return len(queued) + len(failed)


def import_run_resume(*, run_id: int, now=None) -> bool:
    """Staff resume an unfinished import that made no progress for
    ``IMPORT_RETRY_SECONDS`` (under the embedded default no beat runs: a request that
    was cut off leaves its import waiting for this). False when it is finished or
    still making progress. Counts as one of its ``IMPORT_MAX_ATTEMPTS``."""
    from notices import tasks

    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.IMPORT_RETRY_SECONDS)
    with transaction.atomic():
        run = ImportRun.objects.select_for_update().get(pk=run_id)
        if run.is_finished or (run.progress_at and run.progress_at > cutoff):
            return False
        run.attempts += 1
        run.progress_at = now
        run.save(update_fields=["attempts", "progress_at"])
        tasks.certificates_import_run.delay_on_commit(run.pk)
    return True


def import_moves_confirm(
    *, run: ImportRun, move_ids: list[int] | None, user=None, department_id=None, now=None
) -> tuple[list[ImportRowMove], list[ImportRowMove]]:
    """Staff confirm moves of record ids held by an import (all waiting ones, or the ones
    in ``move_ids``): applied in one transaction, each checked against the certificate
    as it is now. A certificate changed since the row was held, a type or procedure of
    another department (``department_id``; None: any) or gone is refused with the
    reason and stays unapplied. Returns (applied, refused)."""
    now = now or timezone.now()
    applied, refused = [], []
    with transaction.atomic():
        waiting = ImportRowMove.objects.select_for_update().filter(
            run=run, status=MoveStatus.WAITING
        )
        if move_ids is not None:
            waiting = waiting.filter(pk__in=move_ids)
        for move in waiting.order_by("line", "pk"):
            reason = _move_apply(move, run=run, department_id=department_id, now=now)
            move.decided_by = user if user is not None and user.pk else None
            move.decided_at = now
            move.outcome = reason or ""
            move.status = MoveStatus.REFUSED if reason else MoveStatus.APPLIED
            # The row's name and address are no longer needed once it is decided.
            move.new_resident = {"resident_number": move.new_resident_number}
            move.save()
            (refused if reason else applied).append(move)
    return applied, refused


def _move_apply(move: ImportRowMove, *, run: ImportRun, department_id, now) -> str | None:
    """Apply one held move; the reason it is refused, or None when applied."""
    certificate = (
        Certificate.objects.select_for_update()
        .select_related("certificate_type", "resident")
        .get(pk=move.certificate_id)
    )
    if _certificate_state(certificate) != move.before:
        return _(
            "record id %(id)s changed after this file was imported (now resident "
            "%(resident)s, %(type)s, expires %(expires)s): not applied. Import a current "
            "file to move it again."
        ) % {
            "id": move.source_id,
            "resident": certificate.resident.resident_number,
            "type": certificate.certificate_type,
            "expires": certificate.expires_on.isoformat(),
        }
    data = move.new_certificate
    new_type = CertificateType.objects.get(pk=data["certificate_type_id"])
    if department_id is not None and (
        certificate.certificate_type.department_id != department_id
        or new_type.department_id != department_id
    ):
        return _("record id %(id)s is a certificate of another department: not applied.") % {
            "id": move.source_id
        }
    procedure_id = data["procedure_id"]
    if procedure_id and not Procedure.objects.filter(pk=procedure_id).exists():
        return _(
            "record id %(id)s: its procedure no longer exists: not applied. Import a "
            "current file to move it again."
        ) % {"id": move.source_id}
    resident_data = move.new_resident
    resident = (
        Resident.objects.select_for_update()
        .filter(resident_number=move.new_resident_number)
        .first()
    )
    if resident is None:
        resident = Resident.objects.create(updated_at=now, **resident_data)
    elif resident.updated_at <= run.started_at and any(
        getattr(resident, name) != resident_data[name] for name in RESIDENT_FIELDS
    ):
        # Stored before this file was read: the file's data is the newer one.
        for name in RESIDENT_FIELDS:
            setattr(resident, name, resident_data[name])
        resident.updated_at = now
        resident.save(update_fields=[*RESIDENT_FIELDS, "updated_at"])
    certificate.resident = resident
    certificate.certificate_type = new_type
    certificate.issued_on = dt.date.fromisoformat(data["issued_on"])
    certificate.expires_on = dt.date.fromisoformat(data["expires_on"])
    certificate.procedure_id = procedure_id
    certificate.import_run = run
    certificate.save(update_fields=[*CERTIFICATE_FIELDS, "import_run"])
    return None


def certificates_import(*, data: bytes, file_name: str, user=None, department_id=None) -> ImportRun:
    """Import an issuance-record export (CSV, UTF-8 or CP932) at once and report on
    every row: the same job as an upload, run here to its end.

    Residents are matched by resident number and certificates by the source's record
    id, so importing the same file again changes nothing. A row that cannot be read is
    refused with its line number and the reason; the other rows are imported. A file
    refused whole (encoding, columns) gives a failed run with that reason.
    """
    return import_file(
        file=ContentFile(data), file_name=file_name, user=user, department_id=department_id
    )


def import_file(*, file, file_name: str, user=None, department_id=None, on_chunk=None) -> ImportRun:
    """Start an import of ``file`` (a binary file object) and run it to its end in this
    process (the management command, tests), chunk by chunk. Should this process die,
    the beat sweep resumes the run in a worker."""
    try:
        run = import_run_start(
            upload=file, file_name=file_name, user=user, department_id=department_id, queue=False
        )
    except ImportRefused as error:
        run = ImportRun.objects.create(
            file_name=file_name[:200],
            imported_by=user,
            department_id=department_id,
            status=ImportStatus.FAILED,
            failure=str(error),
            refused=1,
            finished_at=timezone.now(),
        )
        ImportRowError.objects.create(run=run, line=error.line, reason=str(error)[:300])
        return run
    return import_run_process(run_id=run.pk, on_chunk=on_chunk)


# --- Letters --------------------------------------------------------------------------

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
    from notices import capacity, tasks

    now = now or timezone.now()
    with transaction.atomic():
        rule = NoticeRule.objects.select_for_update().select_related("procedure").get(pk=rule.pk)
        plan = capacity.rule_forecast(rule=rule, today=today, now=now)
        mailable, _exceptions = selectors.split_by_address(
            [
                certificate
                for certificate in selectors.due_certificates(rule=rule, today=today)
                if plan.sends_on(certificate.pk, today)
            ]
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


def booking_match_release(*, rule: NoticeRule, certificate: Certificate, user=None) -> bool:
    """Staff confirm that the booking matched to ``certificate``'s holder by name and kana
    alone is someone else's: the holder is due a letter again (the next run makes it).
    False when it was already released."""
    with transaction.atomic():
        _release, created = BookingMatchRelease.objects.get_or_create(
            rule=rule, certificate=certificate, defaults={"released_by": user}
        )
    return created


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
