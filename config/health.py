"""Liveness of the things a request needs: the database and, where configured, Redis."""

from django.conf import settings
from django.db import connection


def check_database() -> str | None:
    """Return None when the database answers, else a short reason."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any driver error means "not reachable"
        return type(error).__name__
    return None


def check_redis() -> str | None:
    """Return None when Redis answers (or is not configured), else a short reason."""
    if not settings.REDIS_URL:
        return None
    import redis

    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL,
            socket_connect_timeout=settings.REDIS_TIMEOUT,
            socket_timeout=settings.REDIS_TIMEOUT,
        )
        client.ping()
    except Exception as error:
        return type(error).__name__
    return None
