import pytest
from django.db import OperationalError
from django.urls import reverse

from organization.models import Role
from tests.organization.factories import DepartmentFactory, UserFactory, make_staff_member

pytestmark = pytest.mark.django_db


def test_home_page_is_japanese_by_default_and_lists_departments(client):
    DepartmentFactory(name="市民課", name_en="Citizens Division", location="本庁舎1階")

    response = client.get(reverse("home"))

    content = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ja">' in content
    assert "市役所の窓口へようこそ" in content
    assert "市民課" in content


def test_language_switch_shows_the_home_page_in_english(client):
    DepartmentFactory(name="市民課", name_en="Citizens Division")

    response = client.post(reverse("set_language"), {"language": "en", "next": "/"}, follow=True)

    content = response.content.decode()
    assert '<html lang="en">' in content
    assert "Welcome to the city hall counter" in content
    assert "Citizens Division" in content


def test_staff_navigation_is_hidden_from_citizens(client):
    response = client.get(reverse("home"))

    assert reverse("organization:staff_home") not in response.content.decode()


def test_staff_navigation_is_shown_to_staff(client):
    member = make_staff_member(role=Role.COUNTER_STAFF)
    client.force_login(member.user)

    response = client.get(reverse("home"))

    assert reverse("organization:staff_home") in response.content.decode()


def test_staff_home_sends_anonymous_visitors_to_login(client):
    response = client.get(reverse("organization:staff_home"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_staff_home_refuses_a_login_without_staff_profile(client):
    client.force_login(UserFactory())

    response = client.get(reverse("organization:staff_home"))

    assert response.status_code == 403


def test_staff_member_logs_in_and_sees_their_department(client):
    department = DepartmentFactory(name="市民課")
    make_staff_member(department=department, username="clerk", last_name="佐藤")

    response = client.post(
        reverse("login"), {"username": "clerk", "password": "secret-pass-123"}, follow=True
    )

    content = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("organization:staff_home")
    assert "市民課" in content
    assert "佐藤" in content


def test_wrong_password_gets_a_form_error_not_a_crash(client):
    make_staff_member(username="clerk")

    response = client.post(reverse("login"), {"username": "clerk", "password": "wrong"})

    assert response.status_code == 200
    assert response.context["form"].errors


def test_healthz_reports_ok_when_database_answers(client):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json()["checks"]["database"] == "ok"


def test_healthz_reports_503_when_database_is_down(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("config.health.connection.cursor", broken_cursor)

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "OperationalError"


def test_healthz_reports_503_when_redis_is_configured_but_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["checks"]["redis"] != "ok"


def test_unknown_page_gets_a_friendly_404(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "ページが見つかりません" in response.content.decode()
