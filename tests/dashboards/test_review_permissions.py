"""Who may change a quarter's PDCA records: a manager their own department's targets,
review and actions (every manager reads them all); an administrator every
department's and the city-wide ones."""

import pytest
from django.urls import reverse

from dashboards.models import QuarterAction, QuarterReview, Stage, Target
from tests.organization.factories import DepartmentFactory
from tests.reservations.factories import ProcedureFactory

pytestmark = pytest.mark.django_db

URL = reverse("dashboards:review", args=["2025-Q2"])
POSTS = [
    {"form": "targets", "satisfaction": "90"},
    {"form": "review", "findings": "書き換え", "decisions": "書き換え"},
    {"form": "action", "stage": "do", "text": "書き換え"},
]


def _scoped(query: str = "") -> str:
    return URL + ("?" + query if query else "")


@pytest.fixture
def other_department():
    department = DepartmentFactory()
    QuarterReview.objects.create(
        fiscal_year=2025, quarter=2, department=department, findings="他課の振り返り"
    )
    return department


@pytest.mark.parametrize("data", POSTS, ids=lambda d: d["form"])
def test_a_manager_cannot_change_another_departments_pdca_records(
    client, manager, other_department, data
):
    procedure = ProcedureFactory(department=other_department)

    for query in ("department=%d" % other_department.pk, "procedure=%d" % procedure.pk):
        assert client.post(_scoped(query), data).status_code == 403

    assert not Target.objects.exists() and not QuarterAction.objects.exists()
    assert QuarterReview.objects.get().findings == "他課の振り返り"


@pytest.mark.parametrize("data", POSTS, ids=lambda d: d["form"])
def test_a_manager_cannot_change_the_city_wide_pdca_records(client, manager, data):
    assert client.post(URL, data).status_code == 403

    assert not Target.objects.exists() and not QuarterAction.objects.exists()
    assert not QuarterReview.objects.exists()


def test_another_departments_review_is_shown_read_only(client, manager, other_department):
    page = client.get(
        _scoped("department=%d" % other_department.pk), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()

    assert page.count('data-testid="pdca-read-only"') == 1
    assert "managers and administrators can change its targets, review and actions" in page
    assert "他課の振り返り" in page  # the review is there to read
    assert 'name="form"' not in page and "action_done" not in page


def test_the_city_wide_review_says_only_administrators_change_it(client, manager):
    page = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Only administrators can change the city-wide targets" in page
    assert 'name="form"' not in page


@pytest.mark.parametrize("data", POSTS, ids=lambda d: d["form"])
def test_a_manager_changes_their_own_departments_pdca_records(client, manager, data):
    own = "department=%d" % manager.department_id

    response = client.post(_scoped(own), data)

    assert response.status_code == 302
    saved = {
        "targets": Target.objects.filter(department=manager.department_id),
        "review": QuarterReview.objects.filter(department=manager.department_id),
        "action": QuarterAction.objects.filter(department=manager.department_id),
    }[data["form"]]
    assert saved.count() == 1
    page = client.get(_scoped(own)).content.decode()
    assert 'value="%s"' % data["form"] in page and 'data-testid="pdca-read-only"' not in page


def test_a_manager_marks_only_their_own_departments_actions_done(client, manager, other_department):
    theirs, own = (
        QuarterAction.objects.create(
            fiscal_year=2025, quarter=2, stage=Stage.DO, text="対応", department=department
        )
        for department in (other_department, manager.department)
    )
    city = QuarterAction.objects.create(fiscal_year=2025, quarter=2, stage=Stage.ACT, text="市")

    for action in (theirs, city, own):
        client.post(reverse("dashboards:action_done", args=["2025-Q2", action.pk]), {"done": "1"})

    done = set(QuarterAction.objects.filter(done_at__isnull=False).values_list("pk", flat=True))
    assert done == {own.pk}
    refused = client.post(reverse("dashboards:action_done", args=["2025-Q2", theirs.pk]))
    assert refused.status_code == 403


def test_an_administrator_changes_every_department_and_the_city(
    client, administrator, other_department
):
    for query in ("", "department=%d" % other_department.pk):
        for data in POSTS:
            assert client.post(_scoped(query), data).status_code == 302

    assert set(Target.objects.values_list("department", flat=True)) == {None, other_department.pk}
    assert QuarterReview.objects.get(department=other_department).findings == "書き換え"
    assert QuarterReview.objects.get(department=None).findings == "書き換え"
    assert QuarterAction.objects.count() == 2
