"""Small helpers on requests, shared by the apps."""

from django.conf import settings


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
