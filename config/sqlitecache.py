"""The cache of the embedded mode (no Redis): one SQLite file shared by every process.

Each gunicorn worker, the Celery worker and ``manage.py`` read and write the same file,
so what must agree across processes does: rate-limit counters, availability versions,
cached master data and the booking pages' rules. A local-memory cache gives each worker
its own (three workers allowed three times the rate limit, and kept showing a rule's
old wording after an administrator changed it).

Why a file of its own and not Django's database cache in the app's database: SQLite has
one write lock per file. A booking holds the app database's lock for its whole
transaction (``transaction_mode: IMMEDIATE``) and bumps availability versions inside
it; cache writes on another connection to the same file would wait for that lock (and,
from the same thread, for themselves). In a file of its own every cache call is one
autocommitted statement holding the cache's lock for microseconds, never waiting on a
booking, and outside the app's transactions (a rolled-back booking leaves an extra
version bump, which only costs a recomputation).

Every operation that must be atomic is one SQL statement: ``add`` an upsert that only
replaces an expired row, ``incr`` an ``UPDATE … RETURNING`` (integers are stored as
SQLite integers, everything else pickled). Expired rows are skipped on read and purged
now and then; beyond ``MAX_ENTRIES`` the rows closest to expiry go first.

Like the Redis cache (config/cache.py), the cache only holds what can be computed again:
if the file cannot be used (a full disk, a lock held for seconds), a read is a miss, a
write does nothing and a counter reads as its first increment; this is logged.
"""

import logging
import os
import pickle
import random
import sqlite3
import threading
import time
from pathlib import Path

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache

logger = logging.getLogger("madoguchi.cache")

_LOG_EVERY = 10.0
_SCHEMA = """
CREATE TABLE IF NOT EXISTS cache (
  key TEXT PRIMARY KEY,
  value BLOB NOT NULL,
  expires REAL
) WITHOUT ROWID
"""
_LIVE = "(expires IS NULL OR expires > ?)"
_UPSERT = (
    "INSERT INTO cache (key, value, expires) VALUES (?, ?, ?) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires = excluded.expires"
)


