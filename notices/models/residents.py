"""Residents and the certificates the city issued them, by type."""

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
