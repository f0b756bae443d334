"""Check that this process can write, read and delete files in the shared storage.

Run it on each web and worker host after setting S3_* (or MEDIA_ROOT): it exits with
status 1 and says why when the storage cannot be used. ``--create-bucket`` first creates
the S3 bucket if it does not exist (docker compose's ``migrate`` step does).
"""

from django.core.management.base import BaseCommand, CommandError

from config import storage


class Command(BaseCommand):
    help = "Write, read back and delete a small file in the file storage (letters, imports)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--create-bucket",
            action="store_true",
            help="Create the S3 bucket (S3_BUCKET) first if it does not exist.",
        )

    def handle(self, *args, **options):
        try:
            if options["create_bucket"] and storage.bucket_create():
                self.stdout.write("Created the bucket: %s" % storage.describe())
            where = storage.probe()
        except Exception as error:  # every failure, said plainly
            raise CommandError(
                "The file storage cannot be used (%s): %s"
                % (storage.describe(), error.__class__.__name__ + ": " + str(error))
            ) from None
        self.stdout.write(self.style.SUCCESS("File storage OK: %s" % where))
