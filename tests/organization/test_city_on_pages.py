"""The city on every citizen page (header and footer), on the error pages, in the privacy
notice and the accessibility statement, and in e-mails, the .ics, letters and the receipt."""

import datetime as dt
import re
import sys

import icalendar
import pytest
from django.core import mail
from django.core.cache import cache
from django.db import OperationalError
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from config.views import server_error
from organization import selectors, services
from organization.models import Role
from tests.dashboards.factories import booking, procedure_with_clerk, visit
from tests.organization.factories import CITY, make_staff_member
from tests.reservations.factories import at
from tests.reservations.test_views import (  # noqa: F401 - the procedure fixture
    FUTURE_DAY,
    book_via_service,
    details_url,
    form_data,
    procedure,
)

pytestmark = pytest.mark.django_db


def assert_city_page(html: str, where: str, *, english=False) -> None:
    name = CITY["city_name_en"] if english else CITY["city_name"]
    header = html.split("</header>")[0]
    footer = html.split("<footer")[-1]
    assert name in header, "no city name in the header of %s" % where
    assert name in footer, "no city name in the footer of %s" % where
    assert CITY["phone"] in footer, where
    assert (CITY["opening_hours_en"] if english else CITY["opening_hours"]) in footer, where
    assert 'href="%s"' % reverse("privacy") in footer, where
    assert 'href="%s"' % reverse("accessibility") in footer, where
    assert CITY["website"] in footer, where


# --- Every citizen page -------------------------------------------------------------------


def citizen_pages(procedure) -> list[str]:  # noqa: F811 - the fixture, passed in
    result = book_via_service(procedure)
    today = timezone.localdate()
    proc, clerk = procedure_with_clerk(today)
    reservation = booking(proc, clerk, at(today, 9))
    done = visit(proc, today, kind="booked", reservation=reservation, arrived=at(today, 9), wait=5)
    done.done_at = timezone.now() - dt.timedelta(minutes=5)
    done.save(update_fields=["done_at"])
    return [
        "/",
        reverse("reservations:procedures"),
        reverse("reservations:calendar", args=[procedure.code]),
        reverse("reservations:day", args=[procedure.code, FUTURE_DAY]),
        details_url(procedure),
        reverse("reservations:manage", args=[result.token]),
        reverse("reservations:cancel", args=[result.token]),
        reverse("reservations:reschedule", args=[result.token]),
        reverse("reservations:survey", args=[done.survey_token]),
        reverse("privacy"),
        reverse("accessibility"),
    ]


@pytest.mark.parametrize("language", ["ja", "en"])
def test_every_citizen_page_shows_the_city_and_the_footer(client, city, procedure, language):  # noqa: F811
    client.cookies["django_language"] = language
    for path in citizen_pages(procedure):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_city_page(response.content.decode(), path, english=language == "en")


def test_the_not_found_page_names_the_city_and_its_phone(client, city):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    html = response.content.decode()
    assert_city_page(html, "404")
    assert 'href="tel:%s"' % CITY["phone"] in html.split("<footer")[0]


def test_the_too_many_requests_page_names_the_city_and_its_phone(client, city, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "availability": (1, 60)}
    client.get("/")

    response = client.get("/")

    assert response.status_code == 429
    html = response.content.decode()
    assert_city_page(html, "429")
    assert CITY["phone"] in html.split("<footer")[0]


@pytest.mark.parametrize(
    ("error", "status"), [(ValueError("bug"), 500), (OperationalError("db down"), 503)]
)
def test_server_error_pages_name_the_city_and_its_phone_without_the_database(
    city, error, status, django_assert_num_queries
):
    selectors.site_settings()  # cached, as after any page
    request = RequestFactory().get("/")
    with django_assert_num_queries(0):
        try:
            raise error
        except type(error):
            assert sys.exc_info()[1] is error
            response = server_error(request)

    html = response.content.decode()
    assert response.status_code == status
    assert "さくら市" in html and "Sakura City" in html
    assert CITY["phone"] in html


def test_server_error_page_falls_back_to_the_defaults_when_the_cache_fails(settings, monkeypatch):
    settings.CITY_NAME = "かえで町"
    monkeypatch.setattr(selectors, "_last_known", None)

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get", broken)
    try:
        raise ValueError("bug")
    except ValueError:
        response = server_error(RequestFactory().get("/"))

    assert response.status_code == 500
    assert "かえで町" in response.content.decode()


# --- The privacy notice -------------------------------------------------------------------


def _note_before_submit(html: str) -> bool:
    """The form with the personal fields has the note, with its link, before its button."""
    forms = re.findall(r"<form method=\"post\"[^>]*>(.*?)</form>", html, re.S)
    personal = ('name="name"', 'name="comment"', 'name="contact"')
    form = next(f for f in forms if any(field in f for field in personal))
    note = form.find('id="privacy-note"')
    link = form.find('href="%s"' % reverse("privacy"))
    submit = form.find('type="submit"')
    return -1 < note < link < submit


