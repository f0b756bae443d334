"""axe-core in Chromium: no serious or critical accessibility violation on the public
pages and the staff pages, in Japanese and in English."""

import io

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command

from complaints.models import Complaint
from reservations.models import Visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PUBLIC = ["/", "/book/", "/book/juminhyo/", "/display/", "/accounts/login/"]
STAFF = [
    "/staff/",
    "/counter/",
    "/counter/kiosk/",
    "/staff/phone-booking/",
    "/complaints/",
    "/complaints/new/",
    "/complaints/knowledge/",
    "/notices/",
    "/notices/import/",
    "/dashboards/",
    "/dashboards/letters/",
    "/dashboards/complaints/",
    "/dashboards/review/",
]


def serious(axe, page, path) -> list[str]:
    page.goto(path)
    page.wait_for_load_state("networkidle")
    result = axe.run(page)
    return [
        "%s %s %s" % (path, violation["id"], node["target"])
        for violation in result.response["violations"]
        if violation["impact"] in ("serious", "critical")
        for node in violation["nodes"]
    ]


@pytest.mark.parametrize("locale", ["ja-JP", "en-US"])
def test_no_serious_accessibility_violation(browser, live_server, locale):
    call_command("seed_demo", stdout=io.StringIO())
    complaint = Complaint.objects.order_by("pk").first()
    survey = Visit.objects.filter(status="done").first()
    context = browser.new_context(base_url=live_server.url, locale=locale)
    page = context.new_page()
    axe = Axe()
    found = [
        v
        for path in [*PUBLIC, "/survey/%s/" % survey.survey_token]
        for v in serious(axe, page, path)
    ]
    page.goto("/accounts/login/")
    page.fill("#id_username", "manager")
    page.fill("#id_password", "madoguchi-demo")
    page.press("#id_password", "Enter")
    page.wait_for_load_state("networkidle")
    found += [
        v for path in [*STAFF, "/complaints/%d/" % complaint.pk] for v in serious(axe, page, path)
    ]
    context.close()

    assert found == []