class SQLiteCache(BaseCache):
    """``LOCATION``: the path of the cache file (created with its folder if missing)."""

    # How long a call may wait for another process's write before it counts as failed.
    busy_timeout_ms = 2000
    # One write in this many purges expired rows (and culls beyond MAX_ENTRIES).
    purge_every = 200

    def __init__(self, location, params):
        super().__init__(params)
        self.path = Path(location)
        self._local = threading.local()
        self._last_logged = 0.0

    # --- connection -----------------------------------------------------------------

    def _db(self) -> sqlite3.Connection:
        local = self._local
        # A connection must not cross a fork (gunicorn forks its workers).
        if getattr(local, "pid", None) != os.getpid():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(
                self.path,
                timeout=self.busy_timeout_ms / 1000,
                isolation_level=None,  # autocommit: each statement is its own transaction
                check_same_thread=True,
            )
            db.execute("PRAGMA busy_timeout = %d" % self.busy_timeout_ms)
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
            db.execute(_SCHEMA)
            db.execute("CREATE INDEX IF NOT EXISTS cache_expires ON cache (expires)")
            local.db, local.pid = db, os.getpid()
        return local.db

    def _run(self, fallback, operation):
        try:
            return operation(self._db())
        except (sqlite3.Error, OSError) as error:
            now = time.monotonic()
            if now - self._last_logged >= _LOG_EVERY:
                self._last_logged = now
                logger.warning(
                    "Cache file %s unavailable, serving without it: %s", self.path, error
                )
            return fallback

    # --- values ---------------------------------------------------------------------

    @staticmethod
    def _dump(value):
        if type(value) is int and -(2**63) <= value < 2**63:
            return value  # stored as an SQLite integer, so incr() can add in SQL
        return sqlite3.Binary(pickle.dumps(value, pickle.HIGHEST_PROTOCOL))

    @staticmethod
    def _load(stored):
        return stored if isinstance(stored, int) else pickle.loads(stored)

    def _expires(self, timeout):
        return self.get_backend_timeout(timeout)  # absolute epoch seconds, or None

    def _maybe_purge(self, db):
        if random.randrange(self.purge_every):
            return
        db.execute("DELETE FROM cache WHERE expires IS NOT NULL AND expires <= ?", [time.time()])
        (count,) = db.execute("SELECT count(*) FROM cache").fetchone()
        if count > self._max_entries:
            excess = count - self._max_entries + self._max_entries // self._cull_frequency
            db.execute(
                "DELETE FROM cache WHERE key IN (SELECT key FROM cache "
                "ORDER BY expires IS NULL, expires LIMIT ?)",
                [excess],
            )

    # --- the cache API --------------------------------------------------------------

    def get(self, key, default=None, version=None):
        key = self.make_and_validate_key(key, version=version)

        def run(db):
            row = db.execute(
                "SELECT value FROM cache WHERE key = ? AND " + _LIVE, [key, time.time()]
            ).fetchone()
            return default if row is None else self._load(row[0])

        return self._run(default, run)

    def get_many(self, keys, version=None):
        key_map = {self.make_and_validate_key(key, version=version): key for key in keys}
        if not key_map:
            return {}

        def run(db):
            rows = db.execute(
                "SELECT key, value FROM cache WHERE key IN (%s) AND %s"
                % (", ".join("?" * len(key_map)), _LIVE),
                [*key_map, time.time()],
            ).fetchall()
            return {key_map[key]: self._load(value) for key, value in rows}

        return self._run({}, run)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        stored, expires = self._dump(value), self._expires(timeout)

        def run(db):
            db.execute(
                _UPSERT,
                [key, stored, expires],
            )
            self._maybe_purge(db)

        self._run(None, run)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        expires = self._expires(timeout)
        rows = [
            (self.make_and_validate_key(key, version=version), self._dump(value), expires)
            for key, value in data.items()
        ]

        def run(db):
            db.execute("BEGIN IMMEDIATE")
            try:
                db.executemany(_UPSERT, rows)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
            self._maybe_purge(db)
            return []

        return self._run([key for key, _value, _expires in rows], run)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        """Store only where the key is absent or expired; True if stored (atomic)."""
        key = self.make_and_validate_key(key, version=version)
        stored, expires = self._dump(value), self._expires(timeout)

        def run(db):
            cursor = db.execute(
                "INSERT INTO cache (key, value, expires) VALUES (?, ?, ?) ON CONFLICT (key) "
                "DO UPDATE SET value = excluded.value, expires = excluded.expires "
                "WHERE cache.expires IS NOT NULL AND cache.expires <= ?",
                [key, stored, expires, time.time()],
            )
            return cursor.rowcount == 1

        return self._run(False, run)

    def incr(self, key, delta=1, version=None):
        """Add ``delta`` in one statement: two processes counting at once never lose a
        count. Raises ValueError where the key is absent or expired."""
        key = self.make_and_validate_key(key, version=version)

        def run(db):
            # Another process may add() the counter between the UPDATE and the look that
            # follows it: an integer found there is counted again, never reported as a
            # wrong type (that race once answered a rate-limited page with a 500).
            for _attempt in range(3):
                row = db.execute(
                    "UPDATE cache SET value = value + ? WHERE key = ? "
                    "AND typeof(value) = 'integer' AND " + _LIVE + " RETURNING value",
                    [delta, key, time.time()],
                ).fetchone()
                if row is not None:
                    return row[0]
                found = db.execute(
                    "SELECT typeof(value) FROM cache WHERE key = ? AND " + _LIVE,
                    [key, time.time()],
                ).fetchone()
                if found is None:
                    raise ValueError("Key '%s' not found." % key)
                if found[0] != "integer":
                    raise TypeError("The value of cache key %r is not an integer." % key)
            raise ValueError("Key '%s' not found." % key)

        return self._run(delta, run)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        expires = self._expires(timeout)

        def run(db):
            cursor = db.execute(
                "UPDATE cache SET expires = ? WHERE key = ? AND " + _LIVE,
                [expires, key, time.time()],
            )
            return cursor.rowcount == 1

        return self._run(False, run)

    def has_key(self, key, version=None):
        key = self.make_and_validate_key(key, version=version)

        def run(db):
            return (
                db.execute(
                    "SELECT 1 FROM cache WHERE key = ? AND " + _LIVE, [key, time.time()]
                ).fetchone()
                is not None
            )

        return self._run(False, run)

    def delete(self, key, version=None):
        key = self.make_and_validate_key(key, version=version)
        return self._run(
            False, lambda db: db.execute("DELETE FROM cache WHERE key = ?", [key]).rowcount == 1
        )

    def delete_many(self, keys, version=None):
        keys = [self.make_and_validate_key(key, version=version) for key in keys]
        if keys:
            self._run(
                None,
                lambda db: db.execute(
                    "DELETE FROM cache WHERE key IN (%s)" % ", ".join("?" * len(keys)), keys
                ),
            )

    def clear(self):
        self._run(None, lambda db: db.execute("DELETE FROM cache"))

    def close(self, **kwargs):
        # Kept open for the next request of this thread (one connection per thread).
        pass
