import pytest
from django.utils import timezone

from organization.models import Role
from tests.notices.factories import TODAY, notice_rule
from tests.organization.factories import DepartmentFactory, make_staff_member
from tests.reservations.factories import ProcedureFactory, add_rule


@pytest.fixture
def rule():
    procedure = ProcedureFactory(code="jr-commuter-pass", name="JR定期券割引の証明書")
    add_rule(procedure, "顔写真（6か月以内に撮影、縦4cm×横3cm）")
    department = DepartmentFactory(name="福祉課", phone="0120-000-102")
    return notice_rule(procedure, department, code="jr-commuter", name="JR定期券割引の証明書")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded imports and letter PDFs go to a temporary folder, not var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def sender_staff_on_today(client, rule, monkeypatch):
    """A member of the rule's sending department is logged in, and the notices pages take
    ``TODAY`` for today (a date they are given is converted as usual)."""
    member = make_staff_member(role=Role.DEPARTMENT_STAFF, department=rule.sender)
    client.force_login(member.user)
    real_localdate = timezone.localdate
    monkeypatch.setattr(
        "notices.views.timezone.localdate",
        lambda value=None: TODAY if value is None else real_localdate(value),
    )
    return member
