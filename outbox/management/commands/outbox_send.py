"""Send the outbox e-mails that are due now: what beat's sweep does, for a set-up
without beat (the embedded mode: run it from cron) or to empty the outbox by hand."""

from django.core.management.base import BaseCommand

from outbox.services import emails_send_due


class Command(BaseCommand):
    help = "Send the outbox e-mails that are due (waiting, retries due, abandoned claims)."

    def handle(self, *args, **options):
        sent = emails_send_due()
        self.stdout.write("%d e-mail(s) sent" % sent)
