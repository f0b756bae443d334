"""A document rule's wording and its version never part: every path that changes the
wording gives a new version, and a form showing an older wording is refused."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import F
from django.urls import reverse

from organization.models import Role
from reservations import services
from reservations.models import ConsentRecord, DocumentRule, Reservation
from tests.organization.factories import make_staff_member
from tests.reservations.factories import ProcedureFactory, add_rule
from tests.reservations.test_views import details_url, form_data
from tests.reservations.test_views import procedure as procedure

pytestmark = pytest.mark.django_db


def stored_version(rule) -> int:
    return DocumentRule.objects.values_list("version", flat=True).get(pk=rule.pk)


def test_a_plain_save_of_new_wording_makes_a_new_version():
    rule = add_rule(ProcedureFactory(), "住民票の写し")
    rule.text = "住民票の写し（3か月以内）"

    rule.save()

    assert rule.version == 2 and stored_version(rule) == 2


def test_a_save_without_a_change_of_wording_keeps_the_version():
    rule = add_rule(ProcedureFactory(), "住民票の写し")
    rule.display_order = 5
    rule.is_active = False

    rule.save()

    assert stored_version(rule) == 1


def test_a_save_of_some_fields_only_still_numbers_the_new_wording():
    rule = add_rule(ProcedureFactory(), "住民票の写し")
    rule.text_en = "A copy of the residence record"

    rule.save(update_fields=["text_en"])

    assert stored_version(rule) == 2


def test_a_stale_object_saved_after_another_change_does_not_reuse_a_number():
    rule = add_rule(ProcedureFactory(), "住民票の写し")
    elsewhere = DocumentRule.objects.get(pk=rule.pk)
    elsewhere.text = "住民票の写し（原本）"
    elsewhere.save()

    rule.text = "住民票の写し（コピー可）"
    rule.save()

    assert stored_version(rule) == 3


def test_the_database_gives_a_new_version_to_a_queryset_update_of_the_wording():
    rule = add_rule(ProcedureFactory(), "住民票の写し")

    DocumentRule.objects.filter(pk=rule.pk).update(text="別の文言")
    DocumentRule.objects.filter(pk=rule.pk).update(text_en="Other words")
    DocumentRule.objects.filter(pk=rule.pk).update(is_active=False)

    assert stored_version(rule) == 3


def test_the_database_keeps_a_new_version_given_by_the_writer_and_never_goes_back():
    rule = add_rule(ProcedureFactory(), "住民票の写し")

    DocumentRule.objects.filter(pk=rule.pk).update(text="二", version=F("version") + 1)
    assert stored_version(rule) == 2
    DocumentRule.objects.filter(pk=rule.pk).update(version=1)
    assert stored_version(rule) == 2
    DocumentRule.objects.filter(pk=rule.pk).update(text="三", version=1)
    assert stored_version(rule) == 3


def test_raw_sql_cannot_keep_the_old_number_either():
    rule = add_rule(ProcedureFactory(), "住民票の写し")

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE reservations_documentrule SET text = %s WHERE id = %s", ["生のSQL", rule.pk]
        )

    assert stored_version(rule) == 2


def test_the_service_makes_one_new_version_per_change():
    rule = add_rule(ProcedureFactory(), "住民票の写し")
    rule.text = "新しい文言"

    services.document_rule_save(rule=rule, wording_changed=True)

    assert stored_version(rule) == 2


def post_rules_in_the_admin(client, procedure, wording):
    """Save the procedure's admin page as an administrator, each rule's Japanese and
    English wording given by ``wording(n, rule)`` → (ja, en). Returns the response."""
    admin = make_staff_member(role=Role.ADMINISTRATOR).user
    get_user_model().objects.filter(pk=admin.pk).update(is_superuser=True, is_staff=True)
    client.force_login(admin)
    url = reverse("admin:reservations_procedure_change", args=[procedure.pk])
    page = client.get(url)
    form = page.context["adminform"].form
    formsets = [f.formset for f in page.context["inline_admin_formsets"]]
    inline = next(f for f in formsets if f.model is DocumentRule)
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    for other in formsets:  # the questions' inline, with none
        if other is not inline:
            data.update(
                {"%s-%s" % (other.prefix, k): v for k, v in other.management_form.initial.items()}
            )
    data["department"] = procedure.department_id
    data["qualified_staff"] = [s.pk for s in procedure.qualified_staff.all()]
    prefix = inline.prefix
    rules = list(procedure.document_rules.all())
    data.update(
        {
            prefix + "-TOTAL_FORMS": len(rules),
            prefix + "-INITIAL_FORMS": len(rules),
            prefix + "-MIN_NUM_FORMS": 0,
            prefix + "-MAX_NUM_FORMS": 1000,
        }
    )
    for n, rule in enumerate(rules):
        ja, en = wording(n, rule)
        data.update(
            {
                "%s-%d-id" % (prefix, n): rule.pk,
                "%s-%d-procedure" % (prefix, n): procedure.pk,
                "%s-%d-text_ja" % (prefix, n): ja,
                "%s-%d-text_en" % (prefix, n): en,
                "%s-%d-is_active" % (prefix, n): "on",
                "%s-%d-display_order" % (prefix, n): rule.display_order,
            }
        )
    response = client.post(url, data, follow=True)
    assert response.redirect_chain, [
        f.errors for f in response.context["inline_admin_formsets"][1].formset.forms
    ]
    return response


def test_a_change_of_wording_in_the_admin_makes_a_new_version(client, procedure):
    rules = list(procedure.document_rules.all())

    post_rules_in_the_admin(
        client,
        procedure,
        lambda n, rule: (rule.text_ja + ("（原本）" if n == 0 else ""), rule.text_en or ""),
    )

    assert [stored_version(r) for r in rules] == [2, 1]


def test_a_form_showing_an_older_wording_is_refused_and_shows_the_new_one(client, procedure):
    # given: the form was shown with version 1 of the rules
    stale = form_data(procedure)
    rule = procedure.document_rules.first()
    # when: the wording changes before the citizen sends it (a plain save)
    rule.text = "顔写真（3か月以内に撮影、縦4cm×横3cm）"
    rule.save()
    response = client.post(details_url(procedure), stale, HTTP_ACCEPT_LANGUAGE="en")

    # then: nothing is booked, the new wording is shown unticked at its new version
    page = response.content.decode()
    assert response.status_code == 200
    assert Reservation.objects.count() == 0 and ConsentRecord.objects.count() == 0
    assert "The document rules have changed since this page was shown" in page
    assert "顔写真（3か月以内に撮影、縦4cm×横3cm）" in page
    assert 'name="rule_%d_version" value="2"' % rule.pk in page
    assert 'name="rule_%d" ' % rule.pk in page
    form = response.context["form"]
    assert form["rule_%d" % rule.pk].value() in (None, False)
    assert form["name"].value() == "山田 太郎"

    # and agreeing to the new wording books, recording it
    again = client.post(details_url(procedure), form_data(procedure))
    assert again.status_code == 302
    agreed = ConsentRecord.objects.get(rule=rule)
    assert (agreed.rule_version, agreed.rule_text) == (2, rule.text)


def test_a_rule_added_after_the_form_was_shown_must_be_agreed_to(client, procedure):
    stale = form_data(procedure)
    added = add_rule(procedure, "印鑑")

    response = client.post(details_url(procedure), stale)

    assert Reservation.objects.count() == 0
    assert "印鑑" in response.content.decode()
    assert "rule_%d" % added.pk in response.context["form"].errors


def test_a_change_between_the_form_check_and_the_booking_is_refused_too(
    client,
    procedure,
    monkeypatch,
):
    rule = procedure.document_rules.first()
    real_book = services.reservation_book

    def book_after_a_change(**kwargs):
        DocumentRule.objects.filter(pk=rule.pk).update(text="直前に変更")
        return real_book(**kwargs)

    monkeypatch.setattr(services, "reservation_book", book_after_a_change)

    response = client.post(details_url(procedure), form_data(procedure))

    assert response.status_code == 200 and Reservation.objects.count() == 0
    assert "直前に変更" in response.content.decode()
    assert 'name="rule_%d_version" value="2"' % rule.pk in response.content.decode()


def test_a_change_of_the_vietnamese_wording_makes_a_new_version():
    rule = add_rule(ProcedureFactory(), "本人確認書類")
    rule.text_vi = "Giấy tờ tùy thân"
    rule.save()
    assert stored_version(rule) == 2

    DocumentRule.objects.filter(pk=rule.pk).update(text_vi="Giấy tờ tùy thân có ảnh")

    assert stored_version(rule) == 3  # the database trigger, whatever writes it


def test_the_wording_in_each_language_is_covered_by_the_database_guard():
    rule = add_rule(ProcedureFactory(), "本人確認書類")

    for n, column in enumerate(["text_ja_easy", "text_zh_hans", "text_ko", "text_pt_br"]):
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE reservations_documentrule SET %s = %%s WHERE id = %%s" % column,
                ["文言 %d" % n, rule.pk],
            )

    assert stored_version(rule) == 5


def test_the_form_is_shown_from_the_cache_and_shows_a_changed_rule_at_once(
    client, procedure, django_assert_num_queries
):
    # given: the form was shown once (the procedure, its rules and questions cached)
    client.get(details_url(procedure))
    rule = procedure.document_rules.first()

    # when: it is shown again, no query is made
    with django_assert_num_queries(0):
        page = client.get(details_url(procedure)).content.decode()
    assert rule.text in page

    # and a change of wording through the service shows on the next form at once
    rule.text = "住民票の写し（3か月以内）"
    services.document_rule_save(rule=rule)
    page = client.get(details_url(procedure)).content.decode()
    assert "住民票の写し（3か月以内）" in page
    assert 'name="rule_%d_version" value="2"' % rule.pk in page

    # and the booking made from it records the new wording
    assert client.post(details_url(procedure), form_data(procedure)).status_code == 302
    agreed = ConsentRecord.objects.get(rule=rule)
    assert (agreed.rule_version, agreed.rule_text) == (2, "住民票の写し（3か月以内）")


def test_a_form_checked_against_a_stale_cache_is_refused_by_the_database_check(client, procedure):
    # given: the procedure and its rules are cached (a form was shown), then the wording
    # changes behind the cache's back (no refresh)
    stale = form_data(procedure)
    client.get(details_url(procedure))
    rule = procedure.document_rules.first()
    DocumentRule.objects.filter(pk=rule.pk).update(text="直前に変更")

    # when: the form that showed the old wording is sent
    response = client.post(details_url(procedure), stale)

    # then: the booking transaction's check refuses it and shows the wording in force
    page = response.content.decode()
    assert response.status_code == 200 and Reservation.objects.count() == 0
    assert "直前に変更" in page
    assert 'name="rule_%d_version" value="2"' % rule.pk in page
