"""Fixtures shared by every app's tests.

Outbound network is blocked (tests talk to this machine only), and a headless Chromium
from the system (Debian's /usr/bin/chromium) is driven with Playwright for browser tests.
A missing Chromium fails the browser tests instead of skipping them: CI must have it.
"""

import os
import shutil
import socket

import pytest

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCAL_HOSTS = {"127.0.0.1", "::1", "localhost"}


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in Japanese: a page requested in English by an earlier test must
    not leave English active, or ``procedure.name = …`` would write the English column
    (modeltranslation writes the active language's field)."""
    from django.utils import translation

    translation.activate("ja")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _block_outbound_network(monkeypatch):
    """Refuse connections to anything but this machine (PostgreSQL, Redis, live server)."""
    real_connect = socket.socket.connect

    def guarded_connect(sock, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(address, tuple) and host not in LOCAL_HOSTS:
            raise RuntimeError(f"Tests may not open network connections (to {address!r})")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (availability, rate limits), and with the
    Redis circuit breaker closed (a test of an outage must not leave it open)."""
    from django.core.cache import cache

    from config.cache import redis_breaker

    redis_breaker.reset()
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Test users are made by the dozen; the production hasher is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _append_only_guard(request):
    """Transactional tests end with a flush, which the append-only triggers (the access
    log, the complaint timeline) would refuse on SQLite: lift them just before it, and
    put them back for the next test."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or (
        {"transactional_db", "live_server"} & set(request.fixturenames)
    )
    if not transactional:
        yield
        return
    from config.db_guards import APPEND_ONLY, guard_drop, guards_check

    request.getfixturevalue("transactional_db")
    guards_check(guards=APPEND_ONLY)
    yield
    for guard in APPEND_ONLY:
        guard_drop(guard)


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if not (os.path.exists(path) or shutil.which(path)):
        pytest.fail(
            f"Chromium not found at {path}: install Debian's 'chromium' package "
            "(./dev test installs it) or set CHROMIUM_PATH."
        )
    return path


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser tab (Japanese locale, phone-sized) pointed at the live server."""
    context = browser.new_context(
        base_url=live_server.url, locale="ja-JP", viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
