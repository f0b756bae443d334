"""Writes of the organisation app: departments, staff members and their role groups,
and the access log of personal-data views and admin changes."""

import hashlib
import ipaddress
import json
from collections.abc import Iterable

from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import translation
from django.utils.text import capfirst

from organization import furigana
from organization.http import client_ip
from organization.models import (
    ADMIN_SITE_ROLES,
    AccessKind,
    AccessLog,
    Department,
    ReadingCorrection,
    Role,
    SiteSettings,
    StaffMember,
)
from organization.roles import ROLE_GROUP_NAMES, role_permissions


@transaction.atomic
def role_groups_ensure() -> dict[str, Group]:
    """Create the four role groups and set their permissions to exactly those the apps'
    ``roles`` modules grant (``organization.roles.role_permissions``).

    Idempotent; runs after every ``migrate`` so new apps' permissions reach the groups.
    """
    groups = {}
    grants = role_permissions()
    for role, group_name in ROLE_GROUP_NAMES.items():
        group, _created = Group.objects.get_or_create(name=group_name)
        wanted = []
        for dotted in grants[role]:
            app_label, codename = dotted.split(".", 1)
            wanted.extend(
                Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(wanted)
        groups[role] = group
    return groups


@transaction.atomic
def department_upsert(
    *,
    code: str,
    name: str,
    phone: str = "",
    location: str = "",
    display_order: int = 100,
    **translations: str,
) -> Department:
    """Create or change a department by code. ``name`` and ``location`` are the Japanese;
    ``translations`` the other languages' columns (``name_en``, ``location_ko`` …);
    an empty translation is stored as missing (NULL) and falls back to the Japanese."""
    allowed = {
        "%s_%s" % (field, code_.replace("-", "_"))
        for field in ("name", "location")
        for code_, _name in settings.LANGUAGES
        if code_ != "ja"
    }
    unknown = set(translations) - allowed
    if unknown:
        raise TypeError("Unknown department texts: %s" % ", ".join(sorted(unknown)))
    department, _created = Department.objects.update_or_create(
        code=code,
        defaults={
            "name_ja": name,
            "location_ja": location or None,
            "phone": phone,
            "display_order": display_order,
            **{column: value or None for column, value in translations.items()},
        },
    )
    department.full_clean()
    return department


@transaction.atomic
def department_set_head(*, department: Department, head: StaffMember | None) -> Department:
    department.head = head
    department.full_clean()
    department.save(update_fields=["head"])
    return department


def _sync_role_access(user, role: str) -> None:
    """Put the user in exactly the group of their role; admin site only for some roles."""
    role_groups = Group.objects.filter(name__in=ROLE_GROUP_NAMES.values())
    user.groups.remove(*role_groups)
    group, _created = Group.objects.get_or_create(name=ROLE_GROUP_NAMES[Role(role)])
    user.groups.add(group)
    is_staff = user.is_superuser or role in ADMIN_SITE_ROLES
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])


@transaction.atomic
def staff_member_assign(*, user, department: Department, role: str) -> StaffMember:
    """Make ``user`` a staff member of ``department`` with ``role`` (create or update).

    Side effects: the user's role group and admin-site access follow the role.
    """
    # Checked before it is written (a department's head is not moved out of it).
    staff_member = StaffMember.objects.filter(user=user).first() or StaffMember(user=user)
    staff_member.department, staff_member.role = department, role
    staff_member.full_clean()
    staff_member.save()
    _sync_role_access(user, role)
    return staff_member


@transaction.atomic
def staff_member_create(
    *,
    username: str,
    password: str,
    department: Department,
    role: str,
    last_name: str = "",
    first_name: str = "",
    email: str = "",
) -> StaffMember:
    """Create (or update, by username) a login and its staff profile."""
    user_model = get_user_model()
    user, _created = user_model.objects.get_or_create(username=username)
    user.last_name = last_name
    user.first_name = first_name
    user.email = email
    user.is_active = True
    user.set_password(password)
    user.save()
    return staff_member_assign(user=user, department=department, role=role)


# --- The access log ---------------------------------------------------------------------

# The keys of a list page's objects in AccessLog.detail are separated by this.
ID_SEPARATOR = " "

