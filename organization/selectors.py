"""Reads of the organisation app."""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext as _

from organization.models import SITE_SETTINGS_CACHE_KEY, Department, SiteSettings, StaffMember

logger = logging.getLogger("madoguchi.site_settings")


def department_list_public() -> QuerySet[Department]:
    """Departments with where to find them, for the public pages (no staff names)."""
    return Department.objects.only("code", "name", "phone", "location")


def department_directory() -> QuerySet[Department]:
    """Departments with their head and number of active staff, for staff pages."""
    # The order named again: a query with GROUP BY drops the model's own.
    return (
        Department.objects.select_related("head__user")
        .annotate(staff_count=Count("members", filter=Q(members__user__is_active=True)))
        .order_by(*Department._meta.ordering)
    )


def staff_member_for_user(user) -> StaffMember | None:
    if not user.is_authenticated:
        return None
    try:
        return StaffMember.objects.select_related("department").get(user=user)
    except StaffMember.DoesNotExist:
        return None


def department_members(*, department: Department) -> QuerySet[StaffMember]:
    return StaffMember.objects.filter(department=department, user__is_active=True).select_related(
        "user"
    )


# --- The city's identity ----------------------------------------------------------------

# The cache is cleared when the record is saved; the timeout only bounds how long a
# process-local cache (embedded mode) may lag behind an edit made in another process.
SITE_SETTINGS_CACHE_SECONDS = 300
_FIELDS = SiteSettings._meta.concrete_fields
_FIELD_NAMES = [f.attname for f in _FIELDS]
# Everything but the logo's bytes (served by its own view): pages read this on every request.
_CACHED_FIELDS = [name for name in _FIELD_NAMES if name != "logo"]
# The last record this process read, for error pages that must not touch the database.
_last_known: SiteSettings | None = None
# The settings the defaults come from (CITY_NAME…), for a field the record leaves empty.
_SETTINGS_DEFAULTS = list(
    dict.fromkeys(f.default for f in _FIELDS if f.has_default() and callable(f.default))
)
# The record last built, with what it was built from: pages, e-mails and letters only read
# it, and building it (modeltranslation's fields) took a tenth of a details page's time.
_built: tuple[tuple, SiteSettings] | None = None


def _from_values(values: dict) -> SiteSettings:
    """The record from its cached values (the logo's bytes empty), built as Django
    builds a row read from the database: positional values, about five times cheaper
    than keyword arguments, for which modeltranslation works out every translated
    field's default. A field the cached values lack (cached by an older release) takes
    its default."""
    row = [values[f.attname] if f.attname in values else f.get_default() for f in _FIELDS]
    return SiteSettings.from_db(None, _FIELD_NAMES, row)


def site_settings() -> SiteSettings:
    """The city's name, contact, hours and texts, for every page, e-mail and letter.

    From the cache; else from the database (and cached); else, before an administrator
    has saved them, the defaults (``CITY_NAME``, ``CITY_HALL_ADDRESS``, standard texts).
    Never fails: with the database unreachable a page still gets the last known record or
    the defaults. The logo's bytes are not loaded (``site_logo``).
    """
    global _last_known
    values = cache.get(SITE_SETTINGS_CACHE_KEY)
    if values is None:
        try:
            row = SiteSettings.objects.filter(pk=SiteSettings.SINGLETON_ID).values(*_CACHED_FIELDS)
            values = next(iter(row), None)
        except Exception:  # a page must render even while the database is away
            logger.warning("Site settings unavailable, showing the last known ones")
            return _last_known or SiteSettings()
        # No record yet is cached too (as {}): every page and e-mail would otherwise ask
        # the database for it until an administrator saves one (the save clears it).
        values = values or {}
        cache.set(SITE_SETTINGS_CACHE_KEY, values, SITE_SETTINGS_CACHE_SECONDS)
    _last_known = _record(values)
    return _last_known


def _record(values: dict) -> SiteSettings:
    """The record of these cached values ({}: none saved yet, the defaults), built once
    for as long as they and the settings of the defaults stay the same."""
    global _built
    source = (values, tuple(default() for default in _SETTINGS_DEFAULTS))
    if _built is None or _built[0] != source:
        _built = (source, _from_values(values) if values else SiteSettings())
    return _built[1]


def site_settings_without_database() -> SiteSettings:
    """For the 500 and 503 pages: the cached record, else the last one this process read,
    else the defaults. Reads no database and raises nothing."""
    try:
        values = cache.get(SITE_SETTINGS_CACHE_KEY)
    except Exception:
        values = None
    if values is not None:  # {}: cached, no record yet
        return _record(values)
    return _last_known or SiteSettings()


def site_logo() -> tuple[bytes, str, str] | None:
    """The logo's bytes, content type and version, or None when there is no logo."""
    row = (
        SiteSettings.objects.filter(pk=SiteSettings.SINGLETON_ID)
        .exclude(logo_type="")
        .values_list("logo", "logo_type", "logo_version")
        .first()
    )
    if row is None:
        return None
    return bytes(row[0]), row[1], row[2]


def duration_in_days(days: int) -> str:
    """For example "3 years (1095 days)" or "183 days": whole years where the days make them."""
    in_days = ngettext("%(days)s day", "%(days)s days", days) % {"days": days}
    if days >= 365 and days % 365 == 0:
        years = days // 365
        in_years = ngettext("%(years)d year", "%(years)d years", years) % {"years": years}
        return gettext("%(years)s (%(days)s)") % {"years": in_years, "days": in_days}
    return in_days


def retention_periods() -> list[tuple[str, str]]:
    """What is kept how long, from the settings in force, for the privacy notice."""
    longest_rate_limit = max(
        (period for _count, period in settings.RATE_LIMITS.values()), default=0
    )
    minutes = max(1, longest_rate_limit // 60)
    return [
        (
            _(
                "Your name, kana, e-mail address, telephone number and survey comment, and the "
                "names and addresses of residents sent renewal letters"
            ),
            _("deleted %(period)s after the booking, visit or letter they belong to")
            % {"period": duration_in_days(settings.PERSONAL_DATA_RETENTION_DAYS)},
        ),
        (
            _("Complaints and requests for improvement"),
            _("the complainant's name and contact are deleted %(period)s after the case is closed")
            % {"period": duration_in_days(settings.PERSONAL_DATA_RETENTION_DAYS)},
        ),
        (
            _("Satisfaction survey"),
            _("open for answers for %(period)s after your visit")
            % {"period": duration_in_days(settings.SURVEY_OPEN_DAYS)},
        ),
        (
            _("Missed appointments (no-shows)"),
            _("counted over the last %(period)s for the rule on confirming bookings by e-mail")
            % {"period": duration_in_days(settings.NO_SHOW_POLICY_DAYS)},
        ),
        (
            _("Your connection's IP address"),
            ngettext(
                "kept for at most %(minutes)d minute, to limit repeated requests",
                "kept for at most %(minutes)d minutes, to limit repeated requests",
                minutes,
            )
            % {"minutes": minutes},
        ),
        (
            _("Statistics (numbers of visits, waiting times, satisfaction scores)"),
            _("kept without names or contacts, to improve the counter"),
        ),
    ]
