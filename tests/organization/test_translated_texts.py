"""Admin-entered texts in the seven citizen languages (issue 19, django-modeltranslation):
the migration keeps the English and copies the Japanese, a missing translation is shown
in Japanese marked lang="ja", and the admin finds what is missing per language."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import translation

from organization.models import Role
from organization.translated_migration import copy_into_translations
from organization.translation import text_columns, texts
from reservations.models import Procedure
from tests.organization.factories import make_staff_member
from tests.reservations.factories import ProcedureFactory

pytestmark = pytest.mark.django_db


def test_the_data_migration_copies_the_japanese_and_keeps_the_english():
    # given: rows as before the migration: the Japanese in the original column only,
    # the English in name_en, an empty English description
    procedure = ProcedureFactory(name="住民票の写し", name_en="Copy of the residence record")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE reservations_procedure SET name = %s, name_ja = NULL, "
            "description = %s, description_ja = NULL, description_en = '' WHERE id = %s",
            ["住民票の写し", "住民票の写しを発行します。", procedure.pk],
        )
    historical = (
        MigrationExecutor(connection)
        .loader.project_state(("reservations", "0011_translated_texts"))
        .apps
    )

    copy_into_translations(historical, "reservations", {"procedure": ["name", "description"]})

    stored = Procedure.objects.values(
        "name_ja", "name_en", "description_ja", "description_en", "name_ko"
    ).get(pk=procedure.pk)
    assert stored == {
        "name_ja": "住民票の写し",
        "name_en": "Copy of the residence record",
        "description_ja": "住民票の写しを発行します。",
        "description_en": None,  # empty is "not translated" from now on
        "name_ko": None,
    }


def test_each_language_reads_its_own_text_and_falls_back_to_japanese():
    procedure = ProcedureFactory(name="印鑑登録", name_en="Seal registration", name_ko="인감 등록")

    with translation.override("ko"):
        assert procedure.name == "인감 등록"
    with translation.override("vi"):
        assert procedure.name == "印鑑登録"
    with translation.override("ja-easy"):
        assert procedure.name == "印鑑登録"
    with translation.override("en"):
        assert procedure.name == "Seal registration"


def test_a_text_shown_in_japanese_on_a_korean_page_is_marked_lang_ja(client):
    untranslated = ProcedureFactory(name="転入届", name_en="Moving-in notification")
    translated = ProcedureFactory(name="印鑑登録", name_ko="인감 등록")

    page = client.get(reverse("reservations:procedures"), HTTP_ACCEPT_LANGUAGE="ko")

    html = page.content.decode()
    assert page.status_code == 200
    assert '<span lang="ja">%s</span>' % untranslated.name_ja in html
    assert "인감 등록" in html
    assert '<span lang="ja">%s</span>' % translated.name_ja not in html


def test_a_japanese_page_marks_nothing(client):
    ProcedureFactory(name="転入届")

    page = client.get(reverse("reservations:procedures"), HTTP_ACCEPT_LANGUAGE="ja")

    assert '<span lang="ja">転入届</span>' not in page.content.decode()


@pytest.fixture
def admin_client_(client):
    admin = make_staff_member(role=Role.ADMINISTRATOR).user
    get_user_model().objects.filter(pk=admin.pk).update(is_superuser=True, is_staff=True)
    client.force_login(admin)
    return client


def test_the_admin_filter_lists_what_misses_its_korean_name(admin_client_):
    missing = ProcedureFactory(name="転入届", name_en="Moving-in notification")
    complete = ProcedureFactory(
        **text_columns(
            "name",
            texts("印鑑登録", "印鑑登録", "Seal", "印章登记", "인감 등록", "Con dấu", "Carimbo"),
        ),
        **text_columns("description", texts(*[""] * 7)),
    )
    url = reverse("admin:reservations_procedure_changelist")

    page = admin_client_.get(url, {"missing_translation": "ko"})

    listed = list(page.context["cl"].result_list)
    assert missing in listed and complete not in listed
    assert "한국어" in page.content.decode()  # the filter names each language in its own


def test_the_admin_form_groups_every_language_under_each_text(admin_client_):
    procedure = ProcedureFactory(name="転入届")

    page = admin_client_.get(reverse("admin:reservations_procedure_change", args=[procedure.pk]))

    form = page.context["adminform"].form
    for column in ("name_ja", "name_ja_easy", "name_en", "name_zh_hans", "name_ko", "name_vi"):
        assert column in form.fields
    assert "name_pt_br" in form.fields and "name" not in form.fields
    assert form.fields["name_ja"].required and not form.fields["name_ko"].required


def test_the_original_column_always_holds_the_japanese():
    procedure = ProcedureFactory(name="転入届")
    with translation.override("en"):
        procedure.name = "Moving-in notification"  # writes name_en
        procedure.save()

    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM reservations_procedure WHERE id = %s", [procedure.pk])
        assert cursor.fetchone()[0] == "転入届"
