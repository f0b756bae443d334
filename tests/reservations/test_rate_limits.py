"""Humane rate limits: only valid booking forms count, over a sliding window, per address
(generous) and per contact (tight); a 429 keeps the typed form and gives the city's
phone number and hours."""

from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.db import OperationalError
from django.test import Client
from django.urls import reverse

from reservations import ratelimit
from reservations.models import Reservation
from reservations.views import booking as booking_views
from tests.reservations.factories import (
    ProcedureFactory,
    add_clerk,
    add_rule,
    at,
    book,
    citizen,
    open_day,
    procedure_with,
)

pytestmark = pytest.mark.django_db

DAY = open_day(10)


@pytest.fixture
def procedure():
    # 3 clerks × 6 half-hour slots
    return procedure_with("通知書", clerk_days=[DAY] * 3, code="my-number-card")


def url(procedure, hhmm="0900"):
    return reverse("reservations:details", args=[procedure.code, DAY, hhmm])


def form(procedure, n=1, **overrides):
    data = {"name": "市民 %d" % n, "kana": "シミン", "email": "citizen%d@example.jp" % n}
    for rule in procedure.document_rules.all():
        data["rule_%d" % rule.pk] = "on"
        data["rule_%d_version" % rule.pk] = rule.version
    data.update(overrides)
    return data


def times():
    for hour in (9, 10, 11):
        for minute in (0, 30):
            yield "%02d%02d" % (hour, minute)


def test_form_errors_do_not_count(client, procedure, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "book": (2, 600)}

    bad = form(procedure, kana="abc")
    errors = [client.post(url(procedure), bad).status_code for _ in range(5)]
    booked = client.post(url(procedure), form(procedure))

    assert errors == [200] * 5
    assert booked.status_code == 302
    assert Reservation.objects.count() == 1


def test_the_eleventh_valid_booking_from_one_address_is_served_up_to_the_limit(client, procedure):
    limit, _period = django_settings.RATE_LIMITS["book"]
    slots = [hhmm for hhmm in times() for _clerk in range(3)]  # 18 bookable slots

    statuses = [
        client.post(url(procedure, hhmm), form(procedure, n)).status_code
        for n, hhmm in enumerate(slots[:12], start=1)
    ]

    assert limit >= 12
    assert statuses == [302] * 12
    assert Reservation.objects.count() == 12


def test_the_address_limit_refuses_once_reached(client, procedure, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "book": (3, 600)}
    slots = [hhmm for hhmm in times() for _clerk in range(3)]

    statuses = [
        client.post(url(procedure, hhmm), form(procedure, n)).status_code
        for n, hhmm in enumerate(slots[:4], start=1)
    ]

    assert statuses == [302, 302, 302, 429]


def test_one_contact_is_limited_whatever_the_address(client, procedure, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "book_contact": (2, 600)}
    others = [ProcedureFactory() for _ in range(3)]
    for other in others:
        add_rule(other, "通知書")
        add_clerk(other, day=DAY)

    statuses = [
        client.post(url(other), form(other, 1), REMOTE_ADDR="10.0.0.%d" % n).status_code
        for n, other in enumerate(others)
    ]

    assert statuses == [302, 302, 429]


def test_a_429_keeps_the_typed_form_and_gives_the_phone_number_and_hours(
    client, procedure, settings
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "book": (0, 600)}
    settings.CITY_PHONE = "0120-999-888"

    refused = client.post(url(procedure), form(procedure, 7, phone="090-1111-2222"))
    back = client.get(url(procedure))

    content = refused.content.decode()
    assert refused.status_code == 429
    assert "0120-999-888" in content
    assert 'href="tel:0120999888"' in content
    assert settings.CITY_OPENING_HOURS in content
    assert 'href="%s"' % url(procedure) in content
    assert back.status_code == 200
    assert back.context["form"]["name"].value() == "市民 7"
    assert back.context["form"]["phone"].value() == "090-1111-2222"
    assert Reservation.objects.count() == 0


