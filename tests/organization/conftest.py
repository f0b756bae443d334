import pytest

from organization import services
from tests.organization.factories import CITY


@pytest.fixture
def city():
    """The site settings filled in with ``CITY`` (さくら市)."""
    return services.site_settings_update(**CITY)
