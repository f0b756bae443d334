"""Letters carry SITE_URL in print and in their QR code, and cannot be recalled: an
address citizens cannot open is an error of the deployment checks and a warning on the
letters page (helper 41 printed letters to http://127.0.0.1:8000 with
``check --deploy`` reporting no issues)."""

import pytest
from django.core.checks import run_checks
from django.urls import reverse

from config.checks import site_url_problem
from organization.models import Role
from tests.organization.factories import make_staff_member


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000",
        "http://localhost:8000",
        "https://localhost",
        "https://[::1]",
        "http://madoguchi.city.example.jp",
    ],
)
def test_addresses_citizens_cannot_open_are_named(url):
    assert site_url_problem(url)


def test_the_public_https_address_is_fine():
    assert site_url_problem("https://madoguchi.city.example.jp") == ""


def test_the_deployment_checks_fail_on_a_local_site_url(settings):
    settings.DEBUG = False
    settings.SITE_URL = "http://127.0.0.1:8000"
    assert "madoguchi.E001" in [e.id for e in run_checks(include_deployment_checks=True)]

    settings.SITE_URL = "https://madoguchi.city.example.jp"
    assert "madoguchi.E001" not in [e.id for e in run_checks(include_deployment_checks=True)]


@pytest.mark.django_db
def test_the_letters_page_warns_before_printing(client, settings):
    client.force_login(make_staff_member(role=Role.MANAGER).user)
    settings.SITE_URL = "http://127.0.0.1:8000"

    warned = client.get(reverse("notices:overview"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    settings.SITE_URL = "https://madoguchi.city.example.jp"
    fine = client.get(reverse("notices:overview"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()

    assert "印刷の前に確認してください" in warned and "127.0.0.1:8000" in warned
    assert "印刷の前に確認してください" not in fine
