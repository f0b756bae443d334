from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from organization.kana import has_kanji, to_hiragana


class Role(models.TextChoices):
    """What a staff member does; each role is also a Django group carrying its permissions."""

    COUNTER_STAFF = "counter_staff", _("Counter staff")
    DEPARTMENT_STAFF = "department_staff", _("Department staff")
    MANAGER = "manager", _("Manager")
    ADMINISTRATOR = "administrator", _("Administrator")


class TranslatedTextsMixin:
    """For models with modeltranslation fields (``<app>/translation.py``): the original
    column (``name``) always holds the Japanese, whatever language was active when the
    object was written, so raw SQL, triggers and old readers see one meaning in it.
    (Saving reads ``name`` through modeltranslation, which answers in the active
    language: the save runs with Japanese active.)"""

    def save(self, *args, **kwargs):
        from django.utils import translation
        from modeltranslation.translator import translator
        from modeltranslation.utils import build_localized_fieldname

        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            for field in translator.get_options_for_model(type(self)).fields:
                if build_localized_fieldname(field, "ja") in update_fields:
                    kwargs["update_fields"] = {*kwargs["update_fields"], field}
        with translation.override("ja"):
            super().save(*args, **kwargs)


def require_unique_name(obj, others, message) -> None:
    """Two rows named alike cannot be told apart where staff or citizens choose one (the
    complaint form's departments, a shift's counters, the booking page's procedures): a
    Japanese name already used among ``others`` is refused with ``message``."""
    name = (getattr(obj, "name_ja", "") or "").strip()
    if name and others.filter(name_ja=name).exclude(pk=obj.pk).exists():
        raise ValidationError({"name_ja": message % {"name": name}})


# Roles that may open the Django admin (master data, targets, approvals).
ADMIN_SITE_ROLES = frozenset({Role.MANAGER, Role.ADMINISTRATOR})


