"""Kiosk devices: a browser enrolled as the waiting area's check-in kiosk.

The browser keeps only the token (an HttpOnly cookie); the database keeps its SHA-256.
"""

import datetime as dt
import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organization.models import StaffMember
from reservations.models import KioskDevice

# last_seen_at is written at most this often per device: the kiosk polls nothing, but
# every check-in would otherwise be a second write.
LAST_SEEN_EVERY = dt.timedelta(minutes=1)


def kiosk_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def kiosk_device_enrol(
    *,
    name: str,
    by_staff: StaffMember | None,
    replacing: KioskDevice | None = None,
    now: dt.datetime | None = None,
) -> tuple[KioskDevice, str]:
    """Enrol a browser as a kiosk; returns the device and its token (shown once: the
    caller puts it in the browser's cookie, nothing else keeps it). ``replacing``, the
    browser's previous kiosk credential, is revoked in the same transaction."""
    now = now or timezone.now()
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Give the kiosk a name."))
    token = secrets.token_urlsafe(32)
    device = KioskDevice(
        name=name,
        token_hash=kiosk_token_hash(token),
        created_by=by_staff,
        created_at=now,
    )
    device.full_clean()
    if replacing is not None:
        kiosk_devices_revoke(devices=[replacing], now=now)
    device.save()
    return device, token


@transaction.atomic
def kiosk_devices_revoke(*, devices, now: dt.datetime | None = None) -> int:
    """Revoke kiosk devices (already revoked ones keep their first revocation time);
    returns how many were revoked now."""
    now = now or timezone.now()
    return KioskDevice.objects.filter(
        pk__in=[device.pk for device in devices], revoked_at__isnull=True
    ).update(revoked_at=now)


def kiosk_device_seen(*, device: KioskDevice, now: dt.datetime | None = None) -> None:
    """Record that the kiosk is in use (at most once a minute, one UPDATE)."""
    now = now or timezone.now()
    if device.last_seen_at and now - device.last_seen_at < LAST_SEEN_EVERY:
        return
    KioskDevice.objects.filter(pk=device.pk).update(last_seen_at=now)
    device.last_seen_at = now
