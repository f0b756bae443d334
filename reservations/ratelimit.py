"""Rate limits for the citizen pages, counted in the cache (Redis on servers).

A sliding window: the count of the current fixed window plus the previous window's,
weighted by how much of it still lies within the last ``period`` seconds (so a burst at
a window's edge is not let through twice). A refused request is not counted: a person
who waits as asked gets in again; nor is a request that failed because a service was
down (``counted``): the 503 page asks to send it again. Keys are per client address, or
per contact (an e-mail address or phone number, hashed: no personal data in cache keys).
"""

import contextlib
import hashlib
import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

from config.outages import SERVICE_DOWN
from organization.http import client_ip
from reservations.contact import city_contact


def _key(scope: str, who: str, window: int) -> str:
    digest = hashlib.sha256(who.encode()).hexdigest()[:32]
    return "ratelimit:%s:%s:%d" % (scope, digest, window)


def hit(scope: str, who: str, *, now: float | None = None) -> bool:
    """Count one request of ``who``; False (and not counted) when over the limit."""
    if scope not in settings.RATE_LIMITS:  # a test that lifts the limits
        return True
    limit, period = settings.RATE_LIMITS[scope]
    now = time.time() if now is None else now
    window = int(now // period)
    key = _key(scope, who, window)
    # One round trip for all but the first request of a window; add() is atomic, so
    # only one request creates the counter.
    try:
        count = cache.incr(key)
    except ValueError:  # the first request of this window
        count = 1 if cache.add(key, 1, timeout=2 * period + 5) else cache.incr(key)
    previous = cache.get(_key(scope, who, window - 1)) or 0
    weight = 1 - (now % period) / period
    if count + previous * weight <= limit:
        return True
    with contextlib.suppress(ValueError):
        cache.decr(key)
    return False


def undo(scope: str, who: str, *, now: float | None = None) -> None:
    """Take back a counted request (another limit refused it after all)."""
    if scope not in settings.RATE_LIMITS:
        return
    _limit, period = settings.RATE_LIMITS[scope]
    now = time.time() if now is None else now
    with contextlib.suppress(ValueError):
        cache.decr(_key(scope, who, int(now // period)))


def _hit_all_at_once(hits: list[tuple[str, str]], count_hits) -> str | None:
    """``hit_all`` in one cache round trip (Redis: a pipeline). Every scope is counted,
    then each refused one and, when any refused, the others are taken back."""
    now = time.time()
    entries, counters = [], []
    for scope, who in hits:
        if scope not in settings.RATE_LIMITS:
            continue
        limit, period = settings.RATE_LIMITS[scope]
        window = int(now // period)
        weight = 1 - (now % period) / period
        entries.append((scope, limit, weight))
        counters.append((_key(scope, who, window), _key(scope, who, window - 1), 2 * period + 5))
    if not counters:
        return None
    counts = count_hits(counters)
    refused = None
    for (scope, limit, weight), (count, previous) in zip(entries, counts, strict=True):
        if count + previous * weight > limit:
            refused = scope
            break
    if refused is not None:
        for key, _previous_key, _timeout in counters:
            with contextlib.suppress(ValueError):
                cache.decr(key)
    return refused


def hit_all(hits: list[tuple[str, str]]) -> str | None:
    """Count one request under each (scope, who); the scope that refused, or None. A
    refusal takes back what the others counted."""
    count_hits = getattr(cache, "count_hits", None)
    if count_hits is not None:
        return _hit_all_at_once(hits, count_hits)
    counted = []
    for scope, who in hits:
        if not hit(scope, who):
            undo_all(counted)
            return scope
        counted.append((scope, who))
    return None


def undo_all(hits: list[tuple[str, str]]) -> None:
    """Take back what ``hit_all`` counted for these (scope, who)."""
    for scope, who in hits:
        undo(scope, who)


@contextlib.contextmanager
def counted(hits: list[tuple[str, str]]):
    """Around the work the counted request does: when it fails because a service was
    down (the database restarting, Redis away), the request is taken back, so a citizen
    who sends it again, as the 503 page asks, is not refused for the outage's tries."""
    try:
        yield
    except SERVICE_DOWN:
        with contextlib.suppress(*SERVICE_DOWN):
            undo_all(hits)
        raise


def too_many(
    request, scope: str, *, back_url: str = "", form_kept: bool = False, unchanged: bool = False
):
    """The 429 page: how long to wait, where to go back to, and whom to call;
    ``unchanged``: a refused form (cancel, change of time) says that nothing changed."""
    _limit, period = settings.RATE_LIMITS.get(scope, (0, 60))
    response = render(
        request,
        "reservations/rate_limited.html",
        {
            "minutes": max(1, period // 60),
            "back_url": back_url,
            "form_kept": form_kept,
            "unchanged": unchanged,
            "contact": city_contact(),
        },
        status=429,
    )
    response["Retry-After"] = str(period)
    return response


def rate_limited(scope: str, *, methods: tuple[str, ...] = ("GET", "POST")):
    """Answer 429 with a page that says how long to wait, once over the scope's limit
    for the client's address."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method not in methods:
                return view(request, *args, **kwargs)
            hits = [(scope, client_ip(request))]
            if hit_all(hits):
                # Back to the same page: for a refused form (a POST) its GET shows it again.
                return too_many(
                    request,
                    scope,
                    back_url=request.get_full_path(),
                    unchanged=request.method != "GET",
                )
            with counted(hits):
                return view(request, *args, **kwargs)

        return wrapper

    return decorator
