"""The embedded mode's cache (config/sqlitecache.py): one file shared by every process,
atomic where rate limits and "first one wins" need it."""

import multiprocessing
import time

import pytest
from django.conf import settings
from django.core.cache import caches

from config.sqlitecache import SQLiteCache


@pytest.fixture
def shared(tmp_path):
    return SQLiteCache(str(tmp_path / "cache.sqlite3"), {"OPTIONS": {"MAX_ENTRIES": 50}})


def test_without_redis_the_default_cache_is_the_shared_file():
    if settings.REDIS_URL:
        pytest.skip("the server set-up uses Redis")
    assert isinstance(caches["default"], SQLiteCache)
    assert str(caches["default"].path).startswith(str(settings.VAR_DIR))


def test_values_come_back_as_stored(shared):
    shared.set("rules", {"version": 2, "text": "本人確認書類"})
    shared.set("count", 3)
    shared.set("flag", True)
    shared.set_many({"a": 1, "b": [1, 2]})

    assert shared.get("rules") == {"version": 2, "text": "本人確認書類"}
    assert shared.get("count") == 3 and shared.get("flag") is True
    assert shared.get_many(["a", "b", "missing"]) == {"a": 1, "b": [1, 2]}
    assert shared.get("missing", "default") == "default"


def test_expired_values_are_gone(shared):
    shared.set("short", 1, timeout=1)
    shared.set("forever", 1, timeout=None)
    shared.set("gone", 1, timeout=0)
    time.sleep(1.1)

    assert shared.get("short") is None and shared.get("gone") is None
    assert shared.get("forever") == 1
    assert shared.add("short", 2) is True and shared.get("short") == 2
    with pytest.raises(ValueError):
        shared.incr("gone")


def test_add_stores_only_the_first(shared):
    assert shared.add("lock", "first", timeout=60) is True
    assert shared.add("lock", "second", timeout=60) is False
    assert shared.get("lock") == "first"


def test_incr_counts_and_refuses_what_is_not_there(shared):
    shared.set("n", 1)

    assert shared.incr("n") == 2 and shared.incr("n", 5) == 7 and shared.decr("n") == 6
    with pytest.raises(ValueError):
        shared.incr("nothing")


def test_a_counter_another_process_creates_mid_incr_is_counted(shared, tmp_path):
    # given: this process's UPDATE finds no counter, and another process add()s it
    # before this one looks again (what two gunicorn workers do on a window's first hits)
    other = SQLiteCache(str(tmp_path / "cache.sqlite3"), {})
    real = shared._db()

    class Racing:
        def execute(self, sql, params=()):
            result = real.execute(sql, params)
            if sql.startswith("UPDATE cache SET value = value +") and not other.get("n"):
                other.add("n", 1)
            return result

    shared._db = lambda: Racing()

    # when this process counts, then it counts on the other's counter (no TypeError)
    assert shared.incr("n") == 2


def test_delete_touch_has_key_and_clear(shared):
    shared.set_many({"a": 1, "b": 2, "c": 3})
    assert shared.delete("a") is True and shared.delete("a") is False
    shared.delete_many(["b"])
    assert shared.touch("c", timeout=1) is True and shared.has_key("c")
    time.sleep(1.1)
    assert not shared.has_key("c")
    shared.set("d", 4)
    shared.clear()
    assert shared.get("d") is None


def test_the_file_does_not_grow_beyond_its_limit(shared):
    shared.purge_every = 1
    for n in range(200):
        shared.set("key-%d" % n, n, timeout=300)

    assert sum(1 for n in range(200) if shared.get("key-%d" % n) is not None) <= 51


def _count(location, key, times):
    other = SQLiteCache(location, {})
    for _ in range(times):
        try:
            other.incr(key)
        except ValueError:
            if not other.add(key, 1, timeout=300):
                other.incr(key)


def test_processes_counting_at_once_lose_no_count(tmp_path):
    location = str(tmp_path / "cache.sqlite3")
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_count, args=(location, "hits", 150)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)

    assert [w.exitcode for w in workers] == [0, 0, 0, 0]
    assert SQLiteCache(location, {}).get("hits") == 600


def test_a_forked_process_opens_its_own_connection(shared):
    shared.set("before-fork", 1)
    context = multiprocessing.get_context("fork")
    child = context.Process(target=_count, args=(str(shared.path), "after-fork", 3))
    child.start()
    child.join(timeout=30)

    assert child.exitcode == 0 and shared.get("after-fork") == 3


def test_an_unusable_file_serves_without_the_cache(tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    broken = SQLiteCache(str(blocked / "cache.sqlite3"), {})

    assert broken.get("x", "default") == "default"
    assert broken.set("x", 1) is None and broken.add("x", 1) is False
    assert broken.incr("x") == 1  # a rate limit lets the request through
