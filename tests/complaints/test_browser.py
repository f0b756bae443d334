"""A complaint's whole life in Chromium, in Japanese: recorded at the counter, escalated
to two departments, answered by the owner, approved, closed and found in the knowledge
base."""

import pytest
from playwright.sync_api import expect

from organization.models import Role
from tests.complaints.factories import department_with_head
from tests.organization.factories import make_staff_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, user, then: str | None = None):
    """Log ``user`` in afresh, then open the page at ``then`` if given."""
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("ユーザー名").fill(user.username)
    page.get_by_label("パスワード").fill("secret-pass-123")
    page.get_by_role("button", name="ログイン").click()
    if then:
        page.goto(then)


def named_department(code: str, name: str):
    """A department with its head, named in Japanese as the forms list it."""
    department, head = department_with_head(code)
    department.name_ja = name
    department.save()
    return department, head


def record_at_the_counter(page, clerk) -> str:
    """The counter clerk records the complaint; returns the complaint's address."""
    log_in(page, clerk.user, then="/complaints/new/")
    page.get_by_label("電話").check()
    page.get_by_label("市民の氏名").fill("窓口 花子")
    page.get_by_label("市民の連絡先").fill("090-9999-0000")
    page.get_by_label("対象の部署").select_option(label="市民課")
    page.get_by_label("分類").select_option(label="待ち時間")
    page.get_by_label("要約").fill("番号札が出ず長時間待った")
    page.get_by_label("何があったか").fill("発券機が止まっていて40分待った。")
    page.get_by_label("まだ不満がある").check()
    page.get_by_label("不便・時間の損失").check()
    page.get_by_label("一人").check()
    page.get_by_label("怒っている", exact=True).check()
    page.get_by_label("初めて").check()
    page.get_by_role("button", name="苦情を記録する").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("番号札が出ず長時間待った")
    expect(page.get_by_text("レベル 2").first).to_be_visible()
    return page.url


def escalate(page):
    """Escalate: fukushi owns the countermeasure, zeimu is asked for information only."""
    for department, role in (("福祉課", "対策の責任部署"), ("税務課", "情報提供のみ")):
        page.get_by_text("部署にエスカレーションする").click()
        page.locator("#id_escalate-department").select_option(label=department)
        page.get_by_label(role).check()
        page.get_by_label("依頼内容").fill("確認をお願いします")
        page.get_by_role("button", name="部署に依頼する").click()
        expect(page.get_by_role("alert").or_(page.get_by_role("status")).first).to_be_visible()
    expect(page.get_by_text("対策の責任部署", exact=False).first).to_be_visible()


def answer_for_information(page, head, complaint_url):
    """The information-only department answers, without seeing the citizen's name."""
    log_in(page, head.user, then=complaint_url)
    expect(page.get_by_text("窓口 花子")).to_have_count(0)
    page.locator("textarea[name$='-response']").fill("該当する記録はありません")
    page.get_by_role("button", name="回答を送る").click()


OWNER_ANSWER = {
    "response": "原因を特定しました",
    "root_cause": "発券機の用紙切れを点検していなかった",
    "countermeasure": "始業前点検に発券機を追加した",
}


def answer_as_owner(page, head, complaint_url):
    """The owner answers with the root cause and the countermeasure."""
    log_in(page, head.user, then=complaint_url)
    expect(page.get_by_text("窓口 花子")).to_be_visible()
    for field, text in OWNER_ANSWER.items():
        page.locator("textarea[name$='-%s']" % field).fill(text)
    page.get_by_role("button", name="回答を送る").click()
    expect(page.get_by_text(OWNER_ANSWER["countermeasure"]).first).to_be_visible()


def submit_the_closing(page, clerk, complaint_url):
    """The clerk submits the closing report, saying how the citizen stands now."""
    log_in(page, clerk.user, then=complaint_url)
    page.get_by_text("終結報告を提出する").click()
    page.get_by_label("終結報告").fill("ご本人に説明し、ご了承いただいた")
    page.get_by_label("市民の現在の状態").select_option("satisfied")
    page.get_by_role("button", name="終結の承認を依頼する").click()
    expect(page.get_by_text("終結承認待ち").first).to_be_visible()


def approve_the_closing(page, manager, complaint_url):
    log_in(page, manager.user, then=complaint_url)
    page.get_by_role("button", name="承認して終結する").click()
    expect(page.get_by_text("終結", exact=True).first).to_be_visible()


def find_in_the_knowledge_base(page, staff):
    """The case is knowledge now, for anyone on the staff, without personal data."""
    log_in(page, staff.user, then="/complaints/knowledge/")
    page.get_by_label("キーワード").fill("発券機")
    page.get_by_role("button", name="検索").click()
    expect(page.get_by_role("link", name="番号札が出ず長時間待った")).to_be_visible()
    expect(page.get_by_text("窓口 花子")).to_have_count(0)


def test_record_escalate_answer_approve_close_and_find_in_the_knowledge_base(page, live_server):
    shimin, shimin_head = named_department("shimin", "市民課")
    _fukushi, fukushi_head = named_department("fukushi", "福祉課")
    _zeimu, zeimu_head = named_department("zeimu", "税務課")
    clerk = make_staff_member(department=shimin)
    manager = make_staff_member(role=Role.MANAGER, department=shimin)

    complaint_url = record_at_the_counter(page, clerk)
    escalate(page)
    answer_for_information(page, zeimu_head, complaint_url)
    answer_as_owner(page, fukushi_head, complaint_url)
    submit_the_closing(page, clerk, complaint_url)
    approve_the_closing(page, manager, complaint_url)
    find_in_the_knowledge_base(page, shimin_head)
