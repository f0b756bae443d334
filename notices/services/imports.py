"""Import runs: an uploaded export checked, stored and imported chunk by chunk (one
transaction each), resumed when it stalls, failed with a reason, never silent."""

import datetime as dt
import logging
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from config.storage import OUTAGE as STORAGE_OUTAGE
from notices import parsing
from notices.models import (
    CertificateType,
    ImportRowError,
    ImportRowWarning,
    ImportRun,
    ImportStatus,
)
from notices.services.rows import (
    BATCH,
    ImportRefused,
    Row,
    columns_not_read,
    read_header,
    read_records,
    read_row,
    record_id_of,
    require_no_extra_cells,
)
from notices.services.storing import letter_warnings, store_chunk
from reservations.models import Procedure

logger = logging.getLogger(__name__)


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
    header, first = read_header(run, upload)
    run.columns_not_read = ", ".join(columns_not_read(header))[:300]
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
        # The clerk reads why; the error's own text (which may quote the file) is in the log.
        reason = _(
            "An unexpected error stopped it (%(error)s, in the server log under import "
            "%(id)s): the administrator can tell what happened."
        ) % {"error": type(error).__name__, "id": run.pk}
        return import_run_fail(run_id=run.pk, reason=reason)


def _row_types(run: ImportRun) -> tuple[dict, frozenset]:
    """The certificate types the run's rows may have (by code), and the codes of the
    other departments' types (refused with their own reason)."""
    types = dict(CertificateType.objects.values_list("code", "id"))
    if not run.department_id:
        return types, frozenset()
    mine = dict(
        CertificateType.objects.filter(department_id=run.department_id).values_list("code", "id")
    )
    return mine, frozenset(types) - frozenset(mine)


@dataclass
class _Chunk:
    good: list = field(default_factory=list)
    refused: list = field(default_factory=list)
    record_ids: dict = field(default_factory=dict)  # line → record id, for the report
    read: int = 0
    end_offset: int = 0
    end_line: int = 0


def _read_chunk(run: ImportRun, records, header: list[str], known: tuple) -> _Chunk:
    """The next ``IMPORT_CHUNK_ROWS`` records of ``records``, read into rows or refused."""
    chunk = _Chunk(end_offset=run.next_offset, end_line=run.next_line)
    for record in records:
        chunk.read += 1
        chunk.end_offset, chunk.end_line = record.end_offset, record.end_line
        if record.error:
            chunk.refused.append({"line": record.line, "reason": record.error})
        else:
            cells = dict(zip(header, record.cells, strict=False))
            chunk.record_ids[record.line] = record_id_of(cells)
            try:
                require_no_extra_cells(header, record.cells)
                chunk.good.append(read_row(record.line, cells, *known))
            except parsing.ParseError as error:
                chunk.refused.append({"line": record.line, "reason": str(error)})
        if chunk.read >= settings.IMPORT_CHUNK_ROWS:
            break
    return chunk


def _process(run: ImportRun, started: float, budget_seconds, on_chunk) -> ImportRun:
    types, others = _row_types(run)
    known = (types, dict(Procedure.objects.values_list("code", "id")), others)
    run_pk = run.pk
    with run.file.open("rb") as stream:
        try:
            header, _first = read_header(run, stream)
        except ImportRefused as error:
            return import_run_fail(run_id=run.pk, reason=str(error), line=error.line)
        records = read_records(run, stream, offset=run.next_offset, line=run.next_line)
        while True:
            start_offset = run.next_offset
            chunk = _read_chunk(run, records, header, known)
            finished = chunk.read < settings.IMPORT_CHUNK_ROWS or chunk.end_offset >= run.size
            run = _commit_chunk(
                run.pk,
                start_offset,
                chunk.end_offset,
                chunk.end_line,
                chunk.read,
                chunk.good,
                chunk.refused,
                finished,
                record_ids=chunk.record_ids,
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
    good: list[Row],
    refused: list[dict],
    finished: bool,
    *,
    record_ids: dict[int, str] | None = None,
) -> ImportRun | None:
    """One chunk's rows, refused rows and the run's progress, in one transaction; None
    when the run moved on meanwhile (a twin attempt, a failed run). ``record_ids``:
    each read line's record id, for the refused rows' report."""
    now = timezone.now()
    with transaction.atomic():
        run = ImportRun.objects.select_for_update().get(pk=run_pk)
        if run.is_finished or run.next_offset != start_offset:
            return None
        stored = store_chunk(run, good, now)
        refused = sorted([*refused, *stored.refused], key=lambda error: error["line"])
        not_stored = {error["line"] for error in stored.refused} | set(stored.held)
        warnings = letter_warnings([row for row in good if row.line not in not_stored])
        ImportRowWarning.objects.bulk_create(
            [
                ImportRowWarning(run=run, line=warning["line"], reason=warning["reason"][:300])
                for warning in warnings
            ],
            batch_size=BATCH,
        )
        run.warned += len({warning["line"] for warning in warnings})
        ImportRowError.objects.bulk_create(
            [
                ImportRowError(
                    run=run,
                    line=error["line"],
                    record_id=(record_ids or {}).get(error["line"], ""),
                    reason=str(error["reason"])[:300],
                )
                for error in refused
            ],
            batch_size=BATCH,
        )
        run.rows += read
        run.created += stored.created
        run.updated += stored.updated
        run.unchanged += stored.unchanged
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
