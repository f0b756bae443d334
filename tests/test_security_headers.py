"""The Content-Security-Policy holds: no inline script, handler or style on any page,
and the browser reports no violation while pages run (htmx, Bootstrap, the charts)."""

import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from organization.models import Role
from tests.organization.factories import make_staff_member

INLINE = [
    (
        re.compile(
            r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I
        ),
        "inline script",
    ),
    (re.compile(r"\son[a-z]+=\"", re.I), "inline event handler"),
    (re.compile(r"<[a-z][^>]*\sstyle=\"", re.I), "inline style attribute"),
    (re.compile(r"<style[\s>]", re.I), "style element"),
]


def assert_no_inline_code(html: str, where: str) -> None:
    for pattern, what in INLINE:
        match = pattern.search(html)
        assert match is None, "%s on %s: %s" % (
            what,
            where,
            html[match.start() : match.start() + 80],
        )


@pytest.mark.django_db
def test_every_page_sends_the_policy_and_has_no_inline_code(client):
    call_command("seed_demo", stdout=io.StringIO())
    public = ["/", "/book/", reverse("reservations:display"), "/privacy/", "/accessibility/"]
    staff = {
        Role.COUNTER_STAFF: ["/staff/", "/counter/", "/complaints/", "/complaints/new/"],
        Role.MANAGER: ["/dashboards/", "/dashboards/review/", "/complaints/knowledge/"],
        Role.DEPARTMENT_STAFF: ["/notices/", "/notices/import/"],
    }
    for path in public:
        response = client.get(path, follow=True)
        assert "script-src 'self'" in response["Content-Security-Policy"]
        assert_no_inline_code(response.content.decode(), path)
    for role, paths in staff.items():
        client.force_login(make_staff_member(role=role).user)
        for path in paths:
            response = client.get(path, follow=True)
            assert response.status_code == 200, path
            assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
            assert_no_inline_code(response.content.decode(), path)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_browser_reports_no_policy_violation(page):
    call_command("seed_demo", stdout=io.StringIO())
    violations = []
    page.on("console", lambda m: "Content Security Policy" in m.text and violations.append(m.text))

    page.goto("/book/")
    page.get_by_role("link").filter(has_text="住民票").first.click()
    page.wait_for_load_state("networkidle")
    for path in ("/privacy/", "/accessibility/"):
        page.goto(path)
        page.wait_for_load_state("networkidle")
    page.goto("/accounts/login/")
    page.get_by_label("ユーザー名").fill("manager")
    page.get_by_label("パスワード").fill("madoguchi-demo")
    page.get_by_role("button", name="ログイン").click()
    for path in ("/counter/", "/dashboards/", "/complaints/"):
        page.goto(path)
        page.wait_for_load_state("networkidle")

    assert violations == []
