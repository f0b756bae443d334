import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from organization.management.commands.seed_demo import DEMO_PASSWORD, DEPARTMENTS, STAFF
from organization.models import Department, Role, StaffMember

pytestmark = pytest.mark.django_db


def test_seed_demo_can_run_twice_without_duplicates(capsys):
    call_command("seed_demo")
    call_command("seed_demo")

    assert Department.objects.count() == len(DEPARTMENTS)
    assert StaffMember.objects.count() == len(STAFF)


def test_seed_demo_prints_working_logins_for_every_role(capsys, rf):
    call_command("seed_demo")

    output = capsys.readouterr().out
    assert DEMO_PASSWORD in output
    roles = set(StaffMember.objects.values_list("role", flat=True))
    assert roles == set(Role.values)
    for username, *_ in STAFF:
        assert username in output
        assert authenticate(rf.post("/accounts/login/"), username=username, password=DEMO_PASSWORD)


def test_seed_demo_has_the_departments_of_a_small_city():
    call_command("seed_demo")

    names = set(Department.objects.values_list("name", flat=True))
    assert {"市民課", "福祉課", "税務課", "情報政策課", "広報課", "法務担当"} <= names
