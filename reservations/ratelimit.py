"""Per-IP rate limits for the citizen pages, counted in the cache (Redis on servers)."""

import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

from organization.http import client_ip


def hit(scope: str, ip: str) -> bool:
    """Count one request; False when the client is over the limit for this window."""
    limit, period = settings.RATE_LIMITS[scope]
    window = int(time.time() // period)
    key = "ratelimit:%s:%s:%s" % (scope, ip, window)
    # One round trip for all but the first request of a window; add() is atomic, so
    # only one request creates the counter.
    try:
        count = cache.incr(key)
    except ValueError:  # the first request of this window
        count = 1 if cache.add(key, 1, timeout=period + 5) else cache.incr(key)
    return count <= limit


def rate_limited(scope: str, *, methods: tuple[str, ...] = ("GET", "POST")):
    """Answer 429 with a page that says how long to wait, once over the scope's limit."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method in methods and not hit(scope, client_ip(request)):
                _limit, period = settings.RATE_LIMITS[scope]
                response = render(
                    request,
                    "reservations/rate_limited.html",
                    {"minutes": max(1, period // 60)},
                    status=429,
                )
                response["Retry-After"] = str(period)
                return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
