"""The city's identity is one cached site-settings record: before any edit it comes from
the settings, a save shows at once, a page renders while the database is away; the demo
sets one up; only administrators edit it, in the admin."""

import io

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import OperationalError
from django.urls import reverse

from organization import selectors, services
from organization.logo import logo_clean
from organization.models import LogoType, Role, SiteSettings
from tests.organization.factories import CITY, ENTITY_ATTACKS, HOSTILE_SVGS, make_staff_member, png

pytestmark = pytest.mark.django_db


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


def test_a_process_that_kept_the_record_follows_a_change_of_the_settings_defaults(settings):
    """The record built once per process still shows a new CITY_NAME (a redeploy with new
    settings while Redis keeps the cached absence of a record)."""
    settings.CITY_NAME = "かえで町"
    assert selectors.site_settings().city_name == "かえで町"
    assert selectors.site_settings() is selectors.site_settings()  # built once

    settings.CITY_NAME = "くすのき村"

    assert selectors.site_settings().city_name == "くすのき村"
    assert selectors.site_settings_without_database().city_name == "くすのき村"


def test_a_save_by_any_other_path_clears_the_cache_too(client, city):
    assert "さくら市" in client.get("/").content.decode()  # cached now

    record = SiteSettings.objects.get()
    record.city_name = "もみじ市"
    record.save()

    assert "もみじ市" in client.get("/").content.decode().split("</header>")[0]


def test_a_cached_record_missing_a_field_still_reads_with_that_fields_default(
    city, django_assert_num_queries
):
    # Cached by the release before one that added a field: the page must not fail.
    values = selectors.site_settings() and cache.get(selectors.SITE_SETTINGS_CACHE_KEY)
    del values["phone"]
    cache.set(selectors.SITE_SETTINGS_CACHE_KEY, values)

    with django_assert_num_queries(0):
        current = selectors.site_settings()
        assert current.city_name == "さくら市"
        assert current.phone == SiteSettings._meta.get_field("phone").get_default()
        # The logo's bytes are never in the cache, and reading them does not query.
        assert current.logo == b""


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


def test_the_demo_sets_up_a_made_up_city_with_its_logo(client):
    call_command("seed_demo", stdout=io.StringIO())

    current = selectors.site_settings()
    assert current.city_name == "みどり市" and current.city_name_en == "Midori City"
    assert current.phone and current.opening_hours and current.website
    assert current.logo_type == LogoType.SVG
    assert client.get(reverse("site_logo")).status_code == 200


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
