"""Django's Redis cache backend, reusing its client objects and riding out Redis outages.

Django builds a new ``redis.Redis`` object for every cache call, and each one builds
its table of response callbacks: about 0.15 ms a call, several calls a page. The
client objects are thread-safe and stateless beyond their pool, so one is reused.

The cache only holds what can be computed again (availability, rate-limit counters), so
while Redis is unreachable every call acts as a miss instead of failing the page: reads
return the default, writes do nothing, counters read 1 (rate limits are not enforced
until Redis is back). The outage is logged, at most every ``_LOG_EVERY`` seconds.

A Redis that hangs (accepts connections, never answers) costs each call its socket
timeout, one after the other: ten cache calls, ten seconds. So after a timeout or a
connection error the circuit breaker (``redis_breaker``) opens: for
``REDIS_BREAKER_SECONDS`` this process does not call Redis at all (cache calls act as
misses at once, tasks are not published: config/celery.py), then tries again. A hung
Redis costs a request at most one timeout, and only one request per process and period.
"""

import logging
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("madoguchi.cache")

OUTAGE = (RedisConnectionError, RedisTimeoutError)
_LOG_EVERY = 10.0
_last_logged = 0.0


class Breaker:
    """Per process: open for ``REDIS_BREAKER_SECONDS`` after a failure, then the next
    call tries Redis again (and opens it again if Redis still fails)."""

    def __init__(self) -> None:
        self._open_until = 0.0

    def is_open(self) -> bool:
        return time.monotonic() < self._open_until

    def trip(self) -> None:
        from django.conf import settings

        self._open_until = time.monotonic() + settings.REDIS_BREAKER_SECONDS

    def reset(self) -> None:
        self._open_until = 0.0


# Cache and broker are the same Redis (REDIS_URL): one breaker serves both.
redis_breaker = Breaker()


def _outage(error: Exception) -> None:
    global _last_logged
    redis_breaker.trip()
    now = time.monotonic()
    if now - _last_logged >= _LOG_EVERY:
        _last_logged = now
        logger.warning("Redis cache unavailable, serving without it: %s", error)


class _ReusingClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            pool = self._get_connection_pool(write)
            client = self._clients[index] = self._client(connection_pool=pool)
        return client

    def _or(self, fallback, call, *args):
        if redis_breaker.is_open():
            return fallback
        try:
            return call(*args)
        except OUTAGE as error:
            _outage(error)
            return fallback

    def add(self, key, value, timeout):
        return self._or(False, super().add, key, value, timeout)

    def get(self, key, default):
        return self._or(default, super().get, key, default)

    def set(self, key, value, timeout):
        return self._or(None, super().set, key, value, timeout)

    def touch(self, key, timeout):
        return self._or(False, super().touch, key, timeout)

    def delete(self, key):
        return self._or(False, super().delete, key)

    def get_many(self, keys):
        return self._or({}, super().get_many, keys)

    def has_key(self, key):
        return self._or(False, super().has_key, key)

    def incr(self, key, delta):
        return self._or(delta, super().incr, key, delta)

    def set_many(self, data, timeout):
        return self._or([], super().set_many, data, timeout)

    def delete_many(self, keys):
        return self._or(None, super().delete_many, keys)


class ReusingRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusingClient

    def count_hits(self, counters: list[tuple[str, str, int]]) -> list[tuple[int, int]]:
        """Rate-limit counting in one round trip: for each (key, previous_key, timeout),
        create ``key`` at 0 with its timeout if new, increment it, and read
        ``previous_key``. Returns (count, previous count) per entry; while Redis is
        unreachable every count reads 1 (the limits are not enforced, as with incr)."""
        if redis_breaker.is_open():
            return [(1, 0)] * len(counters)
        try:
            pipe = self._cache.get_client(write=True).pipeline(transaction=False)
            for key, previous_key, timeout in counters:
                key = self.make_and_validate_key(key)
                pipe.set(key, 0, nx=True, ex=timeout)
                pipe.incr(key)
                pipe.get(self.make_and_validate_key(previous_key))
            replies = pipe.execute()
        except OUTAGE as error:
            _outage(error)
            return [(1, 0)] * len(counters)
        return [(int(replies[i + 1]), int(replies[i + 2] or 0)) for i in range(0, len(replies), 3)]
