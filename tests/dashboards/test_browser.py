"""In Chromium: a citizen answers the survey on a phone, the manager sees it counted."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from organization.models import Role
from tests.dashboards.factories import procedure_with_clerk, visit
from tests.organization.factories import make_staff_member
from tests.reservations.factories import at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_survey_answer_is_counted_on_the_managers_dashboard(page, live_server):
    today = timezone.localdate()
    procedure, _clerk = procedure_with_clerk(today)
    done = visit(procedure, today, arrived=at(today, 0, 1), wait=0, handle=1)
    done.done_at = timezone.now() - dt.timedelta(minutes=2)
    done.save(update_fields=["done_at"])
    manager = make_staff_member(role=Role.MANAGER)

    # The citizen, on a phone, from the receipt's QR code.
    page.goto("/survey/%s/" % done.survey_token)
    page.get_by_label("5 — とても満足").first.check()
    page.get_by_role("button", name="回答を送る").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("ご回答ありがとうございました")

    # The manager opens the dashboard for this month and updates the figures.
    page.goto("/accounts/login/")
    page.get_by_label("ユーザー名").fill(manager.user.username)
    page.get_by_label("パスワード").fill("secret-pass-123")
    page.get_by_role("button", name="ログイン").click()
    page.goto("/dashboards/?kind=month")
    page.get_by_role("button", name="今すぐ数値を更新").click()
    expect(page.get_by_text("数値を最新にしました。")).to_be_visible()
    satisfaction = page.locator(".card", has_text="満足度（4・5の割合）").first
    expect(satisfaction).to_contain_text("100%")
    expect(satisfaction).to_contain_text("回答 1 件")
