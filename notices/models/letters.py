"""Renewal letters: the rules that invite, the batches and chunks printed, each
letter, its document number, and the booking matches staff released."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notices.models.residents import Certificate, CertificateType, Resident

DEFAULT_LETTER_TEXT = (
    "{name} 様\n\n"
    "いつも市政にご協力いただきありがとうございます。\n"
    "お持ちの{certificate}は{expires_on}に有効期限を迎えます。"
    "更新の手続き（{procedure}）は、オンラインで来庁日時をご予約のうえお越しください。\n"
    "この手続きは対応できる職員が限られているため、予約なしでお越しの場合はお受けできないことがあります。"
)


# The placeholders a rule's text may use (notices/letters.py fills them): the first four
# are the ones its help text names.
PLACEHOLDERS = (
    "name",
    "certificate",
    "expires_on",
    "procedure",
    "expires_on_iso",
    "certificate_en",
)


class NoticeRule(models.Model):
    """Who is invited to renew: holders of a certificate type expiring within N days."""

    name = models.CharField(_("name"), max_length=120)
    certificate_type = models.ForeignKey(
        CertificateType,
        verbose_name=_("certificate type"),
        on_delete=models.PROTECT,
        related_name="notice_rules",
    )
    days_before_expiry = models.PositiveSmallIntegerField(
        _("days before expiry"),
        default=45,
        help_text=_("Residents whose certificate expires within this many days get a letter."),
    )
    procedure = models.ForeignKey(
        "reservations.Procedure",
        verbose_name=_("procedure to book"),
        on_delete=models.PROTECT,
        related_name="notice_rules",
    )
    sender = models.ForeignKey(
        "organization.Department",
        verbose_name=_("sender"),
        on_delete=models.PROTECT,
        related_name="notice_rules",
    )
    text = models.TextField(
        _("letter text (Japanese)"),
        default=DEFAULT_LETTER_TEXT,
        help_text=_(
            "Placeholders: {name}, {certificate}, {expires_on}, {procedure}. The booking "
            "address, its QR code and the documents to bring are added below the text."
        ),
    )
    is_active = models.BooleanField(_("in use"), default=True)
    # The formal letter (公文書): its number and who signs it.
    document_prefix = models.CharField(
        _("document number prefix"),
        max_length=20,
        blank=True,
        help_text=_(
            "The sending department's prefix, e.g. み福: letters are numbered み福第1号, "
            "み福第2号… anew each fiscal year. Empty: the department's code."
        ),
    )
    signer = models.CharField(
        _("signed by"),
        max_length=100,
        blank=True,
        help_text=_(
            "The mayor's or the head's title and name as printed, e.g. みどり市長 緑川 一郎. "
            "Empty: the head of the sending department (みどり市 福祉課長 and the head's name). "
            "Printed with （公印省略）."
        ),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("notice rule")
        verbose_name_plural = _("notice rules")

    def __str__(self):
        return self.name

    def clean(self):
        unknown = sorted(set(re.findall(r"\{([^{}]*)\}", self.text or "")) - set(PLACEHOLDERS))
        if unknown:
            raise ValidationError(
                {
                    "text": _(
                        "Unknown placeholder %(unknown)s: a letter would print it as it is. "
                        "Use %(known)s."
                    )
                    % {
                        "unknown": ", ".join("{%s}" % name for name in unknown),
                        "known": ", ".join("{%s}" % name for name in PLACEHOLDERS[:4]),
                    }
                }
            )
        if self.days_before_expiry is not None and self.days_before_expiry < 1:
            raise ValidationError(
                {"days_before_expiry": _("At least one day: the letter must come before expiry.")}
            )


class BatchStatus(models.TextChoices):
    RENDERING = "rendering", _("Being prepared")
    READY = "ready", _("Ready to print")
    PRINTED = "printed", _("Printed")
    MAILED = "mailed", _("Mailed")


class LetterBatch(models.Model):
    """The letters of one run of a rule, rendered as print-ready PDFs in chunks."""

    rule = models.ForeignKey(
        "notices.NoticeRule",
        verbose_name=_("notice rule"),
        on_delete=models.PROTECT,
        related_name="batches",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=BatchStatus.choices, default=BatchStatus.RENDERING
    )
    total = models.PositiveIntegerField(_("letters"), default=0)
    rendered = models.PositiveIntegerField(_("letters rendered"), default=0)
    printed_at = models.DateTimeField(_("printed at"), null=True, blank=True)
    mailed_at = models.DateTimeField(_("mailed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("letter batch")
        verbose_name_plural = _("letter batches")

    def __str__(self):
        return "%s %s" % (self.rule, self.created_at)


class LetterChunk(models.Model):
    """One print-ready PDF of up to CHUNK_SIZE letters, in postal-code order."""

    batch = models.ForeignKey(LetterBatch, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveSmallIntegerField()
    size = models.PositiveIntegerField(default=0)
    pdf = models.FileField(upload_to="letters/%Y/%m/", blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)
    # When its rendering task was last queued: a chunk still not rendered long after
    # (its message lost with a restarted broker, its worker killed) is queued again.
    queued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["batch", "index"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "index"], name="letter_chunk_unique_index")
        ]

    def __str__(self):
        return "%s #%d" % (self.batch, self.index + 1)


class LetterStatus(models.TextChoices):
    CREATED = "created", _("To print")
    PRINTED = "printed", _("Printed")
    MAILED = "mailed", _("Mailed")


class Letter(models.Model):
    """One letter for one resident, certificate and rule — never two (a unique key)."""

    rule = models.ForeignKey(
        NoticeRule, verbose_name=_("notice rule"), on_delete=models.PROTECT, related_name="letters"
    )
    resident = models.ForeignKey(
        Resident, verbose_name=_("resident"), on_delete=models.CASCADE, related_name="letters"
    )
    certificate = models.ForeignKey(
        Certificate, verbose_name=_("certificate"), on_delete=models.CASCADE, related_name="letters"
    )
    code = models.CharField(_("letter code"), max_length=9, unique=True)
    document_number = models.CharField(_("document number"), max_length=40, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=LetterStatus.choices, default=LetterStatus.CREATED
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    batch = models.ForeignKey(
        LetterBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="letters"
    )
    chunk = models.ForeignKey(
        LetterChunk, on_delete=models.SET_NULL, null=True, blank=True, related_name="letters"
    )

    class Meta:
        ordering = ["resident__postal_code", "id"]
        verbose_name = _("letter")
        verbose_name_plural = _("letters")
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "certificate", "rule"], name="letter_once_per_case"
            )
        ]

    def __str__(self):
        return "%s %s" % (self.code, self.resident)


class DocumentSerial(models.Model):
    """The last document number given under a prefix in a fiscal year (April–March)."""

    prefix = models.CharField(max_length=20)
    fiscal_year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["prefix", "fiscal_year"], name="document_serial_once_per_year"
            )
        ]

    def __str__(self):
        return "%s %s: %s" % (self.prefix, self.fiscal_year, self.last)


class BookingMatchRelease(models.Model):
    """Staff's word that a booking matched to a resident only by name and kana is not
    theirs: the resident gets the letter after all."""

    rule = models.ForeignKey(NoticeRule, on_delete=models.CASCADE, related_name="+")
    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="+")
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    released_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "certificate"], name="booking_match_release_once"
            )
        ]

    def __str__(self):
        return "%s %s" % (self.rule_id, self.certificate_id)
