import datetime as dt
import re
import uuid

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from complaints import services
from complaints.models import Category, Complaint, Status
from organization.models import AccessKind, AccessLog, Role
from tests.complaints.factories import close, department_with_head, record
from tests.organization.factories import make_staff_member

pytestmark = pytest.mark.django_db

NAME = "苦情 花子"
CONTACT = "090-1111-2222"


@pytest.fixture
def city():
    shimin, _ = department_with_head("shimin")
    fukushi, fukushi_head = department_with_head("fukushi")
    zeimu, zeimu_head = department_with_head("zeimu")
    koho, koho_head = department_with_head("koho")
    clerk = make_staff_member(department=shimin)
    complaint = record(clerk)
    services.complaint_escalate(
        complaint=complaint, actor=clerk, department=fukushi, role="owner", request="原因調査"
    )
    services.complaint_escalate(
        complaint=complaint, actor=clerk, department=zeimu, role="information", request="記録確認"
    )
    services.complaint_reply_add(complaint=complaint, actor=clerk, text="花子様へ電話で説明")
    return {
        "complaint": complaint,
        "clerk": clerk,
        "shimin": shimin,
        "fukushi_head": fukushi_head,
        "zeimu_head": zeimu_head,
        "koho_head": koho_head,
        "manager": make_staff_member(role=Role.MANAGER, department=koho),
    }


def as_user(client, member):
    client.force_login(member.user)
    return client


def detail(complaint):
    return reverse("complaints:detail", args=[complaint.pk])


def test_staff_of_an_uninvolved_department_cannot_reach_the_complaint_by_any_url(client, city):
    complaint = city["complaint"]
    as_user(client, city["koho_head"])

    assert complaint.summary not in client.get(reverse("complaints:list")).content.decode()
    assert client.get(detail(complaint)).status_code == 404
    response = client.post(
        reverse("complaints:action", args=[complaint.pk, "note"]), {"note-text": "見た"}
    )
    assert response.status_code == 404
    assert not AccessLog.objects.exists()


def test_anonymous_visitors_are_sent_to_the_login(client, city):
    response = client.get(detail(city["complaint"]))

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_information_only_department_sees_the_facts_but_no_personal_data(client, city):
    complaint = city["complaint"]
    as_user(client, city["zeimu_head"])

    page = client.get(detail(complaint)).content.decode()

    assert complaint.description in page
    assert NAME not in page and CONTACT not in page
    assert "花子様へ電話で説明" not in page  # the reply quotes the citizen
    assert not AccessLog.objects.exists()
    assert complaint.summary in client.get(reverse("complaints:list")).content.decode()


def test_an_information_only_department_reads_no_text_that_may_name_the_citizen(client, city):
    """Staff write the citizen's name where it helps them: the first response, notes,
    reports, a pause's reason. A department asked for information only reads the facts,
    what it was asked and the answers, none of those."""
    clerk = city["clerk"]
    complaint = record(clerk, first_response="花子様に謝罪した", summary="二件目の苦情")
    services.complaint_escalate(
        complaint=complaint,
        actor=clerk,
        department=city["zeimu_head"].department,
        role="information",
        request="課税記録の確認を依頼",
    )
    services.complaint_note_add(complaint=complaint, actor=clerk, text="花子様は午後在宅")
    services.complaint_pause(complaint=complaint, actor=clerk, reason="花子様からの書類待ち")
    services.complaint_report_submit(
        complaint=complaint, actor=clerk, kind="initial", body="花子様に経緯を説明した"
    )

    zeimu = as_user(client, city["zeimu_head"]).get(detail(complaint)).content.decode()
    handler = as_user(client, clerk).get(detail(complaint)).content.decode()

    assert "花子" not in zeimu
    assert complaint.description in zeimu and "課税記録の確認を依頼" in zeimu
    assert (
        "Not shown to you"
        in as_user(client, city["zeimu_head"])
        .get(detail(complaint), HTTP_ACCEPT_LANGUAGE="en")
        .content.decode()
    )
    for text in (
        "花子様に謝罪した",
        "花子様は午後在宅",
        "花子様からの書類待ち",
        "花子様に経緯を説明した",
    ):
        assert text in handler


