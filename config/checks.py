"""System checks of the deployment (``manage.py check --deploy``)."""

import contextlib
import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.utils.translation import gettext as _


def site_url_problem(url: str | None = None) -> str:
    """Why citizens could not open ``url`` (``SITE_URL``, printed on every letter and in
    every e-mail), or "" when they can: not HTTPS, or this machine's own address."""
    parts = urlsplit(settings.SITE_URL if url is None else url)
    host = (parts.hostname or "").lower()
    local = host in ("", "localhost") or host.endswith(".localhost")
    with contextlib.suppress(ValueError):  # a name, not an address
        local = local or ipaddress.ip_address(host).is_loopback
    if local:
        return _("it is this machine's own address (%(url)s)") % {"url": settings.SITE_URL}
    if parts.scheme != "https":
        return _("it is not an HTTPS address (%(url)s)") % {"url": settings.SITE_URL}
    return ""


@register(Tags.security, deploy=True)
def check_site_url(app_configs, **kwargs):
    problem = site_url_problem()
    if settings.DEBUG or not problem:
        return []
    return [
        Error(
            "SITE_URL cannot be opened by citizens: %s." % problem,
            hint="Set SITE_URL to the public HTTPS address before letters are printed or "
            "e-mails sent: letters carry it in print and in their QR code.",
            id="madoguchi.E001",
        )
    ]
