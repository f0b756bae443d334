"""Every URL pattern of the app, walked: staff pages refuse anonymous visitors and the
wrong roles, whatever the method. A new URL must be added to ACCESS below, or this
test fails — nobody adds a page without deciding who may open it."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from organization.models import Role
from tests.organization.factories import make_staff_member

pytestmark = pytest.mark.django_db

PUBLIC = "public"
ANY_STAFF = frozenset(Role.values)
COUNTER = frozenset({Role.COUNTER_STAFF, Role.MANAGER, Role.ADMINISTRATOR})
CERTIFICATES = frozenset({Role.DEPARTMENT_STAFF, Role.MANAGER, Role.ADMINISTRATOR})
MANAGERS = frozenset({Role.MANAGER})

# URL name (namespace:name) → who may use it. Prefixes end with ":" for whole apps.
ACCESS = {
    "home": PUBLIC,
    "healthz": PUBLIC,
    "favicon": PUBLIC,
    "set_language": PUBLIC,
    "login": PUBLIC,
    "logout": PUBLIC,
    "two_factor_setup": "account",  # any logged-in user: their own second factor
    "two_factor_verify": "account",
    "reservations:": PUBLIC,  # booking, manage link, display board, survey: no account
    "reservations:reschedule_confirm": PUBLIC,  # the manage link's change, step 2
    "reservations:find": PUBLIC,  # find my booking / send my link again
    "reservations:staff_": ANY_STAFF,  # telephone booking for callers
    "reservations:queue": COUNTER,
    "reservations:call_next": COUNTER,
    "reservations:staff_check_in": COUNTER,
    "reservations:visit_action": COUNTER,
    "reservations:receipt": COUNTER,
    "reservations:kiosk": COUNTER,
    "reservations:kiosk_walk_in": COUNTER,
    "organization:": ANY_STAFF,
    "notices:": CERTIFICATES,
    "complaints:": ANY_STAFF,
    "dashboards:": MANAGERS,
    "admin:": "admin",
}


def _walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or ""
            yield from _walk(
                pattern.url_patterns,
                prefix + str(pattern.pattern),
                (namespace + ns + ":") if ns else namespace,
            )
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield namespace + pattern.name, prefix + str(pattern.pattern)


def _path(route: str) -> str:
    route = re.sub(r"<int:\w+>", "1", route)
    route = re.sub(r"<(?:str|slug):\w+>", "x", route)
    route = re.sub(r"<isodate:\w+>", "2030-06-12", route)
    route = re.sub(r"<hhmm:\w+>", "0900", route)
    route = route.lstrip("^").rstrip("$")
    return "/" + route


def access_of(name: str):
    if name in ACCESS:
        return ACCESS[name]
    matches = [key for key in ACCESS if key.endswith(":") or key.endswith("_")]
    best = max((key for key in matches if name.startswith(key)), key=len, default=None)
    return ACCESS.get(best)


URLS = sorted(set(_walk(get_resolver().url_patterns)))
STAFF_URLS = [
    (name, _path(route))
    for name, route in URLS
    if access_of(name) not in (PUBLIC, "admin", "account")
]


def test_every_url_has_a_decided_audience():
    undecided = [name for name, _route in URLS if access_of(name) is None]

    assert undecided == []
    assert len(STAFF_URLS) > 30


@pytest.mark.parametrize(("name", "path"), STAFF_URLS)
def test_anonymous_visitors_get_no_staff_page(client, name, path):
    for method in (client.get, client.post):
        response = method(path)
        assert response.status_code in (302, 403, 404, 405), (name, path, response.status_code)
        if response.status_code == 302:
            assert response["Location"].startswith("/accounts/login/"), (name, path)


@pytest.mark.parametrize(("name", "path"), STAFF_URLS)
def test_the_wrong_roles_get_no_staff_page(client, name, path):
    allowed = access_of(name)
    for role in sorted(set(Role.values) - set(allowed)):
        client.force_login(make_staff_member(role=role).user)
        for method in (client.get, client.post):
            response = method(path)
            assert response.status_code in (403, 404, 405), (name, path, role, response.status_code)


def test_a_logged_in_user_without_a_staff_profile_gets_no_staff_page(client, django_user_model):
    user = django_user_model.objects.create_user("no-profile", password="secret-pass-123")
    client.force_login(user)

    for name, path in STAFF_URLS:
        assert client.get(path).status_code in (403, 404, 405), (name, path)


def test_account_pages_ask_anonymous_visitors_to_log_in(client):
    for name, route in URLS:
        if access_of(name) == "account":
            response = client.get(_path(route))
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_admin_asks_for_a_login_and_refuses_counter_staff(client):
    assert client.get("/admin/").status_code == 302
    client.force_login(make_staff_member(role=Role.COUNTER_STAFF).user)

    response = client.get("/admin/")

    assert response.status_code == 302 and "/admin/login/" in response["Location"]
