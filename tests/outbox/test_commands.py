import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from outbox.models import Email, EmailStatus
from tests.reservations.factories import DAY, ProcedureFactory, add_clerk, add_rule, at, book

pytestmark = pytest.mark.django_db


def test_the_command_sends_what_is_due(capsys):
    procedure = ProcedureFactory()
    add_rule(procedure, "本人確認書類")
    add_clerk(procedure)
    book(procedure, at(DAY, 9))  # its task never ran (no commit in a test)
    Email.objects.update(next_attempt_at=timezone.now())  # written at the test's clock

    call_command("outbox_send")

    assert "1 e-mail(s) sent" in capsys.readouterr().out
    assert Email.objects.get().status == EmailStatus.SENT
    assert len(mail.outbox) == 1
