"""Small helpers on requests, shared by the apps."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


class NotFound(Http404):
    """A 404 whose message the page shows: a sentence written for the reader (and
    translated), e.g. "This booking link is not valid". Other 404s (Django's "No …
    matches the given query", an unknown address) show the page's own words only."""


def client_ip(request) -> str:
    """The client's address: the peer's, or the one FORWARDED_FOR_HOPS proxies in front
    of the app put into X-Forwarded-For ("unknown" when neither is there)."""
    hops = settings.FORWARDED_FOR_HOPS
    if hops:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [p for p in forwarded if p]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "unknown")


# The largest key a database id column holds (SQLite INTEGER, PostgreSQL bigint).
MAX_ID = 2**63 - 1


def id_param(value) -> int | None:
    """A database id from a query string or form value: a whole number from 1 to MAX_ID,
    else None. A number too large for the database is "no such thing" (a 404 or an empty
    filter), not a server error."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= MAX_ID else None


def safe_next(request, default: str) -> str:
    """Where a form's ``next`` (POST, else GET) asks to go back to, if it is a page of
    this site; else ``default`` (a URL or a URL name). Never an open redirect."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(default)
