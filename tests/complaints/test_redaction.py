"""The citizen's name and contact stay with those who need to know them, even where staff
wrote them into a summary or an answer (helper 42 found 「猪狩蓮司様（090-1234-5678）」 in the
knowledge base, the similar cases and an information-only department's page)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from complaints import services
from complaints.models import Complaint
from complaints.redaction import redactor
from organization.models import Role
from tests.complaints.factories import close, department_with_head, escalate, record
from tests.organization.factories import make_staff_member

pytestmark = pytest.mark.django_db

NAME, CONTACT = "猪狩 蓮司", "090-1234-5678"
MARK = "［個人情報］"


@pytest.mark.parametrize(
    ("text", "left"),
    [
        ("猪狩蓮司様より税額について", "様より税額について"),
        ("猪狩 蓮司さんから電話", "さんから電話"),
        ("猪狩様の書類を取り違えた", "様の書類を取り違えた"),
        ("折り返しは０９０ー１２３４ー５６７８へ", "折り返しは"),
        ("連絡先 03(1234)5678", "連絡先 "),
        ("返信 taro.yamada@example.jp まで", "返信 "),
    ],
)
def test_names_and_contacts_are_taken_out_of_a_text(text, left):
    with translation.override("ja"):
        redacted = redactor(NAME, CONTACT)(text)

    assert "猪狩" not in redacted and "蓮司" not in redacted
    assert not any(digit in redacted for digit in "0123456789０１２３４５６７８９")
    assert left in redacted and MARK in redacted


@pytest.mark.parametrize(
    "text",
    ["苦情 2026-0052 の件", "〒100-0001 の窓口", "10000円の手数料", "2026-12-01 09:30 に来庁"],
)
def test_references_dates_postal_codes_and_amounts_are_left_as_they_are(text):
    assert redactor(NAME, CONTACT)(text) == text


@pytest.fixture
def city():
    zeimu, _zeimu_head = department_with_head("zeimu")
    fukushi, fukushi_head = department_with_head("fukushi")
    koho, _koho_head = department_with_head("koho")
    return {
        "zeimu": zeimu,
        "clerk": make_staff_member(department=zeimu),
        "fukushi": fukushi,
        "fukushi_head": fukushi_head,
        "koho": koho,
        "koho1": make_staff_member(role=Role.DEPARTMENT_STAFF, department=koho),
        "manager": make_staff_member(role=Role.MANAGER, department=zeimu),
    }


def _named(city) -> Complaint:
    return record(
        city["clerk"],
        summary="L4 猪狩蓮司様より税額について",
        description="猪狩蓮司様（090-1234-5678）から、税額の説明が違うと申し出があった。",
        citizen_name=NAME,
        citizen_contact=CONTACT,
    )


def _closed(city) -> Complaint:
    return close(
        _named(city),
        handler=city["clerk"],
        owner_department=city["fukushi"],
        owner_member=city["fukushi_head"],
        approver=city["manager"],
        root="猪狩蓮司様の書類を取り違えた",
        fix="書類を二人で確かめる",
    )


def _shows_no_citizen(page: str) -> None:
    assert "猪狩" not in page and "090-1234" not in page and "蓮司" not in page


def test_the_knowledge_base_and_similar_cases_show_no_name_or_contact(client, city):
    case = _closed(city)
    client.force_login(make_staff_member(department=city["koho"]).user)

    listed = client.get(reverse("complaints:knowledge"), HTTP_ACCEPT_LANGUAGE="ja")
    shown = client.get(reverse("complaints:knowledge_case", args=[case.pk]))
    similar = client.get(reverse("complaints:similar"), {"summary": "猪狩 税額について"})

    for response in (listed, shown, similar):
        assert response.status_code == 200
        _shows_no_citizen(response.content.decode())
    assert "書類を取り違えた" in shown.content.decode() and MARK in shown.content.decode()
    assert "税額について" in similar.content.decode()  # the case is still offered


@pytest.mark.parametrize("query", ["猪狩", "蓮司", "猪狩蓮司", "いがり", "イガリ", "090-1234"])
def test_the_knowledge_base_finds_no_case_by_the_citizens_name_or_contact(client, city, query):
    """The cases shown have the name taken out; a search by it must not find them either,
    or anyone could learn which case was about whom."""
    case = _closed(city)
    client.force_login(make_staff_member(department=city["koho"]).user)
    url = reverse("complaints:knowledge")

    by_name = client.get(url, {"q": query}).content.decode()
    by_fact = client.get(url, {"q": "取り違え"}).content.decode()

    assert "税額について" not in by_name
    assert "税額について" in by_fact
    assert reverse("complaints:knowledge_case", args=[case.pk]) in by_fact


def test_an_information_only_department_reads_the_facts_without_the_citizen(client, city):
    complaint = _named(city)
    escalate(
        complaint,
        by=city["clerk"],
        to=city["koho"],
        role="information",
        request="猪狩蓮司様の件、広報の記録を確認してください",
    )
    client.force_login(city["koho1"].user)

    detail = client.get(complaint.get_absolute_url()).content.decode()
    listed = client.get(reverse("complaints:list")).content.decode()

    _shows_no_citizen(detail)
    _shows_no_citizen(listed)
    assert "税額について" in detail and "広報の記録を確認してください" in detail
    assert "税額について" in listed
    # Those who need to know still read what was written.
    client.force_login(city["clerk"].user)
    assert "猪狩蓮司様より" in client.get(complaint.get_absolute_url()).content.decode()


def test_the_notice_e_mail_to_departments_carries_no_name(city, mailoutbox):
    complaint = _named(city)
    escalate(complaint, by=city["clerk"], to=city["koho"], role="information", request="確認")
    from outbox.services import emails_send_due

    emails_send_due()
    bodies = [message.body for message in mailoutbox]
    assert bodies and all("猪狩" not in body and "税額について" in body for body in bodies)


def test_retention_takes_the_name_out_of_the_kept_texts_before_blanking_it(city, settings):
    case = _closed(city)
    Complaint.objects.filter(pk=case.pk).update(
        closed_at=timezone.now() - dt.timedelta(days=settings.PERSONAL_DATA_RETENTION_DAYS + 1)
    )

    assert services.complaints_anonymise() == 1

    case.refresh_from_db()
    kept = " ".join([case.summary, case.description, case.root_cause, case.search_index])
    assert case.citizen_name == "" and "猪狩" not in kept and "090" not in kept
    assert "税額について" in case.summary and "書類を取り違えた" in case.root_cause
    owner = case.escalations.get(role="owner")
    assert "猪狩" not in owner.root_cause
