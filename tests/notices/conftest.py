import pytest

from notices.models import CertificateType, NoticeRule
from tests.organization.factories import DepartmentFactory
from tests.reservations.factories import ProcedureFactory, add_rule


@pytest.fixture
def rule():
    procedure = ProcedureFactory(code="jr-commuter-pass", name="JR定期券割引の証明書")
    add_rule(procedure, "顔写真（6か月以内に撮影、縦4cm×横3cm）")
    department = DepartmentFactory(name="福祉課", phone="0120-000-102")
    certificate_type = CertificateType.objects.create(
        code="jr-commuter",
        name="JR定期券割引の証明書",
        procedure=procedure,
        department=department,
    )
    return NoticeRule.objects.create(
        name="更新案内",
        certificate_type=certificate_type,
        days_before_expiry=30,
        procedure=procedure,
        sender=department,
    )


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded imports and letter PDFs go to a temporary folder, not var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
