"""Issue 22: booked vs walk-in, 参考値, 集計中, typed CSV, the period picker."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboards import periods, rollup, selectors
from notices.models import Letter, LetterBatch
from tests.dashboards.factories import answered_visits, procedure_with_clerk

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 7, 15)
Q2 = periods.quarter(2025, 2)
Q = {"kind": "quarter", "period": "2025-Q2"}
MONTH_IN_Q2 = {"kind": "month", "period": "2025-Q2"}  # a month type with a quarter's key
EVERYTHING = selectors.Filters()


def _visits(procedure, clerk, **answers):
    """Visits on DAY with the given survey answers (one visit per answer)."""
    answered_visits(procedure, clerk, DAY, **answers)


def test_booked_and_walk_in_side_by_side_with_answers_and_intervals():
    procedure, clerk = procedure_with_clerk(DAY)
    # Booked: 38 of 40 satisfied; walk-in: 16 of 40.
    _visits(procedure, clerk, booked=[5] * 38 + [2] * 2, walk_in=[4] * 16 + [1] * 24)

    data = selectors.booked_vs_walk_in(Q2, EVERYTHING)

    booked, walk_in = data["booked"], data["walk_in"]
    assert (booked.answers, booked.satisfaction) == (40, 95.0)
    assert (walk_in.answers, walk_in.satisfaction) == (40, 40.0)
    assert booked.interval[0] < 95.0 < booked.interval[1]
    assert booked.wait_p50 == 3 and walk_in.wait_p50 == 20
    assert not data["overlap"]
    assert "55 points higher" in data["sentence"]
    assert "cannot say" not in data["sentence"]


def test_overlapping_intervals_say_there_is_no_difference():
    procedure, clerk = procedure_with_clerk(DAY)
    _visits(procedure, clerk, booked=[5, 5, 4, 2, 5], walk_in=[5, 4, 1, 2])

    data = selectors.booked_vs_walk_in(Q2, EVERYTHING)

    assert data["overlap"]
    assert "we cannot say there is a difference" in data["sentence"]
    assert "indicative" in data["sentence"]  # 5 and 4 answers, below 30


def test_the_comparison_sentence_is_japanese_on_japanese_pages(client, manager):
    procedure, clerk = procedure_with_clerk(DAY)
    _visits(procedure, clerk, booked=[5, 5, 4, 2, 5], walk_in=[5, 4, 1, 2])

    page = client.get(reverse("dashboards:comparison"), Q, HTTP_ACCEPT_LANGUAGE="ja")

    assert page.status_code == 200
    assert "差があるとは言えません" in page.content.decode()
    assert "<svg" in page.content.decode()


def test_comparison_page_and_csv_show_both_groups(client, manager):
    procedure, clerk = procedure_with_clerk(DAY)
    _visits(procedure, clerk, booked=[5] * 3, walk_in=[1] * 2)

    response = client.get(
        reverse("dashboards:export", args=["comparison"]), Q, HTTP_ACCEPT_LANGUAGE="en"
    )

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][2:7] == ["group", "visits", "answers", "satisfied (4–5)", "satisfaction (%)"]
    assert rows[1][:7] == ["FY2025 Q2", "Whole city hall", "Booked", "3", "3", "3", "100"]
    assert rows[2][2:7] == ["Walk-in", "2", "2", "0", "0"]


def test_satisfaction_below_the_minimum_is_marked_indicative(client, manager, settings):
    settings.DASHBOARD_MIN_ANSWERS = 30
    procedure, clerk = procedure_with_clerk(DAY)
    _visits(procedure, clerk, booked=[5] * 3, walk_in=[4] * 2)

    kpi = {k.code: k for k in selectors.kpis(Q2, EVERYTHING)}["satisfaction"]
    page = client.get(reverse("dashboards:overview"), Q, HTTP_ACCEPT_LANGUAGE="ja").content
    download = client.get(reverse("dashboards:export", args=["kpis"]), Q, HTTP_ACCEPT_LANGUAGE="ja")
    csv_rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))

    assert kpi.indicative and kpi.count == 5
    assert "参考値" in page.decode()
    satisfaction = next(row for row in csv_rows if row[0] == "satisfaction")
    assert "参考値" in satisfaction[-1] and satisfaction[4] == "5"


def test_enough_answers_is_not_indicative(settings):
    settings.DASHBOARD_MIN_ANSWERS = 4
    procedure, clerk = procedure_with_clerk(DAY)
    _visits(procedure, clerk, booked=[5] * 3, walk_in=[4] * 2)

    kpi = {k.code: k for k in selectors.kpis(Q2, EVERYTHING)}["satisfaction"]

    assert not kpi.indicative


def test_csv_columns_are_typed(client, manager):
    procedure, clerk = procedure_with_clerk(DAY)
    _visits(procedure, clerk, booked=[5] * 3, walk_in=[4] * 2)
    from dashboards.models import Target

    Target.objects.create(fiscal_year=2025, quarter=2, kpi="satisfaction", value=90)
    Target.objects.create(fiscal_year=2025, quarter=2, kpi="wait_p50_walk_in", value=10)

    response = client.get(reverse("dashboards:export", args=["kpis"]), Q, HTTP_ACCEPT_LANGUAGE="ja")

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    by_code = {row[0]: row for row in rows[1:]}
    assert by_code["satisfaction"][2] == "100" and by_code["satisfaction"][7] == "達成"
    assert by_code["wait_p50_walk_in"][2] == "20" and by_code["wait_p50_walk_in"][7] == "未達成"
    assert by_code["wait_p50_walk_in"][3] == "分"
    assert by_code["complaints_per_1000"][3] == "件/1,000件"
    assert "True" not in response.content.decode("utf-8-sig")
    assert "‰" not in response.content.decode("utf-8-sig")


def test_trend_csv_carries_the_number_of_answers(client, manager):
    procedure, clerk = procedure_with_clerk(DAY)
    _visits(procedure, clerk, booked=[5] * 3, walk_in=[4] * 2)

    response = client.get(
        reverse("dashboards:export", args=["trend"]), Q, HTTP_ACCEPT_LANGUAGE="en"
    )

    rows = {row[0]: row for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig")))}
    assert rows["satisfaction_answers"][-1] == "5"
    assert rows["satisfaction"][-1] == "100"


def test_complaints_per_1000_visits_never_in_per_mille():
    from dashboards.templatetags.kpi import kpi_format

    assert kpi_format(2.5, "per_1000") == "2.5 per 1,000 visits"


def _batch(rule, mailed):
    from tests.notices.factories import holder

    batch = LetterBatch.objects.create(rule=rule, created_at=mailed, mailed_at=mailed)
    certificate = holder(rule)
    Letter.objects.create(
        rule=rule,
        resident=certificate.resident,
        certificate=certificate,
        code="B%03d-0001" % batch.pk,
        batch=batch,
        created_at=mailed,
    )
    return batch


def test_a_batch_mailed_today_is_still_counting_not_zero(client, manager, rule):
    _batch(rule, timezone.now())
    _batch(rule, timezone.now() - dt.timedelta(days=40))
    rollup.letter_facts_refresh(all_batches=True)
    today = timezone.localdate()
    year = periods.period_containing(today, "year")
    previous_year = year.previous()

    rows = selectors.letter_batches(year, EVERYTHING) + selectors.letter_batches(
        previous_year, EVERYTHING
    )
    page = client.get(
        reverse("dashboards:letters"),
        {"kind": "year", "period": year.key},
        HTTP_ACCEPT_LANGUAGE="ja",
    ).content.decode()

    counting = [r for r in rows if r["counting"]]
    final = [r for r in rows if not r["counting"]]
    assert len(counting) == 1 and counting[0]["rate"] is None
    assert final[0]["rate"] == 0.0
    assert "集計中" in page


def test_every_dashboard_page_says_how_old_its_figures_are(client, manager):
    rollup.facts_refresh_changed()
    for name in ("overview", "comparison", "letters", "complaints"):
        page = client.get(reverse("dashboards:" + name), HTTP_ACCEPT_LANGUAGE="en")
        assert 'data-testid="data-age"' in page.content.decode(), name
        assert "Figures as of" in page.content.decode(), name


@pytest.fixture
def one_answer_each():
    """One booked and one walk-in visit on DAY, each with an answer."""
    procedure, clerk = procedure_with_clerk(DAY)
    _visits(procedure, clerk, booked=[5], walk_in=[4])


def test_a_month_chosen_with_a_quarter_follows_the_period_type(client, manager, one_answer_each):
    page = client.get(reverse("dashboards:overview"), MONTH_IN_Q2, HTTP_ACCEPT_LANGUAGE="en")

    assert page.context["period"] == periods.period_containing(dt.date(2025, 9, 1), "month")
    assert '<option value="2025-09" selected>' in page.content.decode()


def test_the_picker_offers_only_periods_with_data_and_marks_the_current(
    client, manager, one_answer_each
):
    today = timezone.localdate()

    options = client.get(
        reverse("dashboards:period_options"),
        {"kind": "quarter"},
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()

    keys = [line.split('"')[1] for line in options.split("<option value=")[1:]]
    current = periods.period_containing(today, "quarter")
    assert keys[0] == current.key and keys[-1] == "2025-Q2"
    assert "(so far)" in options
    assert "2024-Q4" not in keys and "2003" not in options


def test_the_picker_follows_the_type_in_place(client, manager, one_answer_each):
    options = client.get(
        reverse("dashboards:period_options"), MONTH_IN_Q2, HTTP_HX_REQUEST="true"
    ).content.decode()

    assert '<option value="2025-09" selected>' in options
    assert "<html" not in options


def test_department_targets_are_compared_on_the_department_page(client, manager):
    from dashboards.models import Target

    procedure, clerk = procedure_with_clerk(DAY)
    _visits(procedure, clerk, booked=[5] * 3, walk_in=[4] * 2)
    department = procedure.department
    manager.department = department  # the department's own manager sets its targets
    manager.save()
    url = reverse("dashboards:review", args=["2025-Q2"])

    client.post(url + "?department=%d" % department.pk, {"form": "targets", "satisfaction": "90"})
    scoped = selectors.Filters(department_id=department.pk)
    kpi = {k.code: k for k in selectors.kpis(Q2, scoped)}["satisfaction"]
    city_kpi = {k.code: k for k in selectors.kpis(Q2, EVERYTHING)}["satisfaction"]
    page = client.get(
        reverse("dashboards:overview"),
        {**Q, "department": department.pk},
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()

    target = Target.objects.get()
    assert (target.department_id, target.procedure_id) == (department.pk, None)
    assert kpi.target == 90 and kpi.met is True
    assert city_kpi.target is None  # a department's target is not the city's
    assert "90%" in page


def test_procedure_targets_are_their_own(client, manager):
    procedure, clerk = procedure_with_clerk(DAY)
    manager.department = procedure.department
    manager.save()
    _visits(procedure, clerk, booked=[5] * 3, walk_in=[2] * 2)
    url = reverse("dashboards:review", args=["2025-Q2"])

    client.post(url + "?procedure=%d" % procedure.pk, {"form": "targets", "satisfaction": "70"})

    kpi = {k.code: k for k in selectors.kpis(Q2, selectors.Filters(procedure_id=procedure.pk))}[
        "satisfaction"
    ]
    department_kpi = {
        k.code: k
        for k in selectors.kpis(Q2, selectors.Filters(department_id=procedure.department_id))
    }["satisfaction"]
    assert kpi.target == 70 and kpi.met is False  # 60% < 70%
    assert department_kpi.target is None


def test_a_new_quarter_carries_the_previous_targets_forward(client, administrator):
    from dashboards.models import Target

    Target.objects.create(fiscal_year=2025, quarter=1, kpi="satisfaction", value=80)
    Target.objects.create(fiscal_year=2025, quarter=1, kpi="no_show_rate", value=5)

    page = client.get(
        reverse("dashboards:review", args=["2025-Q2"]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    kpis = {k.code: k for k in selectors.kpis(Q2, EVERYTHING)}

    assert kpis["satisfaction"].target == 80 and kpis["no_show_rate"].target == 5
    assert 'data-testid="targets-carried"' in page and "FY2025 Q1" in page
    assert 'name="satisfaction" value="80' in page  # editable, filled in

    # Saved (changed) for Q2, they are Q2's own; Q1 keeps its own.
    client.post(
        reverse("dashboards:review", args=["2025-Q2"]),
        {"form": "targets", "satisfaction": "85", "no_show_rate": "5"},
    )
    assert selectors.targets_for(Q2)["satisfaction"] == 85
    assert selectors.targets_for(periods.quarter(2025, 1))["satisfaction"] == 80
    assert (
        'data-testid="targets-carried"'
        not in client.get(reverse("dashboards:review", args=["2025-Q2"])).content.decode()
    )


def test_the_review_is_kept_per_department(client, administrator):
    from dashboards.models import QuarterReview

    procedure, _clerk = procedure_with_clerk(DAY)
    department = procedure.department
    url = reverse("dashboards:review", args=["2025-Q2"])

    client.post(url, {"form": "review", "findings": "市全体", "decisions": ""})
    client.post(
        url + "?department=%d" % department.pk,
        {"form": "review", "findings": "課の振り返り", "decisions": ""},
    )

    assert QuarterReview.objects.count() == 2
    page = client.get(url + "?department=%d" % department.pk).content.decode()
    assert "課の振り返り" in page and "市全体" not in page


def test_the_review_pdf_has_charts_comparison_and_approval_boxes(client, manager, tmp_path):
    import subprocess

    from dashboards.models import QuarterReview, Target

    procedure, clerk = procedure_with_clerk(DAY)
    _visits(procedure, clerk, booked=[5] * 8 + [2] * 2, walk_in=[4] * 3 + [1] * 5, wait=45)
    Target.objects.create(fiscal_year=2025, quarter=2, kpi="satisfaction", value=90)
    Target.objects.create(fiscal_year=2025, quarter=2, kpi="wait_p90_walk_in", value=20)
    QuarterReview.objects.create(
        fiscal_year=2025, quarter=2, findings="予約した方が待たない", decisions="予約枠を増やす"
    )

    response = client.get(reverse("dashboards:review_pdf", args=["2025-Q2"]))

    path = tmp_path / "review.pdf"
    path.write_bytes(response.content)
    keep = __import__("os").environ.get("MADOGUCHI_KEEP_PDF")  # to look at it
    if keep:
        __import__("pathlib").Path(keep).write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "令和7年度 第2四半期" in text  # 和暦
    assert "決裁" in text and "課長" in text  # the approval boxes
    assert "予約して来庁した方の満足度" in text  # the booked-vs-walk-in sentence
    assert "未達成" in text and "45分" in text
    # Words are not broken across lines inside a cell (未達/成, 45/分).
    raw = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "未達\n成" not in raw and "45\n分" not in raw and "45 \n分" not in raw
    images = subprocess.run(
        ["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True
    )
    assert response["Content-Type"] == "application/pdf" and images.returncode == 0


@pytest.mark.parametrize(
    ("kpi", "absurd"),
    [("complaints_per_1000", "100000"), ("satisfaction", "101"), ("days_to_close", "1000")],
)
def test_a_target_no_figure_could_reach_is_refused(kpi, absurd):
    """100000 complaints per 1,000 visits read as "met" on the review and its PDF."""
    from dashboards.forms import TargetsForm

    form = TargetsForm({"form": "targets", kpi: absurd})

    assert not form.is_valid() and kpi in form.errors
    assert TargetsForm({"form": "targets", kpi: "10"}).is_valid()
