"""The city's identity: one cached site-settings record, shown on every citizen page, in
e-mails, the .ics, letters, the receipt and the error pages; the privacy notice and the
accessibility statement; the logo, cleaned and served safely."""

import datetime as dt
import io
import re
import sys

import icalendar
import pytest
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import OperationalError
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image

from config.views import server_error
from organization import selectors, services
from organization.logo import MAX_BYTES, logo_clean
from organization.models import LogoType, Role, SiteSettings
from tests.dashboards.factories import booking, procedure_with_clerk, visit
from tests.organization.factories import make_staff_member
from tests.reservations.factories import at
from tests.reservations.test_views import (  # noqa: F401 - the procedure fixture
    FUTURE_DAY,
    book_via_service,
    details_url,
    form_data,
    procedure,
)

pytestmark = pytest.mark.django_db

CITY = {
    "city_name": "さくら市",
    "city_name_en": "Sakura City",
    "address": "〒999-0001 さくら市中央1-1",
    "address_en": "1-1 Chuo, Sakura City 999-0001",
    "phone": "0999-11-2222",
    "opening_hours": "平日 9時〜17時",
    "opening_hours_en": "Weekdays 9:00–17:00",
    "website": "https://www.city.sakura.example.jp/",
}


@pytest.fixture
def city():
    return services.site_settings_update(**CITY)


def png(width=40, height=20, fmt="PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "green").save(out, format=fmt)
    return out.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A small PNG whose header claims a huge image (a decompression bomb)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


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


# --- The record and its cache -----------------------------------------------------------


def test_before_any_edit_the_city_comes_from_the_settings(settings):
    settings.CITY_NAME = "かえで町"
    settings.CITY_HALL_ADDRESS = "〒111-1111 かえで町1-1"

    current = selectors.site_settings()

    assert current.city_name == "かえで町"
    assert current.address == "〒111-1111 かえで町1-1"
    assert not current.has_logo


def test_settings_are_read_from_the_cache_and_a_save_shows_at_once(city, django_assert_num_queries):
    selectors.site_settings()  # fills the cache
    with django_assert_num_queries(0):
        assert selectors.site_settings().city_name == "さくら市"

    services.site_settings_update(city_name="もみじ市")

    assert selectors.site_settings().city_name == "もみじ市"


def test_before_any_edit_the_defaults_are_cached_and_the_first_save_shows_at_once(
    settings, django_assert_num_queries
):
    settings.CITY_NAME = "かえで町"
    selectors.site_settings()  # no record yet: the absence is cached
    with django_assert_num_queries(0):
        assert selectors.site_settings().city_name == "かえで町"
        assert selectors.site_settings_without_database().city_name == "かえで町"

    services.site_settings_update(city_name="もみじ市")

    assert selectors.site_settings().city_name == "もみじ市"


def test_a_save_by_any_other_path_clears_the_cache_too(client, city):
    assert "さくら市" in client.get("/").content.decode()  # cached now

    record = SiteSettings.objects.get()
    record.city_name = "もみじ市"
    record.save()

    assert "もみじ市" in client.get("/").content.decode().split("</header>")[0]


def test_the_cache_is_cleared_when_the_change_commits(city, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.site_settings_update(phone="0999-00-0000")
        selectors.site_settings()  # a page read between the save and the commit
    assert cache.get(selectors.SITE_SETTINGS_CACHE_KEY) is not None

    for callback in callbacks:
        callback()

    assert cache.get(selectors.SITE_SETTINGS_CACHE_KEY) is None
    assert selectors.site_settings().phone == "0999-00-0000"


def test_there_is_only_ever_one_record(city):
    services.site_settings_update(city_name="もみじ市")

    assert SiteSettings.objects.count() == 1
    with pytest.raises(ValidationError):
        services.site_settings_update(website="not a url")
    assert selectors.site_settings().website == CITY["website"]


def test_a_page_still_renders_while_the_database_is_away(client, city, monkeypatch):
    selectors.site_settings()
    cache.clear()

    def broken(*args, **kwargs):
        raise OperationalError("database is down")

    monkeypatch.setattr(SiteSettings.objects, "filter", broken)

    assert selectors.site_settings().city_name == "さくら市"  # the last one this process read


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


def test_the_demo_sets_up_a_made_up_city_with_its_logo(client):
    call_command("seed_demo", stdout=io.StringIO())

    current = selectors.site_settings()
    assert current.city_name == "みどり市" and current.city_name_en == "Midori City"
    assert current.phone and current.opening_hours and current.website
    assert current.logo_type == LogoType.SVG
    assert client.get(reverse("site_logo")).status_code == 200


# --- The logo -----------------------------------------------------------------------------

HOSTILE_SVGS = {
    "script": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><rect/></svg>',
    "onload": (
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect onclick="x()"/></svg>'
    ),
    "foreignObject": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><body '
        b'xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></body>'
        b"</foreignObject><rect/></svg>"
    ),
    "javascript link": (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        b'<a xlink:href="javascript:alert(1)"><rect/></a>'
        b'<use xlink:href="javascript:alert(2)"/><use href="JaVaScRiPt:alert(3)"/></svg>'
    ),
    "external reference": (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        b'<use xlink:href="https://evil.example/x.svg#a"/><image href="https://evil.example/t.png"/>'
        b'<rect fill="url(https://evil.example/f)"/></svg>'
    ),
    "data url": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><image href="data:text/html,alert(1)"/>'
        b'<use href="data:image/svg+xml;base64,PHN2Zz4="/></svg>'
    ),
    "animation setting a link": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><a><animate attributeName="href" '
        b'to="javascript:alert(1)"/><set attributeName="onclick" to="alert(1)"/></a></svg>'
    ),
    "css that loads": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(https://evil.example/);'
        b'</style><rect style="fill:url(https://evil.example/x)"/>'
        b'<rect style="background:url(javascript:alert(1))"/></svg>'
    ),
    "foreign namespace": (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:h="http://www.w3.org/1999/xhtml">'
        b'<h:script>alert(1)</h:script><h:iframe src="https://evil.example/"/></svg>'
    ),
}


