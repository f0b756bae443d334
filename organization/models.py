from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a staff member does; each role is also a Django group carrying its permissions."""

    COUNTER_STAFF = "counter_staff", _("Counter staff")
    DEPARTMENT_STAFF = "department_staff", _("Department staff")
    MANAGER = "manager", _("Manager")
    ADMINISTRATOR = "administrator", _("Administrator")


class LocalizedNameMixin:
    """``localized_name``: the English name on English pages where one is set."""

    @property
    def localized_name(self) -> str:
        if get_language() == "en" and getattr(self, "name_en", ""):
            return self.name_en
        return self.name


# Roles that may open the Django admin (master data, targets, approvals).
ADMIN_SITE_ROLES = frozenset({Role.MANAGER, Role.ADMINISTRATOR})


class Department(LocalizedNameMixin, models.Model):
    code = models.SlugField(
        _("code"),
        max_length=32,
        unique=True,
        help_text=_("A short stable identifier, e.g. shimin. Used in references and imports."),
    )
    name = models.CharField(_("name (Japanese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    location = models.CharField(
        _("location"), max_length=200, blank=True, help_text=_("e.g. Main building, 1st floor")
    )
    head = models.ForeignKey(
        "organization.StaffMember",
        verbose_name=_("head"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="headed_departments",
    )
    display_order = models.PositiveSmallIntegerField(_("display order"), default=100)

    class Meta:
        ordering = ["display_order", "code"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self):
        return self.localized_name

    def clean(self):
        if self.head_id and self.pk and self.head.department_id != self.pk:
            raise ValidationError({"head": _("The head must be a member of this department.")})


class StaffMember(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        on_delete=models.CASCADE,
        related_name="staff_member",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="members",
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)

    class Meta:
        ordering = ["department__display_order", "user__last_name", "user__first_name"]
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        # Japanese order: family name first.
        full = " ".join(part for part in (self.user.last_name, self.user.first_name) if part)
        return full or self.user.get_username()
