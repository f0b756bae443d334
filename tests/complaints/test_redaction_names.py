"""A name of one-character parts (李 明), a name recorded without a space, the name's
readings in kana and romaji, and telephone numbers written with dots are taken out like
the rest (QA: 「李明さん」 and 「やまだ」 reached a department asked for information only
and the knowledge index)."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints import services
from complaints.models import Complaint
from complaints.redaction import redactor
from complaints.textsearch import complaint_index
from organization.models import Role
from tests.complaints.factories import close, department_with_head, escalate, record
from tests.organization.factories import make_staff_member

pytestmark = pytest.mark.django_db

MARK = "#"


def _redact(name: str, text: str, kana: str = "", contact: str = "") -> str:
    return redactor(name, contact, kana=kana, marker=MARK)(text)


@pytest.mark.parametrize("name", ["李 明", "李　明", "李明"])
@pytest.mark.parametrize(
    "text", ["李明さんより電話", "李 明様の件", "李　明の申出", "李さんが来庁", "明さんと話した"]
)
def test_a_name_of_one_character_parts_is_taken_out_in_any_spacing(name, text):
    redacted = _redact(name, text)

    assert "李" not in redacted and "明" not in redacted


@pytest.mark.parametrize("name", ["林 光", "金 一", "王 丹"])
def test_every_one_character_name_is_taken_out_before_an_honorific(name):
    family, given = name.split()

    text = "%s%sさん、%s様、%s氏、%s殿から" % (family, given, family, family, given)

    redacted = _redact(name, text)

    assert family not in redacted and given not in redacted


@pytest.mark.parametrize(
    "text",
    ["説明が足りない", "森林公園の件", "金額の誤り", "一度目の来庁", "女王様の話", "明日また来る"],
)
def test_a_one_character_part_inside_other_words_is_left(text):
    for name in ("李 明", "林 光", "金 一", "王 丹"):
        assert _redact(name, text) == text


@pytest.mark.parametrize("text", ["山田太郎様より", "山田様より", "山田 太郎さん", "太郎さん"])
def test_a_name_recorded_without_a_space_is_split_into_its_parts(text):
    assert "山田" not in _redact("山田太郎", text) and "太郎" not in _redact("山田太郎", text)


def test_a_name_the_analyser_cannot_split_is_taken_out_whole_and_by_its_start():
    redacted = _redact("金一", "金一さん、金さんより")

    assert "金" not in redacted


@pytest.mark.parametrize(
    "text",
    [
        "やまだ様より",
        "ヤマダ タロウさん",
        "やまだたろうが来た",
        "ﾔﾏﾀﾞ ﾀﾛｳ",
        "Yamada Taro",
        "Mr. YAMADA",
        "taro yamada",
        "Ｙａｍａｄａ様",
        "Yamada-san",
    ],
)
def test_the_readings_of_the_name_are_taken_out(text):
    redacted = _redact("山田 太郎", text)

    assert "#" in redacted
    assert not any(piece in redacted.lower() for piece in ("やまだ", "ヤマダ", "ﾔﾏﾀﾞ", "yamada"))
    assert not any(piece in redacted.lower() for piece in ("たろう", "タロウ", "ﾀﾛｳ", "taro"))


def test_the_recorded_reading_is_taken_out_with_its_long_vowels_in_any_romaji():
    text = "さとう様、サトウ、Sato, Satoh, Satou, Satō、さとうさん"

    redacted = _redact("佐藤 花子", text, kana="さとう はなこ")

    assert redacted.count(MARK) == 7, redacted


def test_a_reading_the_analyser_guesses_wrong_is_taken_out_when_recorded():
    redacted = _redact("李 明", "リ・ミンさん、ミンさん、Li Ming", kana="リ ミン")

    assert "ミン" not in redacted and "リ・" not in redacted


@pytest.mark.parametrize("text", ["あきらかに説明不足", "あきらめずに", "ありがとう", "カリン糖"])
def test_a_reading_inside_other_words_is_left(text):
    assert _redact("李 明", text) == text
    assert _redact("林 光", text) == text


@pytest.mark.parametrize(
    "phone", ["03.1234.5678", "03 1234 5678", "０３．１２３４．５６７８", "090・1234・5678"]
)
def test_telephone_numbers_with_dots_and_spaces_are_taken_out(phone):
    redacted = _redact("", "折り返しは%sまで" % phone)

    assert redacted == "折り返しは#まで"


def test_an_information_only_department_never_reads_a_short_name(client):
    zeimu, _head = department_with_head("zeimu")
    koho, _koho_head = department_with_head("koho")
    clerk = make_staff_member(department=zeimu)
    complaint = record(
        clerk,
        summary="李明さんより税額について",
        description="李さん（03.1234.5678）から、税額の説明が違うと申し出。",
        citizen_name="李 明",
        citizen_contact="li@example.jp",
    )
    escalate(complaint, by=clerk, to=koho, role="information", request="李さんの件、確認を")
    client.force_login(make_staff_member(department=koho).user)

    detail = client.get(complaint.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    listed = client.get(reverse("complaints:list"), HTTP_ACCEPT_LANGUAGE="en")

    for page in (detail.content.decode(), listed.content.decode()):
        assert "李" not in page and "5678" not in page
        assert "税額について" in page


def _closed_with_reading() -> Complaint:
    zeimu, _head = department_with_head("zeimu")
    fukushi, fukushi_head = department_with_head("fukushi")
    clerk = make_staff_member(department=zeimu)
    manager = make_staff_member(role=Role.MANAGER, department=zeimu)
    complaint = record(
        clerk,
        summary="やまだ様より税額について",
        description="山田様の書類を取り違えた。ヤマダさんに謝罪。",
        citizen_name="山田太郎",
        citizen_kana="やまだ たろう",
    )
    return close(
        complaint,
        handler=clerk,
        owner_department=fukushi,
        owner_member=fukushi_head,
        approver=manager,
        root="やまだ様の書類を取り違えた",
    )


def test_the_knowledge_index_holds_no_reading_of_the_name():
    case = _closed_with_reading()

    index = Complaint.objects.get(pk=case.pk).search_index

    assert "ヤマダ" not in index and "やまだ" not in index and "山田" not in index
    assert "税額" in index
    assert complaint_index(case) == index


def test_the_recorded_reading_is_kept_and_shown_to_those_who_need_to_know(client):
    zeimu, _head = department_with_head("zeimu")
    clerk = make_staff_member(department=zeimu)

    complaint = record(clerk, citizen_name="李 明", citizen_kana=" リ ミン ", summary="件名")

    assert complaint.citizen_kana == "リ ミン"
    client.force_login(clerk.user)
    assert "リ ミン" in client.get(complaint.get_absolute_url()).content.decode()


def test_the_migration_makes_the_index_of_closed_cases_again_without_readings(client):
    import importlib

    from django.apps import apps
    from django.db import connection

    case = _closed_with_reading()
    Complaint.objects.filter(pk=case.pk).update(search_index=" ヤマダ 税額 ␞ヤマダ␝やまだ様")
    migration = importlib.import_module("complaints.migrations.0012_citizen_kana")

    migration.forwards(apps, SimpleNamespace(connection=connection))  # all it reads

    index = Complaint.objects.get(pk=case.pk).search_index
    assert "ヤマダ" not in index and "税額" in index


def test_the_new_complaint_form_asks_for_the_reading(client):
    clerk = make_staff_member(department=department_with_head("zeimu")[0])
    client.force_login(clerk.user)

    page = client.get(reverse("complaints:new"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert 'name="citizen_kana"' in page


def test_retention_blanks_the_reading_with_the_name(settings):
    case = _closed_with_reading()
    old = timezone.now() - dt.timedelta(days=settings.PERSONAL_DATA_RETENTION_DAYS + 1)
    Complaint.objects.filter(pk=case.pk).update(closed_at=old)

    assert services.complaints_anonymise() == 1

    case.refresh_from_db()
    assert case.citizen_kana == "" and "やまだ" not in case.root_cause