def test_the_knowledge_base_does_not_search_the_first_response(client, city):
    """The first response is never shown there: a word only in it finds nothing."""
    case = _closed_case(city, summary="番号札が出ず長時間待った", first_response="山田様に謝罪")
    as_user(client, city["koho_head"])

    found = client.get(reverse("complaints:knowledge"), {"q": "山田"}).content.decode()

    assert case.summary not in found


def test_an_information_only_department_cannot_act_for_the_handler(client, city):
    as_user(client, city["zeimu_head"])

    response = client.post(
        reverse("complaints:action", args=[city["complaint"].pk, "escalate"]),
        {
            "escalate-department": city["shimin"].pk,
            "escalate-role": "joint",
            "escalate-request": "x",
        },
    )

    assert response.status_code == 403


def test_the_owner_department_sees_personal_data_and_the_view_is_logged(client, city):
    complaint = city["complaint"]
    as_user(client, city["fukushi_head"])

    page = client.get(detail(complaint)).content.decode()

    assert NAME in page and CONTACT in page
    access = AccessLog.objects.get()
    assert (access.user, access.kind, access.object_type, access.object_id, access.view) == (
        city["fukushi_head"].user,
        AccessKind.PERSONAL_DATA_READ,
        "complaints.complaint",
        str(complaint.pk),
        "complaints:detail",
    )
    assert NAME not in str(access) and CONTACT not in access.detail


def test_managers_see_every_complaint_and_their_views_are_logged(client, city):
    as_user(client, city["manager"])

    assert NAME in client.get(detail(city["complaint"])).content.decode()
    assert AccessLog.objects.filter(user=city["manager"].user).count() == 1


def test_recording_a_complaint_from_the_form(client, city, django_capture_on_commit_callbacks):
    as_user(client, city["clerk"])
    form = {
        "channel": "phone",
        "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "citizen_name": "電話 太郎",
        "citizen_contact": "03-0000-0000",
        "department": city["shimin"].pk,
        "category": Category.objects.get(name_ja="職員の対応").pk,
        "summary": "職員の説明が不親切",
        "description": "必要書類の説明が分かりにくかった。",
        "citizen_state": "calmed",
        "damage": "inconvenience",
        "reach": "one",
        "emotion": "angry",
        "repeat": "first",
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("complaints:new"), form)

    complaint = Complaint.objects.get(summary="職員の説明が不親切")
    assert response.status_code == 302 and response["Location"] == detail(complaint)
    assert (complaint.level, complaint.recorded_by, complaint.channel) == (
        2,
        city["clerk"],
        "phone",
    )
    # Level 2 tells the head of the department concerned; the e-mail has no personal data.
    message = mail.outbox[-1]
    assert city["shimin"].head.user.email in message.to
    assert "電話 太郎" not in message.body and "03-0000-0000" not in message.body


