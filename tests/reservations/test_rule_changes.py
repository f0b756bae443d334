"""A document rule reworded after citizens booked, or in one language only (helper 44:
the Japanese said "and the bank book" while English readers still agreed to the old
rule, and those who had booked were never told)."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation

from outbox.models import Email
from reservations.emails import build_booking_email
from reservations.models import DocumentRule
from tests.reservations.factories import ProcedureFactory, add_rule
from tests.reservations.test_consent_versions import post_rules_in_the_admin
from tests.reservations.test_views import book_via_service
from tests.reservations.test_views import procedure as procedure

pytestmark = pytest.mark.django_db

OLD, NEW = "健康保険証", "健康保険証と、受取口座の通帳"


def _translated_rule():
    rule = add_rule(ProcedureFactory(), OLD)
    rule.text_en, rule.text_vi = "Health insurance card", "Thẻ bảo hiểm y tế"
    rule.save()
    return DocumentRule.objects.get(pk=rule.pk)


def test_a_new_japanese_wording_empties_the_translations_that_said_the_old_rule():
    rule = _translated_rule()
    rule.text_ja = NEW

    rule.save()

    stored = DocumentRule.objects.get(pk=rule.pk)
    assert rule.stale_translations == ["en", "vi"]
    assert (stored.text_ja, stored.text_en, stored.text_vi) == (NEW, "", "")
    with translation.override("en"):
        assert stored.text == NEW  # English readers are shown the rule in force


def test_a_translation_changed_with_the_japanese_is_kept():
    rule = _translated_rule()
    rule.text_ja, rule.text_en = NEW, "Health insurance card and bank book"

    rule.save()

    stored = DocumentRule.objects.get(pk=rule.pk)
    assert stored.text_en == "Health insurance card and bank book" and stored.text_vi == ""
    assert rule.stale_translations == ["vi"]


def test_a_change_of_a_translation_alone_keeps_the_others():
    rule = _translated_rule()
    rule.text_en = "Your health insurance card"

    rule.save()

    stored = DocumentRule.objects.get(pk=rule.pk)
    assert (stored.text_ja, stored.text_vi) == (OLD, "Thẻ bảo hiểm y tế")
    assert rule.stale_translations == [] and stored.version == rule.version


def _reword_first_rule(procedure, text):
    rule = procedure.document_rules.first()
    rule.text_ja = text
    rule.save()
    return rule


def test_the_admin_says_which_translations_were_emptied_and_how_many_bookings_predate_it(
    client, procedure
):
    first = procedure.document_rules.first()
    DocumentRule.objects.filter(pk=first.pk).update(text_en="Photo (6 months)")
    book_via_service(procedure)

    response = post_rules_in_the_admin(
        client,
        procedure,
        lambda n, rule: (rule.text_ja + ("（原本）" if n == 0 else ""), rule.text_en or ""),
    )

    said = [str(message) for message in get_messages(response.wsgi_request)]
    said += [str(message) for message in response.context["messages"]]
    text = " ".join(said)
    assert "翻訳（英語）を空にしました" in text or "翻訳（English）を空にしました" in text
    assert "予約が 1 件あります" in text
    assert DocumentRule.objects.get(pk=first.pk).text_en == ""


def test_the_booking_page_shows_what_to_bring_now_after_a_rule_changed(client, procedure):
    booking = book_via_service(procedure)
    manage = reverse("reservations:manage", args=[booking.token])
    assert "持ち物が変わりました" not in client.get(manage).content.decode()

    _reword_first_rule(procedure, "顔写真（3か月以内に撮影、縦4cm×横3cm）")

    japanese = client.get(manage, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    english = client.get(manage, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "予約の後に、持ち物が変わりました" in japanese
    assert "顔写真（3か月以内に撮影、縦4cm×横3cm）" in japanese
    assert "What to bring has changed since you booked" in english
    # The new wording has no English yet: the Japanese, marked as such.
    assert '<span lang="ja">顔写真（3か月以内に撮影、縦4cm×横3cm）</span>' in english


def test_the_reminder_says_what_to_bring_now_after_a_rule_was_added(procedure):
    booking = book_via_service(procedure)
    add_rule(procedure, "通帳")

    message = build_booking_email(
        Email(
            kind="booking_reminder",
            object_id=booking.reservation.pk,
            recipient="taro@example.jp",
            params={},
        )
    )

    assert "予約の後に、持ち物が変わりました" in message.body
    assert "- 通帳" in message.body
    html = message.alternatives[0][0]
    assert "<li>通帳</li>" in html


def test_a_new_translation_alone_does_not_tell_the_citizen_anything_changed(client, procedure):
    """English added to a rule is a new version, but asks nothing new of a citizen who
    booked in Japanese."""
    booking = book_via_service(procedure)
    rule = procedure.document_rules.first()
    rule.text_en = "A photo taken within the last 6 months"
    rule.save()

    manage = reverse("reservations:manage", args=[booking.token])
    english = client.get(manage, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "What to bring has changed since you booked" not in english


def test_the_counter_sees_what_the_citizen_was_told_after_a_rule_changed(client):
    """Helper 45: the clerk saw only the wording agreed to, and could turn away a
    citizen who brought what their booking's page now asked for."""
    import datetime as dt

    from organization.models import Role
    from reservations import services
    from tests.organization.factories import make_staff_member
    from tests.reservations.factories import add_clerk, booked_now

    procedure = ProcedureFactory()
    rule = add_rule(procedure, OLD)
    clerk = add_clerk(procedure, day=dt.date.today(), start=dt.time(0), end=dt.time(23, 59))
    reservation = booked_now(procedure, clerk)
    reservation.consents.create(
        rule=rule, rule_text=OLD, rule_version=rule.version, agreed_at=reservation.start_at
    )
    services.visit_check_in(reservation=reservation, by_staff=clerk)
    client.force_login(make_staff_member(role=Role.MANAGER).user)
    before = client.get(reverse("reservations:queue")).content.decode()
    rule.text_ja = NEW
    rule.save()

    after = client.get(reverse("reservations:queue")).content.decode()

    assert "予約の後に追加・変更されたもの" not in before
    assert "予約の後に追加・変更されたもの" in after and NEW in after
