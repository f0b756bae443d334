import pytest

from organization.models import Role
from tests.notices.conftest import rule  # noqa: F401 - a notice rule with its procedure
from tests.organization.factories import make_staff_member


@pytest.fixture(autouse=True)
def _english_messages():
    """Bases and labels are matched in English (the msgids); pages choose their language."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def manager(client):
    """A manager, logged in with ``client``."""
    member = make_staff_member(role=Role.MANAGER)
    client.force_login(member.user)
    return member


@pytest.fixture
def administrator(client):
    """An administrator with the superuser flag (the dashboards open to managers and
    superusers), logged in with ``client``: the one who may change the city-wide
    targets and review."""
    member = make_staff_member(role=Role.ADMINISTRATOR, is_superuser=True)
    client.force_login(member.user)
    return member
