import pytest

from tests.notices.conftest import rule  # noqa: F401 - a notice rule with its procedure


@pytest.fixture(autouse=True)
def _english_messages():
    """Bases and labels are matched in English (the msgids); pages choose their language."""
    from django.utils import translation

    with translation.override("en"):
        yield