def test_every_form_taking_personal_data_links_the_privacy_notice(client, city, procedure):  # noqa: F811
    today = timezone.localdate()
    proc, _clerk = procedure_with_clerk(today)
    done = visit(proc, today, kind="walk_in", arrived=at(today, 9), wait=5)
    done.done_at = timezone.now()
    done.save(update_fields=["done_at"])

    booking_form = client.get(details_url(procedure)).content.decode()
    survey_form = client.get(reverse("reservations:survey", args=[done.survey_token]))
    client.force_login(make_staff_member(role=Role.COUNTER_STAFF).user)
    phone_form = client.get(
        reverse(
            "reservations:staff_details",
            kwargs={"code": procedure.code, "day": FUTURE_DAY, "hhmm": "0900"},
        )
    )

    find_form = client.get(reverse("reservations:find")).content.decode()

    assert _note_before_submit(booking_form)
    assert _note_before_submit(find_form)
    assert _note_before_submit(survey_form.content.decode())
    assert phone_form.status_code == 200
    assert _note_before_submit(phone_form.content.decode())


def test_the_privacy_page_states_the_purpose_rights_and_contact(client, city):
    html = client.get(reverse("privacy")).content.decode()

    assert "利用目的" in html
    assert "第61条" in html and "第62条" in html
    assert "開示" in html and "訂正" in html and "利用停止" in html
    assert "メール配信事業者" in html
    assert CITY["address"] in html.split("<footer")[0]


@pytest.mark.parametrize(
    ("days", "japanese", "english"),
    [(3 * 365, "3年（1095日）", "3 years (1095 days)"), (400, "400日", "400 days")],
)
def test_the_privacy_page_shows_the_retention_period_in_force(
    client, settings, days, japanese, english
):
    settings.PERSONAL_DATA_RETENTION_DAYS = days
    settings.SURVEY_OPEN_DAYS = 21

    ja = client.get(reverse("privacy")).content.decode()
    client.cookies["django_language"] = "en"
    en = client.get(reverse("privacy")).content.decode()

    assert japanese in ja and "21日" in ja
    assert english in en and "21 days" in en


def test_an_administrators_privacy_text_replaces_the_standard_one(client, city):
    services.site_settings_update(
        privacy_notice="さくら市独自の文面です。\n\n第二段落。",
        privacy_notice_en="Sakura's own text.",
    )

    ja = client.get(reverse("privacy")).content.decode()
    client.cookies["django_language"] = "en"
    en = client.get(reverse("privacy")).content.decode()

    assert "<p>さくら市独自の文面です。</p>" in ja and "<p>第二段落。</p>" in ja
    assert "メール配信事業者" not in ja
    assert "1095" in ja  # the retention periods always stay
    assert "Sakura&#x27;s own text." in en and "mail delivery provider" not in en


def test_the_accessibility_statement_is_standard_until_the_city_writes_its_own(client, city):
    assert "JIS X 8341-3" in client.get(reverse("accessibility")).content.decode()

    services.site_settings_update(accessibility_statement="<b>独自</b>の方針")
    html = client.get(reverse("accessibility")).content.decode()

    assert "&lt;b&gt;独自&lt;/b&gt;の方針" in html  # admin text is shown as text
    assert "JIS X 8341-3" not in html


# --- Where else the city appears ------------------------------------------------------


def test_booking_emails_carry_the_city_signature_and_the_ics_its_organizer(
    client,
    city,
    procedure,  # noqa: F811
    settings,
    django_capture_on_commit_callbacks,
):
    settings.DEFAULT_FROM_EMAIL = "yoyaku@city.sakura.example.jp"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(details_url(procedure), form_data(procedure))

    message = mail.outbox[-1]
    html = message.alternatives[0][0]
    ics = next(a for a in message.attachments if isinstance(a, tuple) and a[0].endswith(".ics"))[1]
    for part in (message.body, html):
        for value in ("さくら市", CITY["phone"], CITY["opening_hours"], CITY["website"]):
            assert value in part
    organizer = icalendar.Calendar.from_ical(ics).walk("VEVENT")[0]["ORGANIZER"]
    assert (str(organizer), organizer.params["CN"]) == (
        "mailto:yoyaku@city.sakura.example.jp",
        "さくら市",
    )


def test_an_english_ics_names_the_city_in_english(city, procedure):  # noqa: F811
    from reservations.documents import reservation_ics

    result = book_via_service(procedure)
    with translation.override("en"):
        ics = reservation_ics(result.reservation, documents=[])

    organizer = icalendar.Calendar.from_ical(ics).walk("VEVENT")[0]["ORGANIZER"]
    assert organizer.params["CN"] == "Sakura City"


def test_letters_are_sent_in_the_citys_name_from_its_address(city):
    from notices.letters import letter_context
    from notices.models import Letter
    from notices.selectors import sample_certificate
    from tests.notices.conftest import rule as rule_fixture

    rule = rule_fixture.__wrapped__()
    certificate = sample_certificate(rule)
    letter = Letter(rule=rule, resident=certificate.resident, certificate=certificate, code="X")

    context = letter_context(letter)

    assert context["city_name"] == "さくら市"
    assert context["city_address"] == CITY["address"]


def test_the_receipt_names_the_city_and_its_contact(client, city):
    today = timezone.localdate()
    proc, clerk = procedure_with_clerk(today)
    done = visit(proc, today, kind="walk_in", arrived=at(today, 9), wait=5)
    client.force_login(clerk.user)

    html = client.get(reverse("reservations:receipt", args=[done.pk])).content.decode()
    receipt = html.split('class="receipt mx-auto"')[1].split("</main>")[0]

    assert "さくら市" in receipt and CITY["phone"] in receipt and CITY["address"] in receipt
