"""Imports of issuance records: each run, and its refused, warned and held rows."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from notices.models.residents import Certificate, CertificateType


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Finished")
    # Its own context: "Failed" of the outbox reads 送信失敗 ("sending failed").
    FAILED = "failed", pgettext_lazy("import status", "Failed")


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
    # Header names that are not documented columns: their cells were not read.
    columns_not_read = models.CharField(_("columns not read"), max_length=300, blank=True)

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


class ImportRow(models.Model):
    """A row of an import, by its line in the file (``run``: each kind's own foreign key,
    for its own related name)."""

    line = models.PositiveIntegerField(_("line"))

    class Meta:
        abstract = True
        ordering = ["run", "line", "pk"]


class ImportRowNote(ImportRow):
    """A row of an import and what there is to say about it."""

    reason = models.CharField(_("reason"), max_length=300)

    class Meta(ImportRow.Meta):
        abstract = True

    def __str__(self):
        return "%s: %s" % (self.line, self.reason)


class ImportRowError(ImportRowNote):
    """One refused row of an import: its line number in the file, its record id (when
    the row has one) and why."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="row_errors")
    record_id = models.CharField(_("record id"), max_length=64, blank=True)

    class Meta(ImportRowNote.Meta):
        verbose_name = _("refused row")
        verbose_name_plural = _("refused rows")
        indexes = [models.Index(fields=["run", "line"], name="importrowerror_run_line")]


class ImportRowWarning(ImportRowNote):
    """A row of an import that was stored but needs a look, e.g. its postal code is not
    in Japan Post's data or belongs to another town than its address."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="row_warnings")

    class Meta(ImportRowNote.Meta):
        verbose_name = _("row with a warning")
        verbose_name_plural = _("rows with a warning")
        indexes = [models.Index(fields=["run", "line"], name="importrowwarning_run_line")]


class MoveStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting for confirmation: not applied")
    APPLIED = "applied", _("Confirmed and applied")
    REFUSED = "refused", _("Refused at confirmation: not applied")


class ImportRowMove(ImportRow):
    """A row of an import that gives a stored record id to another resident or another
    certificate type: held, not applied, until staff of the department confirm it.

    ``before`` is the certificate as it was when the row was held; confirming compares it
    with the certificate at that moment and refuses the row if it changed since.
    ``new_resident`` and ``new_certificate`` are the row's data (cleared, but for the
    resident number, once the row is decided)."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="row_moves")
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

    class Meta(ImportRow.Meta):
        verbose_name = _("moved record id")
        verbose_name_plural = _("moved record ids")
        indexes = [models.Index(fields=["run", "status"], name="importrowmove_run_status")]

    def __str__(self):
        return "%s: %s" % (self.line, self.source_id)