class Department(TranslatedTextsMixin, models.Model):
    code = models.SlugField(
        _("code"),
        max_length=32,
        unique=True,
        help_text=_("A short stable identifier, e.g. shimin. Used in references and imports."),
    )
    name = models.CharField(pgettext_lazy("title of a thing", "name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    location = models.CharField(
        _("location"), max_length=200, blank=True, help_text=_("e.g. 本庁舎1階")
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
        return self.name

    def clean(self):
        require_unique_name(
            self, Department.objects, _("There is already a department named %(name)s.")
        )
        # A new department has no members yet: its head is chosen once someone is in it.
        if self.head_id and (not self.pk or self.head.department_id != self.pk):
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

    def clean(self):
        # The head of a department stays in it: the head approves complaints and signs
        # letters, so moving them out first needs another head there.
        if self.pk and self.department_id:
            headed = (
                Department.objects.filter(head_id=self.pk).exclude(pk=self.department_id).first()
            )
            if headed is not None:
                raise ValidationError(
                    {
                        "department": _(
                            "%(name)s heads %(department)s: choose another head for "
                            "%(department)s first."
                        )
                        % {"name": self.display_name, "department": headed.name}
                    }
                )

    @property
    def display_name(self) -> str:
        return person_name(self.user) or self.user.get_username()

    display_name.fget.short_description = _("name")


def person_name(user) -> str:
    """「山本 修」: family name first, as Japanese writes it (Django's ``get_full_name`` gives
    「修 山本」); empty when neither name is set."""
    return " ".join(part for part in (user.last_name, user.first_name) if part)


class AppendOnlyError(Exception):
    """A row of an append-only table (the access log, the complaint timeline) was to be
    changed or deleted. The database refuses it too (``config/db_guards.py``)."""


class AccessKind(models.TextChoices):
    PERSONAL_DATA_READ = "read", _("Personal data viewed")
    ADMIN_ADD = "admin_add", _("Added in the admin")
    ADMIN_CHANGE = "admin_change", _("Changed in the admin")
    ADMIN_DELETE = "admin_delete", _("Deleted in the admin")


class AccessLog(models.Model):
    """Who viewed citizens' personal data and who changed what in the admin (APPI).

    Append-only: ``save`` and ``delete`` refuse changes, and so does the database
    (triggers, ``config/db_guards.py``). It names objects by type and id and never
    holds personal data itself, so the retention job leaves it alone. Written through
    ``organization.services.access_log_read`` and ``access_log_admin_change``.
    """

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("who"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=AccessKind.choices)
    # "app_label.model" of what was seen or changed, e.g. "reservations.reservation".
    object_type = models.CharField(_("object type"), max_length=100)
    # One object's primary key; empty for a list page (its objects' keys are in detail).
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    # The page's URL name, e.g. "reservations:queue" or "admin:notices_resident_change".
    view = models.CharField(_("page"), max_length=100)
    # A list page: the keys of the objects it showed. An admin change: which fields
    # changed (names only, never values).
    detail = models.TextField(_("detail"), blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        # Nobody adds, changes or deletes entries by hand: only "view" exists.
        default_permissions = ["view"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="accesslog_object"),
            models.Index(fields=["user", "at"], name="accesslog_user_at"),
        ]

    def __str__(self):
        return "%s %s %s %s" % (
            timezone.localtime(self.at).strftime("%Y-%m-%d %H:%M:%S") if self.at else "",
            self.kind,
            self.object_type,
            self.object_id or "*",
        )

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("The access log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The access log is append-only.")


def default_city_name() -> str:
    return settings.CITY_NAME


def default_city_address() -> str:
    return settings.CITY_HALL_ADDRESS


def default_city_phone() -> str:
    return settings.CITY_PHONE


def default_opening_hours() -> str:
    return settings.CITY_OPENING_HOURS


def default_opening_hours_en() -> str:
    return settings.CITY_OPENING_HOURS_EN


SITE_SETTINGS_CACHE_KEY = "organization:site_settings:v1"


def site_settings_cache_clear() -> None:
    cache.delete(SITE_SETTINGS_CACHE_KEY)


class LogoType(models.TextChoices):
    PNG = "image/png", "PNG"
    SVG = "image/svg+xml", "SVG"


class SiteSettings(TranslatedTextsMixin, models.Model):
    """The city's identity, one record: name, logo, contact, opening hours, and the texts
    of the privacy notice and the accessibility statement.

    Read through ``organization.selectors.site_settings`` (cached) and written through
    ``organization.services.site_settings_update``; every save clears the cache. Empty
    texts fall back to the standard ones (``templates/organization/_privacy_default.html``
    and the statement in ``accessibility.html``); a fresh install takes its name, address,
    phone and hours from the settings ``CITY_NAME``, ``CITY_HALL_ADDRESS``, ``CITY_PHONE``
    and ``CITY_OPENING_HOURS[_EN]``.
    """

    SINGLETON_ID = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_ID, editable=False)
    city_name = models.CharField(_("city name"), max_length=100, default=default_city_name)
    address = models.CharField(
        _("address"),
        max_length=200,
        blank=True,
        default=default_city_address,
        help_text=_("The city hall's postal address, printed on letters and shown in the footer."),
    )
    phone = models.CharField(
        _("main phone"),
        max_length=20,
        blank=True,
        default=default_city_phone,
        help_text=_("Citizens are told to call this number on error pages and in e-mails."),
    )
    opening_hours = models.CharField(
        _("opening hours"),
        max_length=200,
        blank=True,
        default=default_opening_hours,
        help_text=_("e.g. 平日 8時30分〜17時15分（土日祝日・年末年始を除く）"),
    )
    website = models.URLField(_("website"), blank=True)
    # The logo as sanitised when uploaded (organization/logo.py), kept in the database so
    # that every web host serves it without shared media storage.
    logo = models.BinaryField(_("logo"), blank=True, default=b"", editable=False)
    logo_type = models.CharField(
        _("logo type"), max_length=20, choices=LogoType.choices, blank=True, editable=False
    )
    # A digest of the logo: its URL changes with it, so browsers may cache it for long.
    logo_version = models.CharField(max_length=16, blank=True, editable=False)
    privacy_notice = models.TextField(
        _("privacy notice"),
        blank=True,
        help_text=_(
            "Empty: the standard text. Replaces the purpose of use, what is stored, who sees "
            "it, third parties and how to ask for disclosure; the retention periods (from the "
            "settings) and the contact are always shown. Paragraphs are separated by an empty "
            "line."
        ),
    )
    accessibility_statement = models.TextField(
        _("accessibility statement"),
        blank=True,
        help_text=_("Empty: the standard text. Paragraphs are separated by an empty line."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("site settings")
        verbose_name_plural = _("site settings")
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="sitesettings_singleton"),
        ]

    def __str__(self):
        return str(_("Site settings"))

    def save(self, *args, **kwargs):
        # Whatever writes the record (the service, the shell, a fixture), pages must not
        # keep showing the old one: the cache is cleared now and again on commit.
        super().save(*args, **kwargs)
        site_settings_cache_clear()
        transaction.on_commit(site_settings_cache_clear)

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        site_settings_cache_clear()
        transaction.on_commit(site_settings_cache_clear)
        return result

    @property
    def has_logo(self) -> bool:
        return bool(self.logo_type and self.logo_version)


class ReadingCorrection(models.Model):
    """The reading of a word on the plain-Japanese pages (やさしい日本語), where the
    morphological analyser guesses wrong: a place name, a person's name, a term of the
    city. Applied before the analyser (``organization.furigana``); the longest written
    form wins where two overlap."""

    surface = models.CharField(
        _("written form"),
        max_length=50,
        unique=True,
        help_text=_("As it is written on the pages, with its kanji, e.g. 緑町"),
    )
    reading = models.CharField(
        _("reading"),
        max_length=100,
        help_text=_("In hiragana (katakana is turned into hiragana), e.g. みどりちょう"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["surface"]
        verbose_name = _("furigana reading")
        verbose_name_plural = _("furigana readings")

    def __str__(self):
        return "%s（%s）" % (self.surface, self.reading)

    def clean(self):
        self.surface = (self.surface or "").strip()
        self.reading = to_hiragana((self.reading or "").strip()).replace(" ", "")
        errors = {}
        if self.surface and not has_kanji(self.surface):
            errors["surface"] = _("The written form must contain a kanji.")
        if self.reading and not all(
            "\u3041" <= ch <= "\u309f" or ch == "ー" for ch in self.reading
        ):
            errors["reading"] = _("Write the reading in hiragana only, e.g. みどりちょう.")
        if errors:
            raise ValidationError(errors)
