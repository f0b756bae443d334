"""Issue 19, item 5: requirements that fit the applicant. A procedure asks a few
questions before the documents; each rule applies always or only for given answers;
the citizen agrees only to the rules that apply, and the booking keeps the answers."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from organization.models import Role
from reservations import requirements, services
from reservations.models import (
    BookingAnswer,
    ConsentRecord,
    DocumentRule,
    ProcedureQuestion,
    QuestionChoice,
    Reservation,
)
from tests.organization.factories import make_staff_member
from tests.reservations import factories
from tests.reservations.factories import (
    DAY,
    NOW,
    ProcedureFactory,
    add_clerk,
    add_rule,
    at,
    booked_now,
    citizen,
)
from tests.reservations.test_views import FUTURE_DAY, details_url, form_data, staff_details_url

pytestmark = pytest.mark.django_db

IDENTITY = "本人確認書類（マイナンバーカード、運転免許証など）"
PROXY = "代理人が申請する場合は委任状"


def ask(procedure, label, *answers):
    question = ProcedureQuestion.objects.create(procedure=procedure, label=label)
    return question, [
        QuestionChoice.objects.create(question=question, label=answer, display_order=n)
        for n, answer in enumerate(answers)
    ]


@pytest.fixture
def juminhyo():
    """住民票の写し as in the demo: 委任状 only for a representative."""
    procedure = ProcedureFactory(code="juminhyo", name="住民票の写し")
    question, (myself, proxy) = ask(procedure, "どなたが申請しますか", "本人", "代理人")
    add_rule(procedure, IDENTITY, display_order=1)
    letter = add_rule(procedure, PROXY, display_order=2)
    letter.applies_when.set([proxy])
    add_clerk(procedure, day=FUTURE_DAY)
    add_clerk(procedure, day=DAY)
    procedure.question, procedure.myself, procedure.proxy = question, myself, proxy
    procedure.letter_rule = letter
    procedure.identity_rule = procedure.document_rules.get(text=IDENTITY)
    return procedure


def answered(procedure, choice) -> dict:
    return {"q_%d" % procedure.question.pk: choice.pk}


def agree_to(data, *rules):
    for rule in rules:
        data["rule_%d" % rule.pk] = "on"
        data["rule_%d_version" % rule.pk] = rule.version
    return data


def base_data(procedure, **overrides):
    data = form_data(procedure, agree=False, **overrides)
    return {k: v for k, v in data.items() if not k.startswith("rule_")}


# --- the booking pages --------------------------------------------------------------


def test_the_questions_come_before_the_documents(client, juminhyo):
    response = client.get(details_url(juminhyo))

    content = response.content.decode()
    assert response.status_code == 200
    assert "<legend" in content and "どなたが申請しますか" in content
    assert 'type="radio"' in content and "代理人" in content
    assert PROXY not in content  # no documents yet
    assert 'name="name"' not in content


def test_someone_applying_for_themselves_never_sees_the_letter_of_authorisation(client, juminhyo):
    response = client.get(details_url(juminhyo), answered(juminhyo, juminhyo.myself))

    content = response.content.decode()
    assert IDENTITY in content
    assert PROXY not in content
    assert 'name="rule_%d"' % juminhyo.letter_rule.pk not in content


def test_a_representative_must_agree_to_the_letter_of_authorisation(client, juminhyo):
    page = client.get(details_url(juminhyo), answered(juminhyo, juminhyo.proxy))
    assert PROXY in page.content.decode()

    data = agree_to(
        {**base_data(juminhyo), **answered(juminhyo, juminhyo.proxy)}, juminhyo.identity_rule
    )
    data["rule_%d_version" % juminhyo.letter_rule.pk] = juminhyo.letter_rule.version  # shown
    refused = client.post(details_url(juminhyo), data, HTTP_ACCEPT_LANGUAGE="en")

    assert refused.status_code == 200
    assert not Reservation.objects.exists()
    assert "Please confirm that you will bring this." in refused.content.decode()


def test_self_booking_stores_the_answer_and_only_the_rules_shown(client, juminhyo):
    data = agree_to(
        {**base_data(juminhyo), **answered(juminhyo, juminhyo.myself)}, juminhyo.identity_rule
    )

    response = client.post(details_url(juminhyo), data)

    assert response.status_code == 302
    reservation = Reservation.objects.get()
    assert [(c.rule_id, c.rule_text, c.rule_version) for c in reservation.consents.all()] == [
        (juminhyo.identity_rule.pk, IDENTITY, 1)
    ]
    answer = reservation.answers.get()
    assert (answer.question_id, answer.choice_id) == (juminhyo.question.pk, juminhyo.myself.pk)
    assert (answer.question_text, answer.choice_text) == ("どなたが申請しますか", "本人")


def test_a_representative_booking_records_the_letter_rule_and_its_version(client, juminhyo):
    juminhyo.letter_rule.text = PROXY + "（原本）"
    juminhyo.letter_rule.save()
    juminhyo.letter_rule.refresh_from_db()
    data = agree_to(
        {**base_data(juminhyo), **answered(juminhyo, juminhyo.proxy)},
        juminhyo.identity_rule,
        juminhyo.letter_rule,
    )

    client.post(details_url(juminhyo), data)

    reservation = Reservation.objects.get()
    assert {(c.rule_text, c.rule_version) for c in reservation.consents.all()} == {
        (IDENTITY, 1),
        (PROXY + "（原本）", 2),
    }
    assert reservation.answers.get().choice_text == "代理人"


def test_a_forged_post_claiming_self_but_forging_nothing_else_books_with_self_rules_only(
    client, juminhyo
):
    # The client sends the letter rule too, while answering 本人: it is not stored.
    data = agree_to(
        {**base_data(juminhyo), **answered(juminhyo, juminhyo.myself)},
        juminhyo.identity_rule,
        juminhyo.letter_rule,
    )

    client.post(details_url(juminhyo), data)

    assert list(ConsentRecord.objects.values_list("rule_text", flat=True)) == [IDENTITY]


def test_a_post_without_answers_or_with_a_foreign_choice_is_refused(client, juminhyo):
    other = ProcedureFactory()
    _q, (foreign,) = ask(other, "別の質問", "はい")
    data = agree_to(base_data(juminhyo), juminhyo.identity_rule)

    without = client.post(details_url(juminhyo), data)
    forged = client.post(details_url(juminhyo), {**data, "q_%d" % juminhyo.question.pk: foreign.pk})

    assert not Reservation.objects.exists()
    for response in (without, forged):
        assert response.status_code == 200
        assert "どなたが申請しますか" in response.content.decode()


def test_the_service_refuses_fewer_rules_than_apply_and_missing_answers(juminhyo):
    identity_only = {juminhyo.identity_rule.pk: 1}
    with pytest.raises(services.BookingError) as missing:
        factories.book(juminhyo, consented_rules=identity_only)
    proxy_answer = {juminhyo.question.pk: juminhyo.proxy.pk}
    with pytest.raises(services.BookingError) as fewer:
        factories.book(juminhyo, consented_rules=identity_only, answers=proxy_answer)

    assert missing.value.code == "answers_missing"
    assert fewer.value.code == "consent_missing"
    assert not Reservation.objects.exists()


def test_changing_the_answers_after_going_back_recomputes_the_rules(client, juminhyo):
    page = client.get(details_url(juminhyo), answered(juminhyo, juminhyo.proxy))
    assert "?change=1&amp;q_%d=%d" % (juminhyo.question.pk, juminhyo.proxy.pk) in (
        page.content.decode()
    )

    back = client.get(details_url(juminhyo), {"change": "1", **answered(juminhyo, juminhyo.proxy)})
    again = client.get(details_url(juminhyo), answered(juminhyo, juminhyo.myself))

    assert 'value="%d" id="id_q_%d_1" checked' % (juminhyo.proxy.pk, juminhyo.question.pk) in (
        back.content.decode()
    )
    assert PROXY not in again.content.decode()


def test_answers_that_are_missing_on_the_questions_step_are_named(client, juminhyo):
    response = client.get(details_url(juminhyo), {"answered": "1"}, HTTP_ACCEPT_LANGUAGE="en")

    content = response.content.decode()
    assert "Please choose an answer." in content
    assert 'href="#id_q_%d_0"' % juminhyo.question.pk in content


def test_the_procedure_page_says_which_rules_depend_on_the_answers(client, juminhyo):
    response = client.get(reverse("reservations:calendar", args=[juminhyo.code]))

    assert "代理人" in response.content.decode()


def test_staff_phone_booking_asks_the_same_questions(client, juminhyo):
    clerk = make_staff_member(role=Role.COUNTER_STAFF)
    client.force_login(clerk.user)
    url = staff_details_url(juminhyo)

    first = client.get(url)
    data = agree_to(
        {**base_data(juminhyo, email=""), **answered(juminhyo, juminhyo.proxy)},
        juminhyo.identity_rule,
        juminhyo.letter_rule,
    )
    client.post(url, data)

    assert "どなたが申請しますか" in first.content.decode()
    reservation = Reservation.objects.get()
    assert reservation.booked_by == clerk
    assert reservation.answers.get().choice_text == "代理人"
    assert reservation.consents.count() == 2


# --- after booking ------------------------------------------------------------------


def book(procedure, choice, start=None, n=1):
    rules = requirements.applicable_rules(
        list(DocumentRule.objects.filter(procedure=procedure).prefetch_related("applies_when")),
        {procedure.question.pk: choice},
    )
    return services.reservation_book(
        procedure=procedure,
        start=start or at(DAY),
        citizen=citizen(n),
        consented_rules={rule.pk: rule.version for rule in rules},
        answers={procedure.question.pk: choice.pk},
        now=NOW,
    ).reservation


def test_reschedule_keeps_the_answers_and_their_rules(juminhyo):
    first = book(juminhyo, juminhyo.myself)

    moved = services.reservation_reschedule(
        reservation=first, new_start=at(DAY, 10, 30), now=NOW
    ).reservation

    assert [(a.question_text, a.choice_text) for a in moved.answers.all()] == [
        ("どなたが申請しますか", "本人")
    ]
    assert [c.rule_text for c in moved.consents.all()] == [IDENTITY]


def test_the_counter_queue_and_the_receipt_show_the_answers(client, juminhyo):
    from reservations.services import counter

    clerk = juminhyo.qualified_staff.first()
    reservation = booked_now(juminhyo, clerk, citizen_name="Jane Doe", citizen_kana="")
    BookingAnswer.objects.create(
        reservation=reservation,
        question=juminhyo.question,
        choice=juminhyo.proxy,
        question_text="どなたが申請しますか",
        choice_text="代理人",
    )
    visit = counter.visit_check_in(reservation=reservation, by_staff=clerk).visit
    client.force_login(clerk.user)

    queue = client.get(reverse("reservations:queue") + "?staff=all").content.decode()
    type(visit).objects.filter(pk=visit.pk).update(status="done")  # the receipt: once done
    receipt = client.get(reverse("reservations:receipt", args=[visit.pk])).content.decode()

    assert "Jane Doe" in queue
    assert "どなたが申請しますか" in queue and "代理人" in queue
    assert "どなたが申請しますか" in receipt and "代理人" in receipt


# --- the admin ----------------------------------------------------------------------


def test_the_admin_preview_shows_the_rules_for_each_answer(client, juminhyo):
    admin = make_staff_member(role=Role.ADMINISTRATOR).user
    get_user_model().objects.filter(pk=admin.pk).update(is_superuser=True, is_staff=True)
    client.force_login(admin)

    change = client.get(reverse("admin:reservations_procedure_change", args=[juminhyo.pk]))
    preview = client.get(reverse("admin:reservations_procedure_requirements", args=[juminhyo.pk]))

    url = reverse("admin:reservations_procedure_requirements", args=[juminhyo.pk])
    assert url in change.content.decode()
    content = preview.content.decode()
    assert preview.status_code == 200
    table = content[content.index('class="requirements-preview"') :]
    rows = table[: table.index("</table>")].split("<tr>")[2:]
    assert len(rows) == 2
    assert "本人" in rows[0] and IDENTITY in rows[0] and PROXY not in rows[0]
    assert "代理人" in rows[1] and IDENTITY in rows[1] and PROXY in rows[1]


def test_the_admin_preview_is_for_staff_of_the_admin_only(client, juminhyo):
    client.force_login(make_staff_member(role=Role.COUNTER_STAFF).user)

    response = client.get(reverse("admin:reservations_procedure_requirements", args=[juminhyo.pk]))

    assert response.status_code in (302, 403, 404)


def test_a_procedure_asks_at_most_three_questions(juminhyo):
    from django.core.exceptions import ValidationError

    ask(juminhyo, "二つ目", "はい")
    ask(juminhyo, "三つ目", "はい")

    with pytest.raises(ValidationError):
        ProcedureQuestion(procedure=juminhyo, label="四つ目").full_clean()


def test_combinations_cover_every_way_of_answering():
    procedure = ProcedureFactory()
    _q1, (_yes, no) = ask(procedure, "カードをお持ちですか", "はい", "いいえ")
    ask(procedure, "どなたが", "本人", "代理人")
    rule = add_rule(procedure, "転出証明書")
    rule.applies_when.set([no])
    questions = requirements.questions_of(procedure)
    rules = list(procedure.document_rules.prefetch_related("applies_when"))

    found = {
        tuple(c.label for c in combination.answers): [r.text for r in combination.rules]
        for combination in requirements.combinations(questions, rules)
    }

    assert found == {
        ("はい", "本人"): [],
        ("はい", "代理人"): [],
        ("いいえ", "本人"): ["転出証明書"],
        ("いいえ", "代理人"): ["転出証明書"],
    }


def test_a_question_without_answers_is_not_asked(client):
    procedure = ProcedureFactory()
    ProcedureQuestion.objects.create(procedure=procedure, label="未完成の質問")
    add_rule(procedure, IDENTITY)
    add_clerk(procedure, day=FUTURE_DAY)

    response = client.get(details_url(procedure))

    assert 'name="name"' in response.content.decode()


def test_the_demo_asks_who_applies_and_about_the_my_number_card():
    import io

    from django.core.management import call_command

    call_command("seed_demo", stdout=io.StringIO())

    def rules_for(code, answer):
        questions = requirements.questions_of(code)
        choice = next(c for q in questions for c in q.choices.all() if c.label == answer)
        rules = DocumentRule.objects.filter(procedure=code, is_active=True).prefetch_related(
            "applies_when"
        )
        return [
            r.text for r in requirements.applicable_rules(list(rules), {choice.question_id: choice})
        ]

    from reservations.models import Procedure

    juminhyo = Procedure.objects.get(code="juminhyo")
    tennyu = Procedure.objects.get(code="tennyu")
    assert not any("委任状" in text for text in rules_for(juminhyo, "本人"))
    assert any("委任状" in text for text in rules_for(juminhyo, "代理人"))
    assert not any("転出証明書" in text for text in rules_for(tennyu, "はい"))
    assert any("転出証明書" in text for text in rules_for(tennyu, "いいえ"))
    # The demo bookings carry answers and agree only to their rules.
    for reservation in Reservation.objects.filter(
        procedure=juminhyo, email_key__startswith="demo-"
    ):
        answer = reservation.answers.get().choice_text
        texts = [c.rule_text for c in reservation.consents.all()]
        assert any("委任状" in text for text in texts) == (answer == "代理人")
