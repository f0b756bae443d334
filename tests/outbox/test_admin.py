"""Administrators see the outbox and send a failed e-mail again; nobody else sees it."""

import pytest
from django.core import mail

from organization.models import Role
from outbox.models import Email, EmailStatus
from tests.organization.factories import make_staff_member
from tests.reservations.factories import DAY, ProcedureFactory, add_clerk, add_rule, at, book

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/outbox/email/"


@pytest.fixture
def failed_email():
    procedure = ProcedureFactory()
    add_rule(procedure, "本人確認書類")
    add_clerk(procedure)
    reservation = book(procedure, at(DAY, 9)).reservation
    Email.objects.update(status=EmailStatus.FAILED, attempts=8, last_error="SMTPServerDisconnected")
    return reservation


def test_an_administrator_sees_failed_emails_without_addresses_and_sends_them_again(
    client, failed_email, django_capture_on_commit_callbacks
):
    client.force_login(make_staff_member(role=Role.ADMINISTRATOR).user)

    page = client.get(CHANGELIST + "?status__exact=failed")
    assert page.status_code == 200
    text = page.content.decode()
    assert "booking-confirmed:%d" % failed_email.pk in text
    assert "SMTPServerDisconnected" in text
    assert "citizen1@example.jp" not in text

    row = Email.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            CHANGELIST, {"action": "send_again", "_selected_action": [row.pk]}, follow=True
        )

    assert response.status_code == 200
    row.refresh_from_db()
    assert row.status == EmailStatus.SENT
    assert [m.to for m in mail.outbox] == [["citizen1@example.jp"]]


@pytest.mark.parametrize("role", [Role.MANAGER, Role.COUNTER_STAFF, Role.DEPARTMENT_STAFF])
def test_other_staff_cannot_see_the_outbox(client, failed_email, role):
    client.force_login(make_staff_member(role=role).user)

    assert client.get(CHANGELIST).status_code in (302, 403)
    assert client.post(
        CHANGELIST, {"action": "send_again", "_selected_action": [Email.objects.get().pk]}
    ).status_code in (302, 403)
    assert Email.objects.get().status == EmailStatus.FAILED


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.MANAGER])
def test_the_bookings_admin_page_says_its_confirmation_failed(client, failed_email, role):
    member = make_staff_member(role=role)
    client.force_login(member.user)

    response = client.get("/admin/reservations/reservation/%d/change/" % failed_email.pk)

    assert response.status_code == 200
    text = response.content.decode()
    assert "市民へのメール" in text
    assert "SMTPServerDisconnected" in text


def test_a_failed_email_leads_to_its_booking_and_reads_as_a_record(client, failed_email):
    """From the outbox row to the booking (and the citizen's phone number) in one click;
    the row's page offers no save button and no next attempt for a failed row."""
    client.force_login(make_staff_member(role=Role.ADMINISTRATOR).user)
    booking_page = "/admin/reservations/reservation/%d/change/" % failed_email.pk

    listed = client.get(CHANGELIST + "?status__exact=failed").content.decode()
    row = client.get(CHANGELIST + "%d/change/" % Email.objects.get().pk).content.decode()

    assert booking_page in listed and booking_page in row
    assert 'name="_save"' not in row and "送信メールを変更" not in row


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.MANAGER])
def test_the_bookings_whose_email_failed_are_listed_for_a_call(client, failed_email, role):
    client.force_login(make_staff_member(role=role).user)

    failed = client.get("/admin/reservations/reservation/?email_failed=yes").content.decode()
    Email.objects.update(status=EmailStatus.SENT)
    none = client.get("/admin/reservations/reservation/?email_failed=yes").content.decode()

    assert failed_email.code in failed and failed_email.code not in none
