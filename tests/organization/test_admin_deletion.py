"""Deleting in the admin what bookings, visits, letters or complaints still need says
what is in the way, as counts, and what to do instead (helper 44: deleting a clerk or a
procedure with bookings read 「…削除するパーミッションがありません: 予約」, as if
another account could)."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import models
from django.test import RequestFactory
from django.urls import reverse

from organization.admin_deletion import ExplainsProtectedDeletion
from organization.models import Role
from reservations.models import Procedure, Reservation
from tests.organization.factories import make_staff_member
from tests.reservations.factories import ProcedureFactory
from tests.reservations.test_bookings_left_behind import booking as booking

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(client):
    user = make_staff_member(role=Role.ADMINISTRATOR).user
    get_user_model().objects.filter(pk=user.pk).update(is_superuser=True, is_staff=True)
    client.force_login(user)
    return get_user_model().objects.get(pk=user.pk)


def _page(client, obj) -> str:
    opts = obj._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[obj.pk])
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 200
    return response.content.decode()


def test_a_procedure_with_bookings_names_them_as_a_count_and_the_way_instead(
    client, administrator, booking
):
    page = _page(client, booking.procedure)

    assert "パーミッション" not in page
    assert "予約: 1件" in page
    assert booking.code not in page  # the records themselves are not listed
    assert "オンライン予約を受け付ける" in page  # untick it instead


def test_a_clerk_with_bookings_names_the_bookings_behind_their_staff_record(
    client, administrator, booking
):
    page = _page(client, booking.staff.user)

    assert "パーミッション" not in page
    assert "予約: 1件" in page
    assert "有効" in page


def test_the_refused_deletion_deletes_nothing(client, administrator, booking):
    procedure = booking.procedure
    url = reverse("admin:reservations_procedure_delete", args=[procedure.pk])

    client.post(url, {"post": "yes"})

    assert Procedure.objects.filter(pk=procedure.pk).exists()
    assert Reservation.objects.filter(pk=booking.pk).exists()


def test_a_procedure_nothing_needs_can_still_be_deleted(client, administrator):
    procedure = ProcedureFactory()
    url = reverse("admin:reservations_procedure_delete", args=[procedure.pk])

    assert "Yes, I’m sure" in client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    client.post(url, {"post": "yes"})

    assert not Procedure.objects.filter(pk=procedure.pk).exists()


def test_every_admin_of_a_protected_model_explains(administrator):
    """Every model other records protect, whose admin allows deleting, says why not."""
    request = RequestFactory().get("/")
    request.user = administrator
    protected_models = {
        field.related_model
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if field.remote_field and field.remote_field.on_delete is models.PROTECT
    }
    silent = [
        model.__name__
        for model in protected_models
        if model in admin.site._registry
        and admin.site._registry[model].has_delete_permission(request)
        and not isinstance(admin.site._registry[model], ExplainsProtectedDeletion)
    ]
    assert silent == []
