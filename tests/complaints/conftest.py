import pytest

from complaints import defaults
from complaints.models import Category, SeverityLevel, SeverityWeight


@pytest.fixture(autouse=True)
def _default_policy(db):
    """The policy migration 0002 creates, back after a transactional test's flush."""
    defaults.ensure(SeverityWeight, SeverityLevel, Category)


@pytest.fixture(autouse=True)
def _english_messages():
    """Service errors are matched in English (the msgids); pages choose their language."""
    from django.utils import translation

    with translation.override("en"):
        yield
