"""Master data an administrator types is checked where a mistake would reach citizens:
a letter's placeholders, the days before expiry, the order of the severity levels."""

import pytest
from django.core.exceptions import ValidationError

from complaints.models import SeverityLevel
from tests.notices.factories import notice_rule
from tests.organization.factories import DepartmentFactory
from tests.reservations.factories import ProcedureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rule():
    return notice_rule(ProcedureFactory(), DepartmentFactory(), code="jr", name="JR定期券")


def test_a_letter_text_with_an_unknown_placeholder_is_refused(rule):
    rule.text = "{nmae} 様\n\n{certificate}の有効期限は{expires_on}です。"

    with pytest.raises(ValidationError) as refused:
        rule.full_clean()

    assert "{nmae}" in str(refused.value.message_dict["text"])
    rule.text = "{name} 様\n\n{certificate}の有効期限は{expires_on}です。{procedure}"
    rule.full_clean()  # the known ones pass


def test_a_letter_needs_at_least_one_day_before_expiry(rule):
    rule.days_before_expiry = 0

    with pytest.raises(ValidationError) as refused:
        rule.full_clean()

    assert "days_before_expiry" in refused.value.message_dict


def test_a_higher_severity_level_cannot_start_at_a_lower_score():
    levels = {level.level: level for level in SeverityLevel.objects.all()}
    assert len(levels) == 4  # the default policy
    top = levels[4]
    top.min_points = levels[2].min_points - 1

    with pytest.raises(ValidationError) as refused:
        top.full_clean()

    assert "min_points" in refused.value.message_dict
    top.min_points = levels[3].min_points + 1
    top.full_clean()