_ADMIN_KINDS = {
    ADDITION: (AccessKind.ADMIN_ADD, "add"),
    CHANGE: (AccessKind.ADMIN_CHANGE, "change"),
    DELETION: (AccessKind.ADMIN_DELETE, "delete"),
}


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def access_log_read(
    request_or_user,
    *,
    objects: Iterable[models.Model],
    view: str | None = None,
    once_within: int = 0,
) -> int:
    """Record that a staff member was shown the personal data of ``objects`` (model
    instances: a booking, a resident, a complaint…). Call it from every page that shows
    a citizen's name, kana, contact or address, after the objects are loaded.

    ``request_or_user``: the request (user, page's URL name and client address are taken
    from it) or, outside a request, the user — then ``view`` must name the page.
    One entry per object type, whatever the number of objects: one object's key goes in
    ``object_id``; a list's keys go in ``detail``. Objects without a key (unsaved
    samples) are skipped; nothing is written when nothing is left. ``once_within``
    (seconds): a page that refreshes itself (the counter queue, every 5 s) writes the
    same user, page and objects once in that time, not on every refresh.
    Returns the number of entries written (one INSERT for all of them).
    """
    if isinstance(request_or_user, HttpRequest):
        request = request_or_user
        user = request.user
        match = request.resolver_match
        view = view or (match.view_name if match else request.path)[:100]
        ip = _valid_ip(client_ip(request))
    else:
        user, ip = request_or_user, None
    if not view:
        raise ValueError("access_log_read needs the page's name outside a request")
    keys_by_type: dict[str, dict[str, None]] = {}
    for obj in objects:
        if obj is not None and obj.pk is not None:
            keys_by_type.setdefault(obj._meta.label_lower, {})[str(obj.pk)] = None
    entries = []
    for object_type, keys in keys_by_type.items():
        keys = list(keys)
        if once_within and not _first_within(once_within, user, view, object_type, keys):
            continue
        single = len(keys) == 1
        entries.append(
            AccessLog(
                user=user,
                kind=AccessKind.PERSONAL_DATA_READ,
                object_type=object_type,
                object_id=keys[0] if single else "",
                view=view,
                detail="" if single else ID_SEPARATOR.join(keys),
                ip=ip,
            )
        )
    AccessLog.objects.bulk_create(entries)
    return len(entries)


def _first_within(seconds: int, user, view: str, object_type: str, keys: list[str]) -> bool:
    """True for the first call with these arguments in ``seconds``, kept in the shared
    cache so every web worker agrees (an atomic add: two refreshes are not both first).
    When the cache does not answer (add refuses, get misses: config/cache.py rides out
    Redis outages) it says True: an entry too many, never a view unlogged."""
    digest = hashlib.sha256(ID_SEPARATOR.join(keys).encode()).hexdigest()[:32]
    key = "access-log:%s:%s:%s:%s" % (user.pk, view, object_type, digest)
    return cache.add(key, True, timeout=seconds) or cache.get(key) is None


def access_log_admin_change(
    *, entries: Iterable[LogEntry], view: str | None = None
) -> list[AccessLog]:
    """Copy admin changes (Django's LogEntry rows, saved or not) into the append-only
    access log: who, when, which object (type and key) and, for a change, the names of
    the fields changed. Never the object's text (``object_repr``, a resident's name)
    nor any value. Called for every LogEntry the admin writes (organization/signals.py)."""
    rows = []
    for entry in entries:
        kind, action = _ADMIN_KINDS.get(entry.action_flag, (AccessKind.ADMIN_CHANGE, "change"))
        object_type, view_name = "", view or "admin"
        if entry.content_type_id:
            content_type = ContentType.objects.get_for_id(entry.content_type_id)
            object_type = "%s.%s" % (content_type.app_label, content_type.model)
            view_name = view or "admin:%s_%s_%s" % (
                content_type.app_label,
                content_type.model,
                action,
            )
        rows.append(
            AccessLog(
                at=entry.action_time,
                user_id=entry.user_id,
                kind=kind,
                object_type=object_type,
                object_id=str(entry.object_id or "")[:64],
                view=view_name[:100],
                detail=change_summary(
                    entry.change_message,
                    model=content_type.model_class() if entry.content_type_id else None,
                ),
            )
        )
    return AccessLog.objects.bulk_create(rows)


