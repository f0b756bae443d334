"""Staff see why a resident with a certificate expiring in the window gets no letter."""

import datetime as dt

import pytest
from django.urls import reverse

from notices import selectors, services
from notices.models import Certificate, Letter, ResidentStatus
from organization.models import Role
from tests.notices.factories import TODAY, booking_for, holder
from tests.organization.factories import make_staff_member

pytestmark = pytest.mark.django_db


def _booking_under_the_same_name(rule, certificate):
    resident = certificate.resident
    return booking_for(rule, name=resident.name, kana=resident.kana)


def test_every_resident_in_the_window_without_a_letter_is_listed_with_the_reason(rule):
    renewed = holder(rule, name="更新 済")
    Certificate.objects.create(
        source_id="new",
        resident=renewed.resident,
        certificate_type=rule.certificate_type,
        issued_on=TODAY,
        expires_on=TODAY + dt.timedelta(days=182),
    )
    moved = holder(rule, name="転出 者", status=ResidentStatus.MOVED)
    booked = holder(rule, name="予約 済")
    _booking_under_the_same_name(rule, booked)
    sent = holder(rule, name="送付 済")
    Letter.objects.create(rule=rule, resident=sent.resident, certificate=sent, code="SENT-0001")
    no_address = holder(rule, name="住所 無", postal="")
    holder(rule, name="対象 者")  # gets a letter: not listed

    items = selectors.residents_without_letter(rule=rule, today=TODAY)

    reasons = {item.certificate.resident.name: item.reason for item in items}
    assert set(reasons) == {"更新 済", "転出 者", "予約 済", "送付 済", "住所 無"}
    assert "BOOK-0001" in reasons["予約 済"]
    assert "SENT-0001" in reasons["送付 済"]
    assert reasons["転出 者"] == moved.resident.get_status_display()
    assert no_address.resident.postal_code == "" and reasons["住所 無"]
    assert next(i for i in items if i.booking).certificate == booked


def test_staff_release_a_name_only_match_and_the_resident_is_due_again(
    client, rule, sender_staff_on_today
):
    booked = holder(rule, name="同姓 同名")
    _booking_under_the_same_name(rule, booked)

    page = client.get(reverse("notices:why_not", args=[rule.pk])).content.decode()
    assert "同姓 同名" in page and "BOOK-0001" in page
    response = client.post(reverse("notices:release_booking_match", args=[rule.pk, booked.pk]))

    assert response.status_code == 302
    assert booked in selectors.due_certificates(rule=rule, today=TODAY)
    assert selectors.residents_without_letter(rule=rule, today=TODAY) == []
    assert services.booking_match_release(rule=rule, certificate=booked) is False


def test_another_departments_staff_cannot_see_or_release(client, rule):
    booked = holder(rule)
    client.force_login(make_staff_member(role=Role.DEPARTMENT_STAFF).user)

    assert client.get(reverse("notices:why_not", args=[rule.pk])).status_code == 404
    response = client.post(reverse("notices:release_booking_match", args=[rule.pk, booked.pk]))
    assert response.status_code == 404


def test_a_record_moved_to_another_resident_number_after_its_letter_gets_no_second(rule):
    """Helper 46: a letter was made for record QA-001; a later import gave QA-001 to
    another resident number (confirmed as a move) and the next run made a second letter,
    with a new code and document number, to the same name and address."""
    certificate = holder(rule, name="佐々木 髙橋")
    Letter.objects.create(
        rule=rule, resident=certificate.resident, certificate=certificate, code="SENT-0002"
    )
    other_number = holder(rule, name="佐々木 髙橋").resident
    Certificate.objects.filter(resident=other_number).delete()
    Certificate.objects.filter(pk=certificate.pk).update(resident=other_number)  # the move

    assert selectors.due_certificates(rule=rule, today=TODAY).count() == 0
    items = selectors.residents_without_letter(rule=rule, today=TODAY)
    assert [item.certificate.pk for item in items] == [certificate.pk]
    assert "SENT-0002" in items[0].reason
