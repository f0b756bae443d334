"""Issue 22: approver shown, approvals waiting, closing prompt, 年度-連番, the
information-only answer, the recurrence badge and knowledge search by reading/meaning."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints import services
from complaints.models import Complaint, KnowledgeSynonym, Status
from complaints.selectors import awaiting_my_approval, knowledge_cases
from organization.models import Role
from tests.complaints.factories import close, department_with_head, owner_answers, record
from tests.organization.factories import make_staff_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    shimin, shimin_head = department_with_head("shimin")
    fukushi, fukushi_head = department_with_head("fukushi")
    clerk = make_staff_member(department=shimin)
    return {
        "shimin": shimin,
        "fukushi": fukushi,
        "fukushi_head": fukushi_head,
        "shimin_head": shimin_head,
        "clerk": clerk,
        "manager": make_staff_member(role=Role.MANAGER, department=shimin),
    }


def _awaiting(city):
    complaint = record(city["clerk"])
    owner_answers(
        complaint, handler=city["clerk"], department=city["fukushi"], member=city["fukushi_head"]
    )
    services.complaint_closing_request(complaint=complaint, actor=city["clerk"], body="完了")
    return complaint


def test_the_case_page_names_who_may_approve_the_closing(client, city):
    complaint = _awaiting(city)
    client.force_login(city["clerk"].user)

    page = client.get(complaint.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    fukushi = city["fukushi"].name
    assert "Approver: head of %s" % fukushi in page
    assert "or a manager" in page


def test_waiting_for_my_approval_is_listed_on_the_staff_home(client, city):
    complaint = _awaiting(city)

    for member, expected in (
        (city["fukushi_head"], True),  # head of the owner department, level 1
        (city["manager"], True),
        (city["shimin_head"], False),  # not the owner department
        (city["clerk"], False),  # asked for the closing
    ):
        client.force_login(member.user)
        home = client.get(reverse("organization:staff_home"), HTTP_ACCEPT_LANGUAGE="en")
        page = home.content.decode()
        assert (complaint.summary in page) is expected, member
        assert ('data-testid="approval-count">1<' in page) is expected, member
        mine = awaiting_my_approval(user=member.user, member=member)
        assert (complaint in mine) is expected


def test_closing_a_still_dissatisfied_citizen_needs_the_state_updated_or_confirmed(client, city):
    complaint = record(city["clerk"])  # citizen "still dissatisfied"
    owner_answers(
        complaint, handler=city["clerk"], department=city["fukushi"], member=city["fukushi_head"]
    )
    client.force_login(city["clerk"].user)
    url = reverse("complaints:action", args=[complaint.pk, "close"])

    page = client.get(complaint.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    refused = client.post(url, {"close-body": "完了"}, HTTP_ACCEPT_LANGUAGE="en")

    assert 'data-testid="state-prompt"' in page
    assert refused.status_code == 400
    assert "Update the citizen" in refused.content.decode()
    assert Complaint.objects.get(pk=complaint.pk).status == Status.INVESTIGATING

    updated = client.post(url, {"close-body": "完了", "close-citizen_state": "satisfied"})

    complaint.refresh_from_db()
    assert updated.status_code == 302
    assert complaint.status == Status.AWAITING_APPROVAL
    assert complaint.citizen_state == "satisfied"
    assert complaint.events.filter(kind="citizen_state").exists()


def test_closing_while_unhappy_can_be_confirmed(client, city):
    complaint = record(city["clerk"])
    owner_answers(
        complaint, handler=city["clerk"], department=city["fukushi"], member=city["fukushi_head"]
    )
    client.force_login(city["clerk"].user)

    client.post(
        reverse("complaints:action", args=[complaint.pk, "close"]),
        {"close-body": "手を尽くした", "close-close_while_unhappy": "on"},
    )

    assert Complaint.objects.get(pk=complaint.pk).status == Status.AWAITING_APPROVAL


def test_new_complaints_are_numbered_by_fiscal_year(city):
    march = timezone.make_aware(dt.datetime(2026, 3, 31, 10))
    april = timezone.make_aware(dt.datetime(2026, 4, 1, 10))

    a = record(city["clerk"], received_at=march, at=april)
    b = record(city["clerk"], received_at=april, at=april)
    c = record(city["clerk"], received_at=april, at=april)

    assert a.reference == "2025-0001"  # March 2026 belongs to fiscal year 2025
    assert (b.reference, c.reference) == ("2026-0001", "2026-0002")


def test_an_information_only_department_is_not_asked_for_root_cause(client, city):
    complaint = record(city["clerk"])
    info = services.complaint_escalate(
        complaint=complaint,
        actor=city["clerk"],
        department=city["fukushi"],
        role="information",
        request="記録確認",
    )
    client.force_login(city["fukushi_head"].user)

    page = client.get(complaint.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    answered = client.post(
        reverse("complaints:respond", args=[complaint.pk, info.pk]),
        {"respond-%d-response" % info.pk: "記録を確認しました"},
    )

    assert "respond-%d-response" % info.pk in page
    assert "respond-%d-root_cause" % info.pk not in page
    assert "respond-%d-countermeasure" % info.pk not in page
    assert answered.status_code == 302


def _closed(city, root="規格の説明が窓口になかった", fix="規格を予約確認メールに載せる", **fields):
    return close(
        record(city["clerk"], **fields),
        handler=city["clerk"],
        owner_department=city["fukushi"],
        owner_member=city["fukushi_head"],
        approver=city["manager"],
        root=root,
        fix=fix,
    )


def test_the_recurrence_badge_and_its_text_agree(client, city):
    case = _closed(city, summary="顔写真の規格で再提出になった")
    client.force_login(city["manager"].user)
    url = reverse("complaints:knowledge_case", args=[case.pk])

    page = client.get(url, HTTP_ACCEPT_LANGUAGE="ja").content.decode()

    assert 'data-recurrence="no"' in page and "再発あり" not in page

    later = timezone.now() + dt.timedelta(minutes=1)
    record(city["clerk"], summary="また同じ分類の苦情", received_at=later, at=later)
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="ja").content.decode()

    assert 'data-recurrence="yes"' in page and "再発なし" not in page


@pytest.mark.parametrize(
    "query", ["写真", "しゃしん", "シャシン", "photo", "顔写真", "ｓｈａｓｈｉｎ"]
)
def test_knowledge_search_by_reading_and_meaning_finds_the_photo_case(city, query):
    KnowledgeSynonym.objects.all().delete()
    KnowledgeSynonym.objects.create(words="写真, photo, 顔写真")
    KnowledgeSynonym.objects.create(words="shashin, 写真")
    photo = _closed(city, summary="写真を撮り直すよう言われた", description="窓口で二度手間")
    _closed(city, summary="駐車場が満車", description="案内がない", root="満車", fix="案内")

    found = [case["id"] for case in knowledge_cases(text=query)]

    assert found == [photo.pk]


def test_knowledge_search_folds_spelling_variants(city):
    case = _closed(city, summary="引越しの届出で長く待った")

    assert [c["id"] for c in knowledge_cases(text="引っ越し")] == [case.pk]
    assert [c["id"] for c in knowledge_cases(text="ひっこし")] == [case.pk]


def test_a_reading_does_not_match_unrelated_kanji(city):
    _closed(city, summary="写真の規格")

    assert list(knowledge_cases(text="しゃしんき")) == []


def test_the_knowledge_page_finds_by_reading(client, city):
    case = _closed(city, summary="写真を撮り直すよう言われた")
    client.force_login(city["clerk"].user)

    page = client.get(reverse("complaints:knowledge"), {"q": "しゃしん"}).content.decode()

    assert case.summary in page
    assert re.search(r"1\s*件", page) or "1 case" in page
