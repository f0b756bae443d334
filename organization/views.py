"""Organization's own pages: the login lock-out, the second factor, and the city's
identity (privacy notice, accessibility statement, logo). The staff home, which reads
every app, is ``config.home``."""

from base64 import b32encode

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from config.documents import qr_svg
from organization import selectors
from organization.forms import CodeForm
from organization.http import safe_next


def locked_out(request, credentials, *args, **kwargs):
    """The page django-axes shows instead of logging in, after too many wrong passwords
    (status 429: the same for a right password until the lock ends)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/locked_out.html", {"cooloff_minutes": minutes}, status=429)


# --- Second factor (managers and administrators) -------------------------------------

MAX_CODE_ATTEMPTS = 5


def _safe_next(request) -> str:
    return safe_next(request, "/staff/")


def _code_refused(request, form) -> None:
    """Count a wrong code; after MAX_CODE_ATTEMPTS the session ends (password again)."""
    attempts = request.session.get("two_factor_failures", 0) + 1
    request.session["two_factor_failures"] = attempts
    form.add_error("code", _("This code is not right. Codes change every 30 seconds."))
    if attempts >= MAX_CODE_ATTEMPTS:
        logout(request)


def _code_page(request, template: str, check, context: dict | None = None):
    """The page that asks for one six-digit code. `check(code)` returns the device the code
    belongs to (or None): a right code completes the login, a wrong one is counted."""
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = check(form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            request.session.pop("two_factor_failures", None)
            return redirect(_safe_next(request))
        _code_refused(request, form)
        if not request.user.is_authenticated:
            return redirect("login")
    return render(
        request,
        template,
        {"form": form, "next": _safe_next(request), **(context or {})},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required
def two_factor_setup(request):
    """Enrol an authenticator app: a new secret as a QR code, confirmed by one code."""
    if user_has_device(request.user):
        return redirect("two_factor_verify")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name="authenticator", confirmed=False)

    def confirm(code):
        if not device.verify_token(code):
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        return device

    return _code_page(
        request,
        "registration/two_factor_setup.html",
        confirm,
        {"qr": qr_svg(device.config_url), "secret": b32encode(device.bin_key).decode()},
    )


@require_http_methods(["GET", "POST"])
@login_required
def two_factor_verify(request):
    """The six-digit code after the password."""
    if not user_has_device(request.user):
        return redirect("two_factor_setup")
    return _code_page(
        request,
        "registration/two_factor_verify.html",
        lambda code: match_token(request.user, code),
    )


# --- The city's identity: privacy notice, accessibility statement, logo ---------------


@require_safe
def privacy(request):
    """The privacy notice (APPI art. 62): the city's text or the standard one, with the
    retention periods in force and the contact."""
    return render(
        request, "organization/privacy.html", {"retention": selectors.retention_periods()}
    )


@require_safe
def accessibility(request):
    return render(request, "organization/accessibility.html")


# Only the drawing: no script, no loads, not even from this site. Inline styles stay
# allowed because SVG logos carry their colours in style attributes.
LOGO_POLICY = {
    "image/svg+xml": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    "image/png": "default-src 'none'; frame-ancestors 'none'",
}


@require_safe
def site_logo(request):
    """The city's logo, from the database so that every web host serves it. With the
    current version in ``?v=`` it may be cached for a year (the URL changes with it)."""
    logo = selectors.site_logo()
    if logo is None:
        raise Http404("No logo")
    content, content_type, version = logo
    etag = '"%s"' % version
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(content, content_type=content_type)
        extension = "svg" if content_type == "image/svg+xml" else "png"
        response["Content-Disposition"] = 'inline; filename="logo.%s"' % extension
    response["ETag"] = etag
    response["Content-Security-Policy"] = LOGO_POLICY[content_type]
    response["X-Content-Type-Options"] = "nosniff"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    if request.GET.get("v") == version:
        patch_cache_control(response, public=True, max_age=365 * 24 * 3600, immutable=True)
    else:
        patch_cache_control(response, public=True, max_age=300)
    return response