def test_the_way_back_from_a_429_keeps_the_answers_to_the_questions(client, procedure, settings):
    """The answers are in the page's query string: the way back dropped them, so the
    question step opened with nothing chosen (helper 43)."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "book": (0, 600)}
    answered = url(procedure) + "?answered=1&q_1=1"

    refused = client.post(answered, form(procedure, 7))

    assert refused.status_code == 429
    assert 'href="%s"' % answered.replace("&", "&amp;") in refused.content.decode()


def test_the_window_slides_and_a_refused_request_does_not_count(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "book": (2, 600)}
    start = 600 * 1_000_000  # the start of a fixed window

    first = [ratelimit.hit("book", "10.0.0.1", now=start + t) for t in (0, 1, 2, 3)]
    # Half into the next window, half of the previous window's 2 still count: 1 more.
    later = [ratelimit.hit("book", "10.0.0.1", now=start + 900 + t) for t in (0, 1)]

    assert first == [True, True, False, False]
    assert later == [True, False]


def test_a_refusal_takes_back_what_the_other_limits_counted(settings):
    # Counted in one round trip on Redis (a pipeline), one by one elsewhere: same answers.
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "book": (5, 600), "book_contact": (1, 600)}
    both = [("book", "10.9.9.9"), ("book_contact", "someone@example.jp")]
    assert ratelimit.hit_all(both) is None
    assert ratelimit.hit_all(both) == "book_contact"
    # The refused request did not count against the address: four more pass, then no.
    assert [ratelimit.hit_all([("book", "10.9.9.9")]) for _ in range(5)] == [None] * 4 + ["book"]


def test_tries_that_failed_while_the_database_restarted_do_not_count(procedure, settings):
    # given a tight limit per contact, and a database that fails the first three tries
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "book_contact": (2, 600)}
    real_book = booking_views.services.reservation_book
    failures = iter([OperationalError("the database system is starting up")] * 3)

    def book_while_restarting(*args, **kwargs):
        error = next(failures, None)
        if error is not None:
            raise error
        return real_book(*args, **kwargs)

    client = Client(raise_request_exception=False)
    with mock.patch.object(booking_views.services, "reservation_book", book_while_restarting):
        # when the citizen sends the form again each time, as the 503 page asks
        statuses = [client.post(url(procedure), form(procedure)).status_code for _ in range(4)]

    # then the outage's tries are not held against them: the fourth books
    assert statuses == [503, 503, 503, 302]
    assert Reservation.objects.count() == 1


@pytest.fixture
def booked():
    """A confirmed booking (its token opens its own pages)."""
    procedure = procedure_with("通知書", clerk_days=[DAY], code="seal-registration")
    return book(procedure, at(DAY, 9), citizen(email="hanako@example.jp"), now=None)


def test_a_refused_cancel_says_nothing_changed_and_offers_to_try_again(client, settings, booked):
    cancel_url = reverse("reservations:cancel", args=[booked.token])
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "manage": (0, 60)}

    refused = client.post(cancel_url, HTTP_ACCEPT_LANGUAGE="en")

    content = refused.content.decode()
    assert refused.status_code == 429
    assert "Nothing was changed" in content
    assert 'href="%s"' % cancel_url in content  # "Try again": the cancel page again
    booked.reservation.refresh_from_db()
    assert booked.reservation.status == "confirmed"


def test_a_shared_address_changing_two_bookings_in_a_minute_is_not_refused(client, booked):
    # One change of time is about 15 requests to a booking's pages (the link, the
    # calendar and its days, the confirmation); the city hall's Wi-Fi puts many citizens
    # behind one address. The default limit serves two such changes and more.
    manage_url = reverse("reservations:manage", args=[booked.token])

    statuses = {client.get(manage_url).status_code for _ in range(40)}

    assert statuses == {200}