@pytest.mark.parametrize("svg", HOSTILE_SVGS.values(), ids=HOSTILE_SVGS.keys())
def test_a_hostile_svg_is_stripped_of_everything_that_runs_or_loads(svg):
    cleaned = logo_clean(svg).content.decode().lower()

    for bad in ("script", "onload", "onclick", "foreignobject", "javascript", "evil", "data:"):
        assert bad not in cleaned
    for bad in ("<a", "<image", "<animate", "<set", "iframe", "@import"):
        assert bad not in cleaned
    assert cleaned.startswith('<svg xmlns="http://www.w3.org/2000/svg"')


def test_a_clean_svg_keeps_its_drawing():
    svg = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" '
        'xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10"><defs>'
        '<linearGradient id="g"><stop offset="0" stop-color="#0a0"/></linearGradient></defs>'
        '<circle cx="5" cy="5" r="4" fill="url(#g)" style="stroke:#000"/>'
        '<use xlink:href="#g"/><text x="1" y="9">市</text></svg>'
    ).encode()

    cleaned = logo_clean(svg).content.decode()

    assert 'viewBox="0 0 10 10"' in cleaned
    assert 'fill="url(#g)"' in cleaned and 'style="stroke:#000"' in cleaned
    assert 'href="#g"' in cleaned and "<text" in cleaned and "市" in cleaned


ENTITY_ATTACKS = {
    "billion laughs": (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;">]><svg xmlns="http://www.w3.org/2000/svg"><text>&c;</text></svg>'
    ),
    "external entity": (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>'
    ),
    "external dtd": (
        b'<?xml version="1.0"?><!DOCTYPE svg SYSTEM "https://evil.example/x.dtd">'
        b'<svg xmlns="http://www.w3.org/2000/svg"/>'
    ),
}


@pytest.mark.parametrize("svg", ENTITY_ATTACKS.values(), ids=ENTITY_ATTACKS.keys())
def test_svgs_with_entities_or_a_dtd_are_refused(svg):
    with pytest.raises(ValidationError, match="DTD"):
        logo_clean(svg)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"GIF89a" + b"\0" * 20, "PNG or SVG"),
        (b"\x89PNG\r\n\x1a\n" + b"not really a png", "cannot be read"),
        (png(2500, 10), "pixels"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'>" + b" " * MAX_BYTES + b"</svg>", "KB"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><rect></svg>", "cannot be read"),
        (b"<?xml version='1.0'?><html xmlns='http://www.w3.org/1999/xhtml'/>", "not an SVG"),
        (png_declaring(100_000, 100_000), "pixels"),
        (
            b"<svg xmlns='http://www.w3.org/2000/svg'>"
            + b"<g>" * 5000
            + b"</g>" * 5000
            + b"</svg>",
            "complex",
        ),
    ],
    ids=[
        "gif",
        "fake png",
        "huge png",
        "too many bytes",
        "broken svg",
        "html",
        "png bomb",
        "deep svg",
    ],
)
def test_a_file_that_is_not_a_safe_logo_is_refused_with_a_message(data, message):
    with translation.override("en"), pytest.raises(ValidationError, match=message):
        logo_clean(data)


