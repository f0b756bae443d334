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


def test_two_clerks_are_not_put_at_one_counter_at_the_same_time():
    import datetime as dt

    from reservations.models import Shift
    from tests.reservations.factories import DAY, add_clerk

    procedure = ProcedureFactory()
    first = add_clerk(procedure, start=dt.time(9, 0), end=dt.time(12, 0))
    second = add_clerk(procedure, start=dt.time(13, 0), end=dt.time(17, 0))
    counter = first.shifts.get().counter

    clash = Shift(
        staff=second, counter=counter, date=DAY, start_time=dt.time(11, 0), end_time=dt.time(12, 30)
    )
    with pytest.raises(ValidationError) as refused:
        clash.full_clean()

    assert "counter" in refused.value.message_dict
    after = Shift(
        staff=second, counter=counter, date=DAY, start_time=dt.time(12, 0), end_time=dt.time(12, 30)
    )
    after.full_clean()  # when the first has left, the counter is free


def test_names_that_staff_or_citizens_choose_between_are_not_used_twice():
    """Two 市民課 on the complaint form, two 8番窓口 in a shift's counters: nobody could
    tell them apart (helper 44)."""
    from organization.models import Department
    from reservations.models import Counter, Procedure
    from tests.reservations.factories import CounterFactory

    first = DepartmentFactory(name_ja="市民課")
    counter = CounterFactory(department=first, name_ja="8番窓口")
    procedure = ProcedureFactory(name_ja="児童手当の申請")
    refused = [
        Department(code="shimin2", name_ja="市民課"),
        Counter(department=first, name_ja="8番窓口"),
        Procedure(code="jido-2", name_ja="児童手当の申請", department=first),
    ]

    for duplicate in refused:
        with pytest.raises(ValidationError) as error:
            duplicate.clean()
        assert "すでにあります" in str(error.value.message_dict["name_ja"])
    # Another department's 8番窓口 is another window; each row may keep its own name.
    Counter(department=DepartmentFactory(), name_ja="8番窓口").clean()
    counter.clean()
    procedure.clean()
    first.clean()