def _field_labels(model) -> dict[str, str]:
    """The admin's change message names fields by their English label ("From", "First
    name", "Rule [ja]"), which Django translates again when read, by whatever msgid the
    label happens to match ("From" → 変更前). Label as written → the field's own verbose
    name in the site's language, for ``model``'s fields."""
    if model is None:
        return {}
    fields = [f for f in model._meta.get_fields() if hasattr(f, "verbose_name")]
    with translation.override(None):
        written = [capfirst(str(f.verbose_name)) for f in fields]
    with translation.override(settings.LANGUAGE_CODE):
        return {
            label: capfirst(str(f.verbose_name)) for label, f in zip(written, fields, strict=True)
        }


def change_summary(change_message: str, *, model=None) -> str:
    """The admin's change message with field names only, in the site's language: "Changed
    name and phone." The names of inline objects (which may be a citizen's name) become
    "…"; a free-text message (not the admin's JSON) is not copied at all. ``model``: the
    changed object's, whose fields are named as its forms name them."""
    if not change_message:
        return ""
    try:
        parts = json.loads(change_message)
    except ValueError:
        return ""
    if not isinstance(parts, list):
        return ""
    labels = _field_labels(model)
    for part in parts:
        for value in part.values() if isinstance(part, dict) else ():
            if isinstance(value, dict) and "object" in value:
                value["object"] = "…"
            if isinstance(value, dict) and isinstance(value.get("fields"), list):
                value["fields"] = [labels.get(str(f), f) for f in value["fields"]]
    try:
        with translation.override(settings.LANGUAGE_CODE):
            return LogEntry(change_message=json.dumps(parts)).get_change_message()
    except (AttributeError, KeyError, TypeError):
        return ""


# --- The city's identity ----------------------------------------------------------------

# The texts are translated (organization/translation.py): one column per language,
# ``city_name_ja`` … ``city_name_pt_br``; the plain name (``city_name``) means Japanese.
SITE_SETTINGS_TEXTS = (
    "city_name", "address", "opening_hours", "privacy_notice", "accessibility_statement",
)  # fmt: skip
SITE_SETTINGS_FIELDS = frozenset(
    {"phone", "website"}
    | {
        "%s_%s" % (text, code.replace("-", "_"))
        for text in SITE_SETTINGS_TEXTS
        for code, _name in settings.LANGUAGES
    }
)


@transaction.atomic
def site_settings_update(*, logo=None, remove_logo: bool = False, **fields) -> SiteSettings:
    """Change the one site-settings record (made on first use) and clear its cache.

    ``fields``: any of ``SITE_SETTINGS_FIELDS``; ``logo``: an ``organization.logo.Logo``
    already cleaned by ``logo_clean``; ``remove_logo``: drop the logo. Raises
    ``ValidationError`` for invalid values (nothing is saved). Saving clears the cache now
    and again when the transaction commits, so no page caches the old record meanwhile.
    """
    fields = {
        (name + "_ja" if name in SITE_SETTINGS_TEXTS else name): value
        for name, value in fields.items()
    }
    unknown = set(fields) - SITE_SETTINGS_FIELDS
    if unknown:
        raise TypeError("Unknown site settings: %s" % ", ".join(sorted(unknown)))
    record = SiteSettings.objects.select_for_update().filter(pk=SiteSettings.SINGLETON_ID).first()
    if record is None:
        record = SiteSettings(pk=SiteSettings.SINGLETON_ID)
    for name, value in fields.items():
        setattr(record, name, value)
    if remove_logo:
        record.logo, record.logo_type, record.logo_version = b"", "", ""
    if logo is not None:
        record.logo, record.logo_type, record.logo_version = (
            logo.content,
            logo.content_type,
            logo.version,
        )
    record.full_clean()
    record.save()  # clears the cache, now and on commit
    return record


def reading_correction_save(*, correction: ReadingCorrection) -> ReadingCorrection:
    """Save a furigana reading (validated); plain-Japanese pages use it from then on."""
    correction.full_clean()
    with transaction.atomic():
        correction.save()
        # At once for this process, and again after the commit for the others (a page
        # rendered meanwhile may have cached the old readings).
        furigana.corrections_changed()
        transaction.on_commit(furigana.corrections_changed)
    return correction


def reading_corrections_delete(*, corrections: Iterable[ReadingCorrection]) -> int:
    ids = [correction.pk for correction in corrections]
    with transaction.atomic():
        deleted, _by_model = ReadingCorrection.objects.filter(pk__in=ids).delete()
        furigana.corrections_changed()
        transaction.on_commit(furigana.corrections_changed)
    return deleted
