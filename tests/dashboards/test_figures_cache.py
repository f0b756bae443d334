"""The dashboards' cached figures (dashboards/figures.py): shared by the managers'
requests, never older than the rollup, never another department's."""

import csv
import datetime as dt
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dashboards import rollup
from organization.models import Role
from tests.dashboards.factories import procedure_with_clerk, visit
from tests.organization.factories import make_staff_member
from tests.reservations.factories import at

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 7, 15)
Q = {"kind": "quarter", "period": "2025-Q2"}


def kpi_csv(client, **params) -> dict[str, list[str]]:
    response = client.get(
        reverse("dashboards:export", args=["kpis"]), {**Q, **params}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    return {row[0]: row for row in rows[1:]}


def facts_read(captured) -> bool:
    return any("dashboards_monthlyfact" in q["sql"] for q in captured.captured_queries)


def _one_answer_today():
    """A visit today answered 5, rolled up by the job; the procedure and day, for more."""
    today = timezone.localdate()
    procedure, _clerk = procedure_with_clerk(today)
    visit(procedure, today, arrived=at(today, 9), wait=12, handle=8, answer=5)
    rollup.facts_refresh_changed()
    return procedure, today


def test_a_second_request_takes_the_figures_from_the_cache(client, manager):
    procedure, _clerk = procedure_with_clerk(DAY)
    visit(procedure, DAY, arrived=at(DAY, 9), wait=12, handle=8, answer=5)
    rollup.facts_refresh([DAY])
    url = reverse("dashboards:overview")

    with CaptureQueriesContext(connection) as first:
        client.get(url, Q, HTTP_ACCEPT_LANGUAGE="en")
    with CaptureQueriesContext(connection) as second:
        page = client.get(url, Q, HTTP_ACCEPT_LANGUAGE="en")

    assert facts_read(first) and not facts_read(second)
    assert len(second.captured_queries) < len(first.captured_queries)
    assert "1 answers" in page.content.decode()


def test_the_rollup_job_refreshes_the_cached_figures(client, manager):
    # The job finds today's visits (and answers given since its last run) by itself.
    procedure, today = _one_answer_today()
    assert kpi_csv(client, period="")["satisfaction"][2:5] == ["100", "%", "1"]

    # An unhappy citizen comes and answers: until the job runs, the rollup (and the
    # page) do not know it yet…
    visit(procedure, today, arrived=at(today, 10), wait=30, handle=8, answer=1)
    assert kpi_csv(client, period="")["satisfaction"][2:5] == ["100", "%", "1"]
    # …the 5-minute job writes the rollup: the next page shows its figures.
    rollup.facts_refresh_changed()
    assert kpi_csv(client, period="")["satisfaction"][2:5] == ["50", "%", "2"]
    page = client.get(reverse("dashboards:overview"), HTTP_ACCEPT_LANGUAGE="en")
    assert "2 answers" in page.content.decode()


def test_the_refresh_button_shows_new_figures_at_once(client, manager):
    procedure, today = _one_answer_today()
    assert kpi_csv(client, period="")["satisfaction"][4] == "1"
    visit(procedure, today, arrived=at(today, 10), wait=12, handle=8, answer=4)

    client.post(reverse("dashboards:refresh"))

    assert kpi_csv(client, period="")["satisfaction"][4] == "2"


def test_a_target_edit_shows_on_the_cached_pages_at_once(client, administrator):
    procedure, _clerk = procedure_with_clerk(DAY)
    visit(procedure, DAY, arrived=at(DAY, 9), wait=12, handle=8, answer=5)
    rollup.facts_refresh([DAY])
    review = reverse("dashboards:review", args=["2025-Q2"])
    assert kpi_csv(client)["satisfaction"][6] == ""
    client.get(review)  # the review's figures are cached too

    client.post(review, {"form": "targets", "satisfaction": "90"})

    assert kpi_csv(client)["satisfaction"][6:8] == ["90", "met"]
    page = client.get(review, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'name="satisfaction" value="90' in page
    # Cleared again: the target is gone from the figures as well.
    client.post(review, {"form": "targets", "satisfaction": ""})
    assert kpi_csv(client)["satisfaction"][6:8] == ["", ""]


def test_a_department_never_gets_another_departments_cached_figures(client, manager):
    happy, _clerk = procedure_with_clerk(DAY)
    unhappy, _clerk = procedure_with_clerk(DAY)
    assert happy.department_id != unhappy.department_id
    visit(happy, DAY, arrived=at(DAY, 9), wait=5, handle=8, answer=5)
    visit(unhappy, DAY, arrived=at(DAY, 9), wait=40, handle=8, answer=1)
    rollup.facts_refresh([DAY])

    # The happy department's figures are cached first; each other scope has its own.
    assert kpi_csv(client, department=happy.department_id)["satisfaction"][2] == "100"
    assert kpi_csv(client, department=unhappy.department_id)["satisfaction"][2] == "0"
    assert kpi_csv(client, procedure=unhappy.pk)["satisfaction"][2] == "0"
    assert kpi_csv(client)["satisfaction"][2] == "50"
    assert kpi_csv(client, department=happy.department_id)["satisfaction"][2] == "100"

    def overview(department) -> tuple[str, set[str]]:
        """The headline satisfaction, and the waiting and handling minutes in the page's cached HTML
        (the charts' tables)."""
        page = client.get(
            reverse("dashboards:overview"),
            {**Q, "department": department},
            HTTP_ACCEPT_LANGUAGE="en",
        ).content.decode()
        headline = re.search(r'class="display-6 mb-1">([^<]*)', page).group(1).strip()
        return headline, set(re.findall(r">(\d+) min<", page))

    assert overview(happy.department_id) == ("100%", {"5", "8"})  # cached
    assert overview(unhappy.department_id) == ("0%", {"40", "8"})
    assert overview("")[0] == "50%"
    assert overview(happy.department_id) == ("100%", {"5", "8"})


def test_staff_who_may_not_see_the_dashboards_get_nothing_from_the_cache(client, manager):
    procedure, _clerk = procedure_with_clerk(DAY)
    visit(procedure, DAY, arrived=at(DAY, 9), wait=12, handle=8, answer=5)
    rollup.facts_refresh([DAY])
    params = {**Q, "department": procedure.department_id}
    assert client.get(reverse("dashboards:overview"), params).status_code == 200
    url = reverse("dashboards:export", args=["kpis"])
    assert client.get(url, params).status_code == 200

    clerk = make_staff_member(role=Role.DEPARTMENT_STAFF, department=procedure.department)
    client.force_login(clerk.user)

    assert client.get(reverse("dashboards:overview"), params).status_code == 403
    assert client.get(url, params).status_code == 403


def test_the_cached_figures_follow_the_language(client, manager):
    procedure, _clerk = procedure_with_clerk(DAY)
    visit(procedure, DAY, arrived=at(DAY, 9), wait=12, handle=8, answer=5)
    rollup.facts_refresh([DAY])
    url = reverse("dashboards:export", args=["kpis"])

    japanese = client.get(url, Q, HTTP_ACCEPT_LANGUAGE="ja").content.decode("utf-8-sig")
    english = client.get(url, Q, HTTP_ACCEPT_LANGUAGE="en").content.decode("utf-8-sig")

    assert "Satisfaction (share of 4–5)" not in japanese and "満足度" in japanese
    assert "Satisfaction (share of 4–5)" in english and "満足度" not in english


def test_the_refresh_button_goes_back_only_to_a_page_of_this_site(client, manager):
    back = client.post(reverse("dashboards:refresh"), {"next": "/dashboards/trend/?period=x"})
    away = client.post(reverse("dashboards:refresh"), {"next": "https://evil.example/"})
    sneaky = client.post(reverse("dashboards:refresh"), {"next": "//evil.example/"})

    assert back["Location"] == "/dashboards/trend/?period=x"
    assert away["Location"] == sneaky["Location"] == reverse("dashboards:overview")
