"""Staff login: repeated wrong passwords lock the user name from that address."""

import pytest
from django.urls import reverse

from tests.organization.factories import make_staff_member

pytestmark = pytest.mark.django_db


def attempt(client, username, password, address="192.0.2.10"):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_five_wrong_passwords_lock_the_login_even_with_the_right_one(client):
    user = make_staff_member().user
    for _ in range(5):
        assert attempt(client, user.username, "wrong").status_code in (200, 429)

    locked = attempt(client, user.username, "secret-pass-123")

    assert locked.status_code == 429
    assert "Too many wrong passwords" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lock_is_per_user_name_and_address(client):
    user = make_staff_member().user
    colleague = make_staff_member().user
    for _ in range(5):
        attempt(client, user.username, "wrong")

    assert attempt(client, colleague.username, "secret-pass-123").status_code == 302
    client.logout()
    assert attempt(client, user.username, "secret-pass-123", "198.51.100.7").status_code == 302


def test_a_good_password_resets_the_count(client):
    user = make_staff_member().user
    for _ in range(4):
        attempt(client, user.username, "wrong")
    assert attempt(client, user.username, "secret-pass-123").status_code == 302
    client.logout()

    for _ in range(4):
        attempt(client, user.username, "wrong")

    assert attempt(client, user.username, "secret-pass-123").status_code == 302


def test_the_lockout_page_is_in_japanese_by_default(client):
    user = make_staff_member().user
    for _ in range(6):
        response = client.post(
            reverse("login"),
            {"username": user.username, "password": "wrong"},
            REMOTE_ADDR="192.0.2.1",
        )

    assert response.status_code == 429
    assert "15" in response.content.decode() and "分" in response.content.decode()
