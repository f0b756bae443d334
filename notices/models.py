from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from organization.models import TranslatedTextsMixin


class CertificateType(TranslatedTextsMixin, models.Model):
    """A kind of certificate the city issues, e.g. the JR commuter-pass discount one."""

    code = models.SlugField(
        _("code"), max_length=40, unique=True, help_text=_("As written in imported files.")
    )
    name = models.CharField(pgettext_lazy("title of a thing", "name"), max_length=120)
    procedure = models.ForeignKey(
        "reservations.Procedure",
        verbose_name=_("procedure to renew it"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="certificate_types",
    )
    # Need-to-know: this department's staff see the type's residents, certificates,
    # rules, letters and imports; without one, only managers and administrators do.
    department = models.ForeignKey(
        "organization.Department",
        verbose_name=_("owning department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certificate_types",
        help_text=_(
            "Its staff see and import these certificates and their letters. Empty: "
            "managers and administrators only."
        ),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("certificate type")
        verbose_name_plural = _("certificate types")

    def __str__(self):
        return self.name


class ResidentStatus(models.TextChoices):
    ACTIVE = "active", _("Living here")
    MOVED = "moved", _("Moved away")
    DECEASED = "deceased", _("Deceased")
    OPTED_OUT = "opted_out", _("Asked not to receive letters")


class Resident(models.Model):
    resident_number = models.CharField(
        _("resident number"), max_length=32, unique=True, help_text=_("The source's number.")
    )
    name = models.CharField(_("name"), max_length=100)
    kana = models.CharField(_("name in kana"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=8, blank=True)
    address_line1 = models.CharField(_("address"), max_length=200, blank=True)
    address_line2 = models.CharField(_("building, room"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ResidentStatus.choices, default=ResidentStatus.ACTIVE
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        ordering = ["postal_code", "resident_number"]
        verbose_name = _("resident")
        verbose_name_plural = _("residents")

    def __str__(self):
        return "%s (%s)" % (self.name, self.resident_number)

    @property
    def has_complete_address(self) -> bool:
        return bool(self.postal_code and self.address_line1)


class Certificate(models.Model):
    """One issued certificate, as recorded by the issuing system."""

    source_id = models.CharField(
        _("record id"), max_length=64, unique=True, help_text=_("The source's record id.")
    )
    resident = models.ForeignKey(
        Resident, verbose_name=_("resident"), on_delete=models.CASCADE, related_name="certificates"
    )
    certificate_type = models.ForeignKey(
        CertificateType,
        verbose_name=_("certificate type"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"))
    procedure = models.ForeignKey(
        "reservations.Procedure",
        verbose_name=_("issuing procedure"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The import that last read this record: a record id met twice in one import is
    # refused the second time, even across chunks and resumed runs.
    import_run = models.ForeignKey(
        "notices.ImportRun",
        verbose_name=_("last import"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-issued_on"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__gte=models.F("issued_on")),
                name="certificate_expires_after_issue",
            )
        ]
        indexes = [
            models.Index(fields=["certificate_type", "expires_on"], name="certificate_type_expiry"),
            models.Index(fields=["resident", "certificate_type"], name="certificate_resident"),
        ]

    def __str__(self):
        return "%s %s %s" % (self.certificate_type, self.resident, self.issued_on)


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Finished")
    FAILED = "failed", _("Failed")


class ImportRun(models.Model):
    """One import of issuance records: a job read in chunks, with its per-row report.

    Each chunk of rows is committed in one transaction together with the run's progress
    (``next_offset``, ``next_line``, ``chunks_done`` and the counts), so the run says
    exactly what is stored: a chunk whose worker died left nothing, and the run resumes
    from ``next_offset``. Nothing is dropped silently: a run that cannot finish is
    marked failed with the counts of what was stored.
    """

    file_name = models.CharField(_("file"), max_length=200)
    file = models.FileField(_("uploaded file"), upload_to="imports/%Y/%m/", blank=True)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Department staff import only their department's certificate types; empty: any
    # type (a manager, an administrator, the management command).
    department = models.ForeignKey(
        "organization.Department",
        verbose_name=_("for department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    size = models.PositiveBigIntegerField(_("file size (bytes)"), default=0)
    next_offset = models.PositiveBigIntegerField(_("next byte to read"), default=0)
    next_line = models.PositiveIntegerField(_("next line to read"), default=1)
    chunks_done = models.PositiveIntegerField(_("chunks committed"), default=0)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created = models.PositiveIntegerField(_("new"), default=0)
    updated = models.PositiveIntegerField(_("changed"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    refused = models.PositiveIntegerField(_("refused"), default=0)
    warned = models.PositiveIntegerField(_("stored with a warning"), default=0)
    held = models.PositiveIntegerField(_("moves held for confirmation"), default=0)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    progress_at = models.DateTimeField(_("last progress"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    failure = models.TextField(_("why it failed"), blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        indexes = [models.Index(fields=["status", "progress_at"], name="importrun_status")]

    def __str__(self):
        return "%s %s" % (self.file_name, self.started_at)

    @property
    def stored(self) -> int:
        return self.created + self.updated + self.unchanged

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)

    @property
    def errors(self) -> list[dict]:
        """Every refused row as {"line", "reason"}, in line order."""
        return [
            {"line": line, "reason": reason}
            for line, reason in self.row_errors.order_by("line", "pk").values_list("line", "reason")
        ]


class ImportRowError(models.Model):
    """One refused row of an import: its line number in the file and why."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="row_errors")
    line = models.PositiveIntegerField(_("line"))
    reason = models.CharField(_("reason"), max_length=300)

    class Meta:
        ordering = ["run", "line", "pk"]
        verbose_name = _("refused row")
        verbose_name_plural = _("refused rows")
        indexes = [models.Index(fields=["run", "line"], name="importrowerror_run_line")]

    def __str__(self):
        return "%s: %s" % (self.line, self.reason)


class ImportRowWarning(models.Model):
    """A row of an import that was stored but needs a look, e.g. its postal code is not
    in Japan Post's data or belongs to another town than its address."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="row_warnings")
    line = models.PositiveIntegerField(_("line"))
    reason = models.CharField(_("reason"), max_length=300)

    class Meta:
        ordering = ["run", "line", "pk"]
        verbose_name = _("row with a warning")
        verbose_name_plural = _("rows with a warning")
        indexes = [models.Index(fields=["run", "line"], name="importrowwarning_run_line")]

    def __str__(self):
        return "%s: %s" % (self.line, self.reason)


class MoveStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting for confirmation: not applied")
    APPLIED = "applied", _("Confirmed and applied")
    REFUSED = "refused", _("Refused at confirmation: not applied")


class ImportRowMove(models.Model):
    """A row of an import that gives a stored record id to another resident or another
    certificate type: held, not applied, until staff of the department confirm it.

    ``before`` is the certificate as it was when the row was held; confirming compares it
    with the certificate at that moment and refuses the row if it changed since.
    ``new_resident`` and ``new_certificate`` are the row's data (cleared, but for the
    resident number, once the row is decided)."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="row_moves")
    line = models.PositiveIntegerField(_("line"))
    source_id = models.CharField(_("record id"), max_length=64)
    certificate = models.ForeignKey(
        Certificate, verbose_name=_("certificate"), on_delete=models.CASCADE, related_name="+"
    )
    old_resident_number = models.CharField(_("resident before"), max_length=32)
    old_certificate_type = models.ForeignKey(
        CertificateType,
        verbose_name=_("certificate type before"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    new_resident_number = models.CharField(_("resident in the file"), max_length=32)
    new_certificate_type = models.ForeignKey(
        CertificateType,
        verbose_name=_("certificate type in the file"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    before = models.JSONField(default=dict)
    new_resident = models.JSONField(default=dict)
    new_certificate = models.JSONField(default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=MoveStatus.choices, default=MoveStatus.WAITING
    )
    outcome = models.CharField(_("outcome"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        ordering = ["run", "line", "pk"]
        verbose_name = _("moved record id")
        verbose_name_plural = _("moved record ids")
        indexes = [models.Index(fields=["run", "status"], name="importrowmove_run_status")]

    def __str__(self):
        return "%s: %s" % (self.line, self.source_id)


DEFAULT_LETTER_TEXT = (
    "{name} 様\n\n"
    "いつも市政にご協力いただきありがとうございます。\n"
    "お持ちの{certificate}は{expires_on}に有効期限を迎えます。"
    "更新の手続き（{procedure}）は、オンラインで来庁日時をご予約のうえお越しください。\n"
    "この手続きは対応できる職員が限られているため、予約なしでお越しの場合はお受けできないことがあります。"
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
