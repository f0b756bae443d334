from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config import health
from organization import selectors as organization_selectors
from reservations import selectors as reservation_selectors


@require_GET
def home(request):
    return render(
        request,
        "home.html",
        {
            "departments": organization_selectors.department_list_public(),
            "procedures": reservation_selectors.procedure_list_public(),
        },
    )


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