def test_a_png_is_decoded_and_written_again():
    # given a real PNG with a second file appended to it
    data = png() + b"<script>alert(1)</script>"

    logo = logo_clean(data)

    assert logo.content_type == LogoType.PNG
    assert b"script" not in logo.content
    assert Image.open(io.BytesIO(logo.content)).size == (40, 20)


@pytest.mark.parametrize(
    ("data", "content_type", "policy"),
    [
        (HOSTILE_SVGS["script"], "image/svg+xml", "default-src 'none'; style-src 'unsafe-inline'"),
        (png(), "image/png", "default-src 'none'"),
    ],
)
def test_the_logo_is_served_with_its_own_strict_headers(client, data, content_type, policy):
    services.site_settings_update(logo=logo_clean(data))
    version = selectors.site_settings().logo_version

    response = client.get(reverse("site_logo"), {"v": version})
    unversioned = client.get(reverse("site_logo"))
    again = client.get(reverse("site_logo"), HTTP_IF_NONE_MATCH='"%s"' % version)

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Security-Policy"].startswith(policy)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "immutable" in response["Cache-Control"]
    assert "max-age=31536000" in response["Cache-Control"]
    assert "immutable" not in unversioned["Cache-Control"]
    assert again.status_code == 304
    assert b"script" not in response.content


def test_the_header_shows_the_logo_once_there_is_one(client, city):
    assert "site-logo" not in client.get("/").content.decode()

    services.site_settings_update(logo=logo_clean(png()))
    version = selectors.site_settings().logo_version

    header = client.get("/").content.decode().split("</header>")[0]
    assert 'src="%s?v=%s"' % (reverse("site_logo"), version) in header


def test_without_a_logo_the_logo_address_is_404(client):
    assert client.get(reverse("site_logo")).status_code == 404


# --- The admin ----------------------------------------------------------------------------


def admin_form(**changes) -> dict:
    # The admin has one field per language for each text: city_name → city_name_ja …
    data = dict.fromkeys(services.SITE_SETTINGS_FIELDS, "")
    for name, value in {**CITY, **changes}.items():
        data[name + "_ja" if name in services.SITE_SETTINGS_TEXTS else name] = value
    return data


def test_an_administrator_edits_the_one_record_and_pages_show_it_at_once(client, city):
    admin = make_staff_member(role=Role.ADMINISTRATOR)
    client.force_login(admin.user)
    change_url = reverse("admin:organization_sitesettings_change", args=[1])
    client.get("/")  # the old name is cached now

    opened = client.get(reverse("admin:organization_sitesettings_changelist"))
    logo = io.BytesIO(HOSTILE_SVGS["onload"])
    logo.name = "logo.svg"
    saved = client.post(change_url, {**admin_form(city_name="けやき市"), "logo_upload": logo})

    assert opened.status_code == 302 and opened["Location"] == change_url
    assert saved.status_code == 302, saved.context["adminform"].form.errors
    assert "けやき市" in client.get("/").content.decode().split("</header>")[0]
    stored = SiteSettings.objects.get()
    assert stored.logo_type == LogoType.SVG and b"onload" not in bytes(stored.logo)
    assert client.get(reverse("admin:organization_sitesettings_add")).status_code == 403
    delete_url = reverse("admin:organization_sitesettings_delete", args=[1])
    assert client.post(delete_url).status_code == 403
    assert SiteSettings.objects.count() == 1


def test_a_bad_logo_in_the_admin_is_a_form_error_and_changes_nothing(client, city):
    client.force_login(make_staff_member(role=Role.ADMINISTRATOR).user)
    logo = io.BytesIO(ENTITY_ATTACKS["billion laughs"])
    logo.name = "logo.svg"

    response = client.post(
        reverse("admin:organization_sitesettings_change", args=[1]),
        {**admin_form(city_name="けやき市"), "logo_upload": logo},
    )

    assert response.status_code == 200
    assert "logo_upload" in response.context["adminform"].form.errors
    assert SiteSettings.objects.get().city_name == "さくら市"


def test_the_admin_can_remove_the_logo(client, city):
    services.site_settings_update(logo=logo_clean(png()))
    client.force_login(make_staff_member(role=Role.ADMINISTRATOR).user)

    client.post(
        reverse("admin:organization_sitesettings_change", args=[1]),
        admin_form(logo_remove="on"),
    )

    assert not selectors.site_settings().has_logo
    assert client.get(reverse("site_logo")).status_code == 404


@pytest.mark.parametrize("role", [Role.MANAGER, Role.COUNTER_STAFF])
def test_only_administrators_change_the_site_settings(client, city, role):
    client.force_login(make_staff_member(role=role).user)

    response = client.post(
        reverse("admin:organization_sitesettings_change", args=[1]), admin_form(city_name="x")
    )

    assert response.status_code in (302, 403)
    assert SiteSettings.objects.get().city_name == "さくら市"
