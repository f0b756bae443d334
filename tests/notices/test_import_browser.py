"""The import page in Chromium: an upload becomes a job whose report page follows its
progress by htmx polling, within the Content-Security-Policy."""

import io
import os
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from playwright.sync_api import expect

from notices import services
from notices.models import CertificateType
from tests.notices.test_import import csv, row

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("NOTICES_SCREENSHOTS")  # a folder: save screenshots there


def _log_in(page, username="fukushi3"):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "madoguchi-demo")
    page.press("#id_password", "Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)  # logged in, moved on
    page.wait_for_load_state("networkidle")


def _watch_csp(page) -> list:
    violations = []
    page.expose_function("reportViolation", lambda text: violations.append(text))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation',"
        " e => window.reportViolation(e.violatedDirective + ' ' + e.blockedURI))"
    )
    return violations


def test_an_upload_shows_its_report_with_the_refused_lines(page, tmp_path):
    call_command("seed_demo", stdout=io.StringIO())
    violations = _watch_csp(page)
    _log_in(page)
    path = tmp_path / "records.csv"
    path.write_bytes(
        csv(
            row(record="B-1", ctype="jr-commuter"),
            row(record="B-2", number="R2", ctype="jr-commuter", name="a\x00b"),
            row(record="B-3", number="R3", ctype="juminhyo"),
        ).encode("cp932")
    )

    page.goto("/notices/import/")
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "import-phone-ja.png"), full_page=True)
    page.set_input_files("#id_file", str(path))
    page.get_by_role("button", name="取り込む").click()
    page.wait_for_url(re.compile(r"/notices/import/\d+/"))  # the import's own page
    page.wait_for_load_state("networkidle")

    content = page.content()
    assert "/notices/import/" in page.url and "完了" in content
    assert "<td>3</td>" in content  # the NUL byte's line
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "report-phone-ja.png"), full_page=True)
    assert violations == []


def test_the_report_follows_a_running_import_by_itself(browser, live_server, settings):
    call_command("seed_demo", stdout=io.StringIO())
    department = CertificateType.objects.get(code="jr-commuter").department_id
    run = services.import_run_start(
        upload=SimpleUploadedFile("r.csv", csv(row(record="P-1")).encode()),
        file_name="waiting.csv",
        department_id=department,
        queue=False,
    )
    for locale in ("ja-JP", "en-US"):
        context = browser.new_context(
            base_url=live_server.url, locale=locale, viewport={"width": 1280, "height": 900}
        )
        page = context.new_page()
        violations = _watch_csp(page)
        _log_in(page)
        page.goto("/notices/import/%d/" % run.pk)
        expect(page.locator("#import-progress progress")).to_be_visible()
        if SHOTS:
            page.screenshot(path=os.path.join(SHOTS, "running-desktop-%s.png" % locale))
        if locale == "en-US":
            services.import_run_process(run_id=run.pk)
            page.wait_for_selector("#import-progress .alert-success", timeout=10_000)
            assert page.locator("#import-progress progress").count() == 0
            if SHOTS:
                page.screenshot(path=os.path.join(SHOTS, "done-desktop-en.png"))
        else:
            page.wait_for_timeout(2500)  # one poll, still running
        assert violations == []
        context.close()
