"""An e-mail address or phone number longer than its column is refused by the form, and
a booking insert that fails never leaves its clerk's day locked (helper 43, on
PostgreSQL: a 311-character address gave a 500 and then froze every later booking of
that clerk's day for ten minutes, because the session lock outlived the rollback)."""

import datetime as dt
import threading

import pytest
from django.db import DatabaseError, connection, transaction

from reservations.forms import CitizenDetailsForm
from reservations.models import Reservation
from reservations.services.booking_store import _clerk_insert_lock
from tests.reservations.test_views import details_url, form_data
from tests.reservations.test_views import procedure as procedure


@pytest.mark.django_db
def test_an_address_longer_than_any_real_one_is_refused_with_a_message(client, procedure):
    address = "a" * 300 + "@example.jp"

    response = client.post(details_url(procedure), form_data(procedure, email=address))

    assert response.status_code == 200 and Reservation.objects.count() == 0
    assert "長すぎます" in response.content.decode()


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("090-1234-5678", "090-1234-5678"),
        ("０９０ー１２３４ー５６７８", "09012345678"),
        ("０⑼⓪⑴⑵⑶⑷⑸⑹⑺⑻", None),  # folds to 27 characters: refused or kept as digits
        ("+81 90 1234 5678", "+81 90 1234 5678"),
    ],
)
def test_a_phone_number_is_stored_within_its_column(typed, stored):
    form = CitizenDetailsForm({"name": "Anna Silva", "phone": typed})

    if form.is_valid():
        assert len(form.cleaned_data["phone"]) <= 20
        assert stored is None or form.cleaned_data["phone"] == stored
    else:
        assert "phone" in form.errors


@pytest.mark.parametrize("typed", ["00000000000", "0012345678", "090-1234"])
def test_what_is_not_a_japanese_phone_number_is_refused(typed):
    form = CitizenDetailsForm({"name": "Anna Silva", "phone": typed})

    assert not form.is_valid() and "phone" in form.errors


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the clerk's day lock is PostgreSQL's"
)
def test_a_failed_insert_leaves_the_clerks_day_unlocked():
    day = dt.date(2030, 1, 7)
    with (
        pytest.raises(DatabaseError),
        transaction.atomic(),
        _clerk_insert_lock(1, day),
        connection.cursor() as cursor,
    ):
        cursor.execute("SELECT 1 / 0")  # the insert that fails

    got = []

    def another_booking():
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
                with _clerk_insert_lock(1, day):
                    got.append("locked")
        finally:
            connection.close()

    thread = threading.Thread(target=another_booking)
    thread.start()
    thread.join(timeout=10)
    assert got == ["locked"]
