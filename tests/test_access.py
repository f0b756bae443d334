"""Every URL pattern of the app, walked: staff pages refuse anonymous visitors and the
wrong roles, whatever the method. A new URL must be added to ACCESS below, or this
test fails — nobody adds a page without deciding who may open it."""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from notices import letters
from notices import services as notices_services
from notices.models import Certificate, CertificateType, NoticeRule, Resident
from organization.models import Role
from tests.organization.factories import DepartmentFactory, make_staff_member
from tests.reservations.factories import ProcedureFactory

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
    "privacy": PUBLIC,
    "accessibility": PUBLIC,
    "site_logo": PUBLIC,
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
    # The kiosk pages open for an enrolled kiosk browser (its device cookie, no login);
    # without one, only the counter roles get as far as the enrolment page.
    "reservations:kiosk": COUNTER,
    "reservations:kiosk_walk_in": COUNTER,
    "reservations:kiosk_enrol": COUNTER,
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


KIOSK_PAGES = {"reservations:kiosk", "reservations:kiosk_walk_in"}


@pytest.mark.parametrize(("name", "path"), STAFF_URLS)
def test_a_kiosk_browser_gets_the_login_page_for_every_other_staff_page(client, name, path):
    """An enrolled kiosk holds no staff session: every staff URL but its own pages asks
    for a login (or does not exist for it)."""
    from tests.reservations.factories import as_kiosk

    as_kiosk(client)
    for method in (client.get, client.post):
        response = method(path)
        if name in KIOSK_PAGES:
            assert response.status_code in (200, 302, 404), (name, path, response.status_code)
            if response.status_code == 302:
                assert response["Location"] == "/counter/kiosk/", (name, path)
            continue
        assert response.status_code in (302, 404, 405), (name, path, response.status_code)
        if response.status_code == 302:
            assert response["Location"].startswith("/accounts/login/"), (name, path)


def test_a_kiosk_browser_cannot_open_the_admin_or_account_pages(client):
    from tests.reservations.factories import as_kiosk

    as_kiosk(client)
    for name, route in URLS:
        if access_of(name) in ("account", "admin") and "<" not in route:
            response = client.get(_path(route))
            if name in ("admin:login", "admin:logout"):
                continue  # the admin's own login form
            assert response.status_code == 302, (name, response.status_code)
            assert "login/" in response["Location"], name


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


# --- Need-to-know letters: every notices URL, per department ---------------------------

# The notices pages that list (not one object): another department's staff open them and
# see none of the other department's rows; every other notices URL is about one object.
NOTICES_LISTS = {"notices:overview", "notices:import"}


def _a_due_letter(department) -> tuple[NoticeRule, Certificate]:
    """A rule of ``department`` and a resident's certificate of its type that expires soon."""
    procedure = ProcedureFactory(department=department)
    certificate_type = CertificateType.objects.create(
        code="owned", name="甲課の証明書", procedure=procedure, department=department
    )
    rule = NoticeRule.objects.create(
        name="所管ルール",
        certificate_type=certificate_type,
        procedure=procedure,
        sender=department,
    )
    today = timezone.localdate()
    resident = Resident.objects.create(
        resident_number="R-A", name="所管 太郎", postal_code="123-4567", address_line1="本町1"
    )
    certificate = Certificate.objects.create(
        source_id="A-1",
        resident=resident,
        certificate_type=certificate_type,
        issued_on=today - dt.timedelta(days=100),
        expires_on=today + dt.timedelta(days=5),
    )
    return rule, certificate


def _an_import(department):
    return notices_services.import_file(
        file=SimpleUploadedFile(
            "a.csv",
            b"record_id,resident_number,name,certificate_type,"
            b"issued_on,expires_on\nA-2,R-B,b,owned,x,2030-01-01\n",
        ),
        file_name="a.csv",
        department_id=department.pk,
    )


def _notices_paths(rule, certificate, batch, run) -> dict[str, tuple[str, str]]:
    """Each notices URL name → (method, path) for these objects of one department."""
    chunk = batch.chunks.get()
    return {
        "notices:overview": ("get", "/notices/"),
        "notices:preview": ("get", "/notices/rules/%d/preview.pdf" % rule.pk),
        "notices:create_letters": ("post", "/notices/rules/%d/create/" % rule.pk),
        "notices:mark_batch": ("post", "/notices/batches/%d/printed/" % batch.pk),
        "notices:chunk_pdf": ("get", "/notices/parts/%d.pdf" % chunk.pk),
        "notices:import": ("get", "/notices/import/"),
        "notices:import_report": ("get", "/notices/import/%d/" % run.pk),
        "notices:import_errors_csv": ("get", "/notices/import/%d/refused.csv" % run.pk),
        "notices:import_resume": ("post", "/notices/import/%d/resume/" % run.pk),
        "notices:import_moves_confirm": (
            "post",
            "/notices/import/%d/moves/confirm/" % run.pk,
        ),
        "notices:why_not": ("get", "/notices/rules/%d/why-not/" % rule.pk),
        "notices:forecast": ("get", "/notices/rules/%d/forecast/" % rule.pk),
        "notices:release_booking_match": (
            "post",
            "/notices/rules/%d/why-not/%d/release/" % (rule.pk, certificate.pk),
        ),
    }


@pytest.fixture
def letters_of_one_department(monkeypatch, settings, tmp_path, django_capture_on_commit_callbacks):
    """A rule, a resident due, a rendered batch and an import of one department."""
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(letters, "render_pdf", lambda rows, **kwargs: b"%PDF-1.7 test")
    department = DepartmentFactory()
    rule, certificate = _a_due_letter(department)
    with django_capture_on_commit_callbacks(execute=True):
        batch = notices_services.letters_create_due(rule=rule, today=timezone.localdate())
    run = _an_import(department)
    return department, _notices_paths(rule, certificate, batch, run)


def _notices_names():
    return sorted(name for name, _route in URLS if name.startswith("notices:"))


def test_every_notices_url_has_a_need_to_know_case(letters_of_one_department):
    _department, paths = letters_of_one_department

    assert sorted(paths) == _notices_names()


@pytest.mark.parametrize("name", _notices_names())
def test_another_departments_staff_get_404_on_the_letters_of_a_department(
    client, letters_of_one_department, name
):
    _department, paths = letters_of_one_department
    client.force_login(make_staff_member(role=Role.DEPARTMENT_STAFF).user)
    method, path = paths[name]

    response = getattr(client, method)(path)

    if name in NOTICES_LISTS:
        content = response.content.decode()
        assert response.status_code == 200
        assert "所管ルール" not in content and "所管 太郎" not in content, name
        assert "甲課の証明書" not in content and "a.csv" not in content, name
    else:
        assert response.status_code == 404, (name, path, response.status_code)


@pytest.mark.parametrize("name", _notices_names())
def test_the_owning_departments_staff_open_its_letters(client, letters_of_one_department, name):
    department, paths = letters_of_one_department
    client.force_login(make_staff_member(role=Role.DEPARTMENT_STAFF, department=department).user)
    method, path = paths[name]

    response = getattr(client, method)(path)

    assert response.status_code in (200, 302), (name, path, response.status_code)
    if response.status_code == 302:
        assert response["Location"].startswith("/notices/"), name
