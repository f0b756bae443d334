"""Import past issuance records from a CSV export (UTF-8 or Shift_JIS/CP932).

    manage.py import_certificates records.csv
    manage.py import_certificates --resume 42     # an import whose process was stopped

The same job as the upload page, run here chunk by chunk with a progress bar on a
terminal (a plain line every tenth of the file otherwise). The columns are documented
in README.md ("Importing certificates"). Re-running with the same file changes nothing.
Rows that cannot be read are listed with their line number and reason (the first
hundred; the upload page's report has them all); the command then exits with status 1.
Bad input never ends in a traceback.
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from notices import services
from notices.models import ImportRun, ImportStatus

LISTED = 100
BAR = 30


class Command(BaseCommand):
    help = "Import past certificate issuance records from a CSV file."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="the CSV file")
        parser.add_argument(
            "--resume", type=int, metavar="ID", help="finish the unfinished import ID"
        )

    def handle(self, *args, path=None, resume=None, **options):
        self._tenth = -1
        self._tty = self.stdout.isatty() if hasattr(self.stdout, "isatty") else False
        try:
            if resume is not None:
                if not ImportRun.objects.filter(pk=resume).exists():
                    raise CommandError("No such import: %s" % resume)
                run = services.import_run_process(run_id=resume, on_chunk=self._progress)
            else:
                if not path:
                    raise CommandError("Give the CSV file to import (or --resume ID).")
                file = Path(path)
                if not file.is_file():
                    raise CommandError("No such file: %s" % path)
                with file.open("rb") as stream:
                    run = services.import_file(
                        file=stream, file_name=file.name, on_chunk=self._progress
                    )
        except KeyboardInterrupt:
            raise CommandError(
                "Interrupted. Every chunk shown as done is stored; finish with "
                "--resume (see the latest import in the admin or on /notices/import/)."
            ) from None
        except OSError as error:
            raise CommandError("Cannot read the file: %s" % error) from None
        if self._tty:
            self.stdout.write("")
        self._report(run)

    def _report(self, run):
        """The run's counts and refused rows; CommandError unless it ended cleanly."""
        self.stdout.write(
            "%s (%s): %d rows — %d new, %d changed, %d unchanged, %d refused, "
            "%d held for confirmation"
            % (
                run.file_name,
                run.encoding or "?",
                run.rows,
                run.created,
                run.updated,
                run.unchanged,
                run.refused,
                run.held,
            )
        )
        if run.held:
            self.stdout.write(
                "  Record ids moved to another resident or certificate type are not applied "
                "until confirmed on /notices/import/%d/." % run.pk
            )
        if run.columns_not_read:
            self.stdout.write("  Columns not read: %s" % run.columns_not_read)
        for error in run.row_errors.order_by("line", "pk")[:LISTED]:
            record = " (record id %s)" % error.record_id if error.record_id else ""
            self.stdout.write("  line %s%s: %s" % (error.line, record, error.reason))
        if run.refused > LISTED:
            self.stdout.write(
                "  … and %d more: /notices/import/%d/ lists them all."
                % (run.refused - LISTED, run.pk)
            )
        if run.status == ImportStatus.FAILED:
            raise CommandError("The import failed: %s" % run.failure)
        if run.status != ImportStatus.DONE:
            raise CommandError(
                "The import is not finished (stopped after line %d); run again with "
                "--resume %d." % (run.next_line, run.pk)
            )
        if run.refused:
            raise CommandError("%d rows were refused (listed above)." % run.refused)

    def _progress(self, run):
        done = run.next_offset / run.size if run.size else 1.0
        if self._tty:
            filled = int(BAR * done)
            self.stdout.write(
                "\r[%s%s] %3d%% %d rows, %d refused"
                % ("#" * filled, "." * (BAR - filled), done * 100, run.rows, run.refused),
                ending="",
            )
            self.stdout.flush()
        elif int(done * 10) > self._tenth or run.is_finished:
            self._tenth = int(done * 10)
            self.stdout.write(
                "%3d%% %d rows read, %d stored, %d refused"
                % (done * 100, run.rows, run.stored, run.refused)
            )
        sys.stdout.flush()
