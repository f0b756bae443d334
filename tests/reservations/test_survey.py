"""The satisfaction survey after a visit: one answer per visit, no login."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from reservations import services
from reservations.models import SurveyAnswer, VisitStatus
from tests.dashboards.factories import booking, procedure_with_clerk, visit
from tests.reservations.factories import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def done_visit():
    today = timezone.localdate()
    procedure, clerk = procedure_with_clerk(today)
    reservation = booking(procedure, clerk, at(today, 9), email="hanako@example.jp")
    v = visit(
        procedure, today, kind="booked", reservation=reservation, arrived=at(today, 9), wait=5
    )
    v.done_at = timezone.now() - dt.timedelta(minutes=5)
    v.save(update_fields=["done_at"])
    return v


def url(v):
    return reverse("reservations:survey", args=[v.survey_token])


def test_a_citizen_answers_once_from_the_link(client, done_visit):
    page = client.get(url(done_visit), HTTP_ACCEPT_LANGUAGE="en")
    assert "Overall, how satisfied are you" in page.content.decode()

    response = client.post(
        url(done_visit), {"overall": "4", "waiting": "2", "comment": "丁寧でした"}
    )
    again = client.post(url(done_visit), {"overall": "1"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 302
    answer = SurveyAnswer.objects.get()
    assert (answer.visit, answer.overall, answer.waiting, answer.staff) == (done_visit, 4, 2, None)
    assert again.status_code == 409
    assert "already been answered" in again.content.decode()
    assert SurveyAnswer.objects.count() == 1


@pytest.mark.parametrize(
    "data", [{}, {"overall": "9"}, {"overall": "abc"}, {"overall": "3", "staff": "0"}]
)
def test_bad_answers_are_explained_and_nothing_is_stored(client, done_visit, data):
    response = client.post(url(done_visit), data, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert "Please check the answers marked below" in response.content.decode()
    assert not SurveyAnswer.objects.exists()


def test_the_survey_opens_only_when_the_visit_is_done_and_closes_after_the_window(
    client, done_visit, settings
):
    done_visit.status = VisitStatus.SERVING
    done_visit.save(update_fields=["status"])
    waiting = client.post(url(done_visit), {"overall": "5"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "opens when your visit is finished" in waiting.content.decode()

    done_visit.status = VisitStatus.DONE
    done_visit.done_at = timezone.now() - dt.timedelta(days=settings.SURVEY_OPEN_DAYS + 1)
    done_visit.save(update_fields=["status", "done_at"])
    late = client.post(url(done_visit), {"overall": "5"}, HTTP_ACCEPT_LANGUAGE="en")

    assert "This survey has closed" in late.content.decode()
    assert not SurveyAnswer.objects.exists()


def test_an_unknown_link_is_a_404(client):
    assert client.get(reverse("reservations:survey", args=["nope"])).status_code == 404


def test_the_survey_link_is_emailed_when_a_booked_visit_is_done(
    done_visit, django_capture_on_commit_callbacks
):
    done_visit.status = VisitStatus.SERVING
    done_visit.save(update_fields=["status"])

    with django_capture_on_commit_callbacks(execute=True):
        services.visit_act(visit=done_visit, action="done", actor=None)

    assert [m.to for m in mail.outbox] == [["hanako@example.jp"]]
    assert done_visit.survey_token in mail.outbox[0].body


def test_answers_cannot_be_out_of_range_even_in_the_database(done_visit):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        SurveyAnswer.objects.create(visit=done_visit, overall=6)


def test_survey_posts_are_rate_limited_per_address(client, done_visit, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "survey": (3, 600)}
    for _ in range(3):
        client.post(url(done_visit), {"overall": "x"}, REMOTE_ADDR="192.0.2.5")

    response = client.post(url(done_visit), {"overall": "5"}, REMOTE_ADDR="192.0.2.5")

    assert response.status_code == 429
    assert not SurveyAnswer.objects.exists()
    assert (
        client.post(url(done_visit), {"overall": "5"}, REMOTE_ADDR="192.0.2.6").status_code == 302
    )


def test_an_empty_answer_gets_a_specific_message_linked_to_the_question(client, done_visit):
    response = client.post(url(done_visit), {}, HTTP_ACCEPT_LANGUAGE="en")

    content = response.content.decode()
    assert response.status_code == 400
    assert 'id="form-errors"' in content
    assert 'href="#id_overall_0"' in content
    assert "Please choose how satisfied you are overall" in content
    assert SurveyAnswer.objects.count() == 0


def test_the_survey_shows_the_visit_day_in_japanese_format(client, done_visit):
    response = client.get(url(done_visit), HTTP_ACCEPT_LANGUAGE="ja")

    day = done_visit.day
    assert "%d年%d月%d日" % (day.year, day.month, day.day) in response.content.decode()
    assert day.isoformat() not in response.content.decode()
