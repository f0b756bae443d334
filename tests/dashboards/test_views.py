import csv
import datetime as dt
import io
import subprocess

import pytest
from django.urls import reverse

from dashboards import rollup
from dashboards.models import Kpi, QuarterAction, QuarterReview, Target
from organization.models import Role
from tests.dashboards.factories import procedure_with_clerk, visit
from tests.organization.factories import make_staff_member
from tests.reservations.factories import at

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 7, 15)
Q = {"kind": "quarter", "period": "2025-Q2"}


@pytest.fixture
def history():
    procedure, _clerk = procedure_with_clerk(DAY)
    visit(procedure, DAY, arrived=at(DAY, 9), wait=12, handle=8, answer=5)
    rollup.facts_refresh([DAY])
    return procedure


PAGES = [
    ("dashboards:overview", []),
    ("dashboards:letters", []),
    ("dashboards:complaints", []),
    ("dashboards:review", ["2025-Q2"]),
    ("dashboards:review_pdf", ["2025-Q2"]),
    ("dashboards:export", ["kpis"]),
]


@pytest.mark.parametrize("role", [Role.COUNTER_STAFF, Role.DEPARTMENT_STAFF, Role.ADMINISTRATOR])
@pytest.mark.parametrize(("name", "args"), PAGES)
def test_staff_of_other_roles_cannot_open_the_dashboards(client, role, name, args):
    client.force_login(make_staff_member(role=role).user)

    assert client.get(reverse(name, args=args)).status_code == 403


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_anonymous_visitors_are_sent_to_the_login(client, name, args):
    response = client.get(reverse(name, args=args))

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_dashboard_shows_the_period_with_its_counts(client, manager, history):
    page = client.get(reverse("dashboards:overview"), Q, HTTP_ACCEPT_LANGUAGE="en")

    text = page.content.decode()
    assert page.status_code == 200
    assert "FY2025 Q2" in text and "1 answers" in text
    assert "<svg" in text and "<table" in text  # each chart has its table


def test_the_dashboard_uses_a_constant_number_of_queries(
    client, manager, history, django_assert_max_num_queries
):
    client.get(reverse("dashboards:overview"), Q)
    # A new version of the figures: the page computes them (not from the cache).
    rollup.version_raise()
    with django_assert_max_num_queries(60) as few:
        client.get(reverse("dashboards:overview"), Q)
    for n in range(10):
        day = DAY + dt.timedelta(days=n)
        visit(history, day, arrived=at(day, 9), wait=n, handle=5, answer=4)
    rollup.facts_refresh([DAY + dt.timedelta(days=n) for n in range(10)])

    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("dashboards:overview"), Q)


def test_kpi_table_as_csv(client, manager, history):
    response = client.get(reverse("dashboards:export", args=["kpis"]), Q, HTTP_ACCEPT_LANGUAGE="en")

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert response["Content-Type"].startswith("text/csv")
    assert rows[0][:3] == ["code", "indicator", "value"]
    by_code = {row[0]: row for row in rows[1:]}
    assert by_code["satisfaction"][2] == "100"
    assert by_code["wait_p50_walk_in"][2] == "12"


def test_trend_csv_has_a_column_per_quarter(client, manager, history):
    response = client.get(
        reverse("dashboards:export", args=["trend"]), Q, HTTP_ACCEPT_LANGUAGE="en"
    )

    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header[-1] == "FY2025 Q2" and len(header) == 2 + 8


@pytest.mark.parametrize("language", ["ja", "en"])
def test_trend_csv_names_each_unit_once(client, manager, history, language):
    response = client.get(
        reverse("dashboards:export", args=["trend"]), Q, HTTP_ACCEPT_LANGUAGE=language
    )

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    indicators = [row[1] for row in rows[1:]]
    assert indicators and not [name for name in indicators if "（分） (分)" in name]
    assert not [name for name in indicators if "(min) (minutes)" in name]


def test_an_unknown_table_or_quarter_is_a_404(client, manager):
    assert client.get(reverse("dashboards:export", args=["salaries"])).status_code == 404
    assert client.get(reverse("dashboards:review", args=["2025-Q7"])).status_code == 404
    assert client.get(reverse("dashboards:review", args=["nonsense"])).status_code == 404


def test_bad_filters_fall_back_to_the_current_quarter(client, manager):
    response = client.get(
        reverse("dashboards:overview"), {"kind": "decade", "period": "x", "department": "abc"}
    )

    assert response.status_code == 200


