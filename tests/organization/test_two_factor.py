"""Managers and administrators confirm their login with a TOTP code."""

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from organization.models import Role
from tests.organization.factories import make_staff_member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _required(settings):
    settings.TWO_FACTOR_REQUIRED = True
    # django-otp slows retries after a wrong code (1 s, 2 s, 4 s…); tests do not wait.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def code_for(device) -> str:
    return "%06d" % totp(device.bin_key, device.step, device.t0, device.digits, device.drift)


def log_in(client, user):
    response = client.post(
        reverse("login"), {"username": user.username, "password": "secret-pass-123"}
    )
    assert response.status_code == 302


def test_a_manager_must_enrol_an_authenticator_before_any_staff_page(client):
    manager = make_staff_member(role=Role.MANAGER).user
    log_in(client, manager)

    response = client.get("/dashboards/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_setup"))
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert "<svg" in page.content.decode()  # the QR code to scan
    device = TOTPDevice.objects.get(user=manager, confirmed=False)

    wrong = client.post(reverse("two_factor_setup"), {"code": "000000", "next": "/dashboards/"})
    assert wrong.status_code == 400
    done = client.post(
        reverse("two_factor_setup"), {"code": code_for(device), "next": "/dashboards/"}
    )

    assert done.status_code == 302 and done["Location"] == "/dashboards/"
    assert client.get("/dashboards/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed


def test_at_the_next_login_the_code_is_asked_again(client):
    admin = make_staff_member(role=Role.ADMINISTRATOR).user
    device = TOTPDevice.objects.create(user=admin, name="app", confirmed=True)
    log_in(client, admin)

    response = client.get("/admin/")
    assert response["Location"].startswith(reverse("two_factor_verify"))
    client.post(reverse("two_factor_verify"), {"code": code_for(device), "next": "/admin/"})

    assert client.get("/admin/").status_code == 200


def test_five_wrong_codes_end_the_session(client):
    manager = make_staff_member(role=Role.MANAGER).user
    TOTPDevice.objects.create(user=manager, name="app", confirmed=True)
    log_in(client, manager)
    for _ in range(5):
        client.post(reverse("two_factor_verify"), {"code": "123456"})

    assert "_auth_user_id" not in client.session


def test_counter_staff_need_no_second_factor_and_citizens_pages_stay_open(client):
    clerk = make_staff_member(role=Role.COUNTER_STAFF).user
    log_in(client, clerk)
    assert client.get("/counter/").status_code == 200

    manager = make_staff_member(role=Role.MANAGER).user
    client.logout()
    log_in(client, manager)
    assert client.get("/book/").status_code == 200


def test_the_next_address_cannot_send_the_user_elsewhere(client):
    manager = make_staff_member(role=Role.MANAGER).user
    device = TOTPDevice.objects.create(user=manager, name="app", confirmed=True)
    log_in(client, manager)

    response = client.post(
        reverse("two_factor_verify"), {"code": code_for(device), "next": "https://evil.example/"}
    )

    assert response["Location"] == "/staff/"


def test_the_two_step_login_is_named_in_the_admins_language():
    """django-otp names its admin section 「OTP_TOTP」 and its model "TOTP devices"."""
    from django.apps import apps
    from django.utils import translation

    with translation.override("ja"):
        assert str(apps.get_app_config("otp_totp").verbose_name) == "2段階ログイン"
        assert str(TOTPDevice._meta.verbose_name_plural) == "認証アプリ"
