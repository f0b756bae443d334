"""Security headers Django 5.2 does not set by itself: a Content-Security-Policy without
inline script or style, and a Permissions-Policy.

Every page loads its scripts and styles from ``static/`` (no CDN, no inline code), so
the policy allows 'self' only. The Django admin keeps inline style attributes in some
widgets: there, and only there, styles may be inline (scripts never).

Why not django-csp: it would replace the two policy strings and the ``setdefault`` below,
but the one per-view exception the app has (the kiosk's camera) is a Permissions-Policy,
which django-csp does not write, and the app uses no nonces or report endpoints. These
40 lines read as the policy itself; a library would add settings to read instead.
"""

POLICY = "; ".join(
    [
        "default-src 'self'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
        "img-src 'self' data:",
        "script-src 'self'",
        "style-src 'self'",
        "connect-src 'self'",
    ]
)
ADMIN_POLICY = POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
PERMISSIONS = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
# The check-in kiosk's start page reads the booking's QR code with the tablet's camera:
# that page alone may ask for it (its own origin, no frame).
CAMERA_PERMISSIONS = PERMISSIONS.replace("camera=()", "camera=(self)")


def allow_camera(response):
    """Let this one response's page use the camera; every other page keeps camera=()."""
    response.headers["Permissions-Policy"] = CAMERA_PERMISSIONS
    return response


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = ADMIN_POLICY if request.path.startswith("/admin/") else POLICY
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS)
        return response