def test_a_department_that_does_not_exist_is_left_out_and_said_so(client, manager, history):
    """The period asked for stays; the unknown department is named as left out."""
    response = client.get(
        reverse("dashboards:overview"),
        {"kind": "month", "period": "2025-08", "department": "999"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["period"].key == "2025-08"
    assert "was not recognised and is left out: Department" in page


def test_targets_set_on_the_review_are_compared_with_the_figures(client, administrator, history):
    url = reverse("dashboards:review", args=["2025-Q2"])

    response = client.post(url, {"form": "targets", "satisfaction": "80", "wait_p90_walk_in": "15"})
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert response.status_code == 302
    assert Target.objects.get(kpi=Kpi.SATISFACTION).value == 80
    assert "met" in page and "not met" not in page  # 100% ≥ 80% and 12 min ≤ 15 min
    client.post(url, {"form": "targets", "satisfaction": ""})
    assert not Target.objects.filter(kpi=Kpi.SATISFACTION).exists()


@pytest.mark.parametrize("value", ["-5", "150", "abc"])
def test_an_impossible_target_is_refused_with_a_message(client, administrator, value):
    url = reverse("dashboards:review", args=["2025-Q2"])

    response = client.post(
        url, {"form": "targets", "satisfaction": value}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400
    assert "Please correct the fields marked below" in response.content.decode()
    assert not Target.objects.exists()


def test_actions_and_the_review_are_kept_per_quarter(client, administrator):
    url = reverse("dashboards:review", args=["2025-Q2"])

    client.post(
        url, {"form": "action", "stage": "do", "text": "午前に窓口を増設", "owner": "市民課"}
    )
    client.post(url, {"form": "review", "findings": "待ち時間が改善", "decisions": "継続する"})
    action = QuarterAction.objects.get()
    client.post(reverse("dashboards:action_done", args=["2025-Q2", action.pk]), {"done": "1"})

    review = QuarterReview.objects.get()
    assert (review.fiscal_year, review.quarter, review.reviewed_by) == (2025, 2, administrator.user)
    assert QuarterAction.objects.get().done_at is not None
    assert (
        "午前に窓口を増設"
        not in client.get(reverse("dashboards:review", args=["2025-Q3"])).content.decode()
    )
    # An action without text is refused.
    assert client.post(url, {"form": "action", "stage": "do", "text": ""}).status_code == 400


def test_a_period_without_figures_says_why(client, manager, history):
    """Helper 42 opened 2030-Q1 from a bookmark: every value —, empty charts, no word."""
    url = reverse("dashboards:overview")

    future = client.get(url, {"kind": "quarter", "period": "2030-Q1"}).content.decode()
    empty = client.get(url, {"kind": "quarter", "period": "2019-Q1"}).content.decode()
    filled = client.get(url, Q).content.decode()

    assert "この期間はまだ始まっていません" in future
    assert "アンケート回答・苦情の記録がありません" in empty
    assert "まだ始まっていません" not in filled and "苦情の記録がありません" not in filled


@pytest.mark.parametrize("key", ["1999-Q1", "2101-Q1"])
def test_a_quarter_targets_cannot_be_kept_for_is_not_found_not_a_500(client, manager, key):
    """Helper 42 opened 1999-Q1 by its ← link; saving any of its forms was a 500."""
    url = reverse("dashboards:review", args=[key])

    assert client.get(url).status_code == 404
    assert (
        client.post(url, {"form": "review", "findings": "x", "decisions": "y"}).status_code == 404
    )
    assert client.get(reverse("dashboards:review_pdf", args=[key])).status_code == 404


def test_the_review_exports_as_a_japanese_pdf(client, manager, history, tmp_path):
    QuarterReview.objects.create(fiscal_year=2025, quarter=2, findings="待ち時間が改善した")

    response = client.get(reverse("dashboards:review_pdf", args=["2025-Q2"]))

    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    path = tmp_path / "review.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "待ち時間が改善した" in text
    assert "2025年度 第2四半期" in text  # the report is in Japanese


def test_the_review_pdf_is_japanese_from_an_english_screen(client, manager, history, tmp_path):
    """The 課長 signs a Japanese report whatever language the manager's screen is in."""
    client.cookies["django_language"] = "en"

    response = client.get(reverse("dashboards:review_pdf", args=["2025-Q2"]))

    path = tmp_path / "review.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "2025年度 第2四半期" in text and "Quarterly review" not in text


def test_update_now_counts_an_answer_that_just_came_in(client, manager, history):
    from django.utils import timezone

    from dashboards.models import DailyFact
    from reservations.models import SurveyAnswer

    rollup.facts_refresh_changed()  # the job ran: the watermark is now
    late = visit(history, DAY, arrived=at(DAY, 10), wait=3, handle=5)
    SurveyAnswer.objects.create(visit=late, overall=2, answered_at=timezone.now())

    response = client.post(reverse("dashboards:refresh"), {"next": "/dashboards/"})

    assert response.status_code == 302
    assert DailyFact.objects.get(day=DAY, kind="walk_in").answers == 2
