"""Import past issuance records from a CSV export (UTF-8 or Shift_JIS/CP932).

    manage.py import_certificates records.csv

The columns are documented in README.md ("Importing certificates"). Re-running with
the same file changes nothing. Rows that cannot be read are listed with their line
number and reason; the command then exits with status 1.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from notices import services


class Command(BaseCommand):
    help = "Import past certificate issuance records from a CSV file."

    def add_arguments(self, parser):
        parser.add_argument("path", help="the CSV file")

    def handle(self, *args, path, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError("No such file: %s" % path)
        run = services.certificates_import(data=file.read_bytes(), file_name=file.name)
        self.stdout.write(
            "%s (%s): %d rows — %d new, %d changed, %d unchanged, %d refused"
            % (
                run.file_name,
                run.encoding or "?",
                run.rows,
                run.created,
                run.updated,
                run.unchanged,
                len(run.errors),
            )
        )
        for error in run.errors:
            self.stdout.write("  line %s: %s" % (error["line"], error["reason"]))
        if run.errors:
            raise CommandError("%d rows were refused (listed above)." % len(run.errors))