def _record_form(city, **change) -> dict:
    """The record form as a clerk fills it in (a level-1 complaint), with ``change``."""
    return {
        "channel": "counter",
        "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "department": city["shimin"].pk,
        "category": Category.objects.first().pk,
        "summary": "要約",
        "description": "内容",
        "citizen_state": "calmed",
        "damage": "financial",
        "reach": "one",
        "emotion": "calm",
        "repeat": "first",
        **change,
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"summary": ""}, "This field is required"),
        ({"received_at": "2999-01-01T10:00"}, "cannot be in the future"),
        ({"received_at": "昨日"}, "Enter a valid date/time"),
        ({"booking_code": "ZZZZ-ZZZZ"}, "No booking has this code"),
        ({"damage": "catastrophic"}, "Select a valid choice"),
        ({"level": "1"}, "cannot be recorded lower"),
        # A year typed wrong: not a complaint overdue since 2000 (nor a server error).
        ({"received_at": "2000-01-05T10:00"}, "the start of the last fiscal year"),
        ({"received_at": "0001-01-01T00:00"}, "the start of the last fiscal year"),
        ({"description": "長" * 5001}, "at most 5000 characters"),
    ],
)
def test_bad_input_on_the_record_form_is_explained_and_nothing_is_stored(
    client, city, change, message
):
    as_user(client, city["clerk"])
    form = _record_form(city, **change)
    before = Complaint.objects.count()

    response = client.post(reverse("complaints:new"), form, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert message in response.content.decode()
    assert Complaint.objects.count() == before


def test_the_same_record_form_sent_twice_records_one_complaint(client, city):
    """A double click on a slow connection: the second send goes to the first's page."""
    as_user(client, city["clerk"])
    page = client.get(reverse("complaints:new")).content.decode()
    key = re.search(r'name="submission_key" value="([0-9a-f-]+)"', page).group(1)
    form = _record_form(city, submission_key=key, summary="二重送信の苦情")

    first = client.post(reverse("complaints:new"), form)
    second = client.post(reverse("complaints:new"), form, follow=True)

    complaint = Complaint.objects.get(summary="二重送信の苦情")
    assert first["Location"] == detail(complaint)
    assert second.redirect_chain[-1][0] == detail(complaint)
    assert "2回送信されました" in second.content.decode()
    # A new form is a new complaint.
    again = client.get(reverse("complaints:new")).content.decode()
    assert key not in again


def test_an_action_with_bad_input_shows_the_error_on_the_page(client, city):
    as_user(client, city["clerk"])

    response = client.post(
        reverse("complaints:action", args=[city["complaint"].pk, "close"]),
        {"close-body": "完了"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert "The owner has not yet given the root cause" in response.content.decode()
    assert Complaint.objects.get(pk=city["complaint"].pk).status == Status.INVESTIGATING


def test_a_refused_action_is_summarised_at_the_top_with_links_to_its_fields(client, city):
    """On a phone the action's form is far down the page: its problems come first."""
    as_user(client, city["clerk"])

    response = client.post(
        reverse("complaints:action", args=[city["complaint"].pk, "escalate"]),
        {"escalate-request": ""},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    html = response.content.decode()
    assert response.status_code == 400
    summary = html.index('id="form-errors"')
    assert summary < html.index('id="facts-title"')  # before the case itself
    assert 'href="#id_escalate-department"' in html and 'href="#id_escalate-request"' in html


def test_the_detail_page_uses_a_constant_number_of_queries(
    client, city, django_assert_max_num_queries
):
    complaint = city["complaint"]
    services.complaint_report_submit(
        complaint=complaint, actor=city["clerk"], kind="initial", body="r"
    )
    as_user(client, city["manager"])
    client.get(detail(complaint))  # warm the session
    with django_assert_max_num_queries(20) as few:
        client.get(detail(complaint))
    for n in range(15):
        services.complaint_note_add(complaint=complaint, actor=city["clerk"], text="メモ %d" % n)
        services.complaint_report_submit(
            complaint=complaint, actor=city["clerk"], kind="progress", body="r"
        )
    services.complaint_escalate(
        complaint=complaint,
        actor=city["clerk"],
        department=city["shimin"],
        role="joint",
        request="x",
    )

    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(detail(complaint))


def test_the_list_uses_a_constant_number_of_queries(client, city, django_assert_max_num_queries):
    as_user(client, city["manager"])
    client.get(reverse("complaints:list"))
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("complaints:list"))
    for n in range(20):
        record(city["clerk"], summary="苦情 %d" % n)

    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("complaints:list")).content.decode()
    assert "苦情 19" in page


def test_the_list_puts_the_viewers_overdue_items_first(client, city):
    clerk = city["clerk"]
    old = record(
        clerk, summary="期限切れの苦情", received_at=timezone.now() - dt.timedelta(days=30)
    )
    record(clerk, summary="新しい苦情")
    as_user(client, clerk)

    page = client.get(reverse("complaints:list")).content.decode()

    assert page.index(old.summary) < page.index("新しい苦情")
    assert (
        "Your report is overdue"
        in client.get(reverse("complaints:list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )


def _closed_case(city, **fields):
    return close(
        record(city["clerk"], **fields),
        handler=city["clerk"],
        owner_department=city["shimin"],
        owner_member=city["shimin"].head,
        approver=city["manager"],
        root="番号札の発券機が故障していた",
        fix="発券機を毎朝点検する",
    )


def test_the_knowledge_base_finds_closed_cases_by_japanese_words_without_personal_data(
    client, city
):
    case = _closed_case(city, summary="番号札が出ず長時間待った")
    as_user(client, city["koho_head"])  # any staff member may read the knowledge base

    found = client.get(reverse("complaints:knowledge"), {"q": "発券機　点検"}).content.decode()
    missed = client.get(reverse("complaints:knowledge"), {"q": "駐車場"}).content.decode()
    page = client.get(reverse("complaints:knowledge_case", args=[case.pk])).content.decode()

    assert case.summary in found and case.summary not in missed
    assert "発券機を毎朝点検する" in page
    assert NAME not in found + page and CONTACT not in found + page
    assert city["complaint"].summary not in found  # still open: not knowledge yet


def test_a_refused_knowledge_search_lists_no_case(client, city):
    case = _closed_case(city, summary="番号札が出ず長時間待った")
    as_user(client, city["koho_head"])

    page = client.get(reverse("complaints:knowledge"), {"q": "長" * 201}).content.decode()

    assert case.summary not in page
    assert "上の検索条件を直してください" in page


def test_the_knowledge_base_shows_whether_a_case_recurred(client, city):
    case = _closed_case(city, summary="待ち時間の苦情")
    as_user(client, city["manager"])
    url = reverse("complaints:knowledge_case", args=[case.pk])
    assert "No recurrence" in client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Recurred" not in page  # the badge and the text agree
    later = timezone.now() + dt.timedelta(minutes=1)  # received after the closing
    record(city["clerk"], summary="また待たされた", received_at=later, at=later)

    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Recurred" in page and "No recurrence" not in page


def test_recording_suggests_similar_past_cases(client, city):
    case = _closed_case(
        city, summary="番号札が出ず長時間待った", description="発券機が止まっていた"
    )
    as_user(client, city["clerk"])

    response = client.get(
        reverse("complaints:similar"),
        {"summary": "番号札が出なかった", "category": case.category_id},
        HTTP_HX_REQUEST="true",
    )

    assert case.summary in response.content.decode()


def test_a_form_sent_again_while_the_first_is_being_recorded_gives_no_error(city):
    """Two sends of one form at once: the second finds the key taken only when it saves
    (the first committed meanwhile); it is told so, not a server error."""
    key = uuid.uuid4()
    clerk = city["clerk"]
    intake = {
        "channel": "counter",
        "received_at": timezone.now() - dt.timedelta(minutes=1),
        "department": city["shimin"],
        "category": Category.objects.first(),
        "summary": "同時送信",
        "description": "内容",
        "citizen_state": "calmed",
        "damage": "none",
        "reach": "one",
        "emotion": "calm",
        "repeat": "first",
        "submission_key": key,
    }
    services.complaint_record(actor=clerk, intake=services.ComplaintIntake(**intake))

    with pytest.raises(IntegrityError), transaction.atomic():
        services.complaint_record(actor=clerk, intake=services.ComplaintIntake(**intake))
    assert Complaint.objects.filter(submission_key=key).count() == 1
