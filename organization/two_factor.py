"""The second factor for managers and administrators (TOTP, django-otp).

After the password, such a user must enter a six-digit code from an authenticator app;
the first time, they enrol the app by scanning a QR code. Until then every staff page
sends them to the enrolment or verification page.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import user_has_device

from organization.models import Role

ROLES_REQUIRING = frozenset({Role.MANAGER, Role.ADMINISTRATOR})
# Pages a user may open before the second factor: the two-factor pages themselves,
# logging out, the language switch, and everything a citizen may open anyway.
OPEN_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/healthz")


def requires_second_factor(user) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    member = getattr(user, "staff_member", None)
    return member is not None and member.role in ROLES_REQUIRING


class TwoFactorRequiredMiddleware:
    """Send managers and administrators without a verified second factor to enrol or
    verify before any staff page or the admin. Citizen pages stay open to them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.TWO_FACTOR_REQUIRED
            and request.path.startswith(
                ("/staff/", "/counter/", "/complaints/", "/notices/", "/dashboards/", "/admin/")
            )
            and requires_second_factor(request.user)
            and not request.user.is_verified()
        ):
            name = "two_factor_verify" if user_has_device(request.user) else "two_factor_setup"
            return redirect(reverse(name) + "?" + urlencode({"next": request.get_full_path()}))
        return self.get_response(request)
