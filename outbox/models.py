"""Every e-mail the app promises, written in the transaction of the change that causes it.

A row says what to send (its kind and the object it is about), not the message itself:
the relay renders it when it sends, in the row's language, from the data as it then is.
The row holds no message text, and its error text names an error class, never an address.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EmailStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    # Nothing to send when its turn came (the booking was deleted, nobody to tell).
    SKIPPED = "skipped", _("Not needed")


class Email(models.Model):
    # One promised e-mail, one key (``booking-confirmed:42``): a retried request or a
    # second call in the same change never writes a second row.
    key = models.CharField(_("key"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=40)
    object_id = models.PositiveBigIntegerField(_("about (id)"))
    params = models.JSONField(_("details"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    # Citizens' e-mails: the address given with the booking. Staff e-mails: filled in at
    # sending time with the people responsible then.
    recipient = models.TextField(_("recipient"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    # A relay that claimed the row and died leaves it; after this time it may be retried.
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbox e-mail")
        verbose_name_plural = _("outbox e-mails")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]

    def __str__(self):
        return self.key
