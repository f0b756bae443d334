import sys
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_GET

from config import health
from config.outages import SERVICE_DOWN
from organization import selectors as organization_selectors
from organization.http import NotFound
from organization.selectors import site_settings_without_database
from reservations import selectors as reservation_selectors
from reservations.ratelimit import rate_limited


@require_GET
@rate_limited("availability")
def home(request):
    return render(
        request,
        "home.html",
        {
            "departments": organization_selectors.department_list_public(),
            "procedures": reservation_selectors.procedure_list_public(),
        },
    )


@require_GET
def favicon(request):
    """/favicon.ico, which browsers ask for whatever the page says: served from static,
    cached for a day."""
    path = Path(settings.BASE_DIR) / "static" / "favicon.ico"
    response = FileResponse(path.open("rb"), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@never_cache
@require_GET
def healthz(request):
    """200 when the database (and Redis, where configured) answer; 503 otherwise."""
    checks = {"database": health.check_database(), "redis": health.check_redis()}
    healthy = all(reason is None for reason in checks.values())
    body = {
        "status": "ok" if healthy else "unavailable",
        "checks": {name: reason or "ok" for name, reason in checks.items()},
    }
    return JsonResponse(body, status=200 if healthy else 503)


RETRY_AFTER_SECONDS = 5


def _error_page(template_name: str) -> str:
    """The page with the city's name and phone as cached (never the database, never the
    request, so no personal data), or without them should even that fail."""
    from django.utils.translation import get_language

    from config.languages import html_lang

    template = loader.get_template(template_name)
    language = {"html_lang": html_lang(get_language())}
    try:
        return template.render({"site_settings": site_settings_without_database(), **language})
    except Exception:
        return template.render(language)


@requires_csrf_token
def page_not_found(request, exception):
    """404, with the message of a ``NotFound`` (written for the reader: "This booking
    link is not valid…"); other 404s show the page's own words only."""
    message = str(exception) if isinstance(exception, NotFound) else ""
    return render(request, "404.html", {"message": message}, status=404)


def server_error(request):
    """500, or 503 "try again in a few seconds" when a service was down.

    Rendered without context processors (they may need the database that just failed);
    like Django's own 500 view.
    """
    if isinstance(sys.exc_info()[1], SERVICE_DOWN):
        response = HttpResponse(_error_page("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    try:
        return HttpResponseServerError(_error_page("500.html"))
    except Exception:
        return defaults.server_error(request)
