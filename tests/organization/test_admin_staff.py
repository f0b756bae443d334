"""The administrator keeps logins and staff profiles in the admin: saving a user works,
and a department's head stays a member of the department they head."""

import pytest
from django.contrib.auth import get_user_model

from organization.models import Department, Role, StaffMember
from tests.organization.factories import DepartmentFactory, make_staff_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(client, settings):
    settings.TWO_FACTOR_REQUIRED = False
    member = make_staff_member(role=Role.ADMINISTRATOR)
    member.user.is_superuser = True
    member.user.save()
    client.force_login(member.user)
    return member


def _user_form(user, member, **changes):
    """The user change form as the admin sends it, with its staff profile inline."""
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "09:00:00",
        "staff_member-TOTAL_FORMS": "1",
        "staff_member-INITIAL_FORMS": "1",
        "staff_member-MIN_NUM_FORMS": "0",
        "staff_member-MAX_NUM_FORMS": "1",
        "staff_member-0-id": member.pk,
        "staff_member-0-user": user.pk,
        "staff_member-0-department": member.department_id,
        "staff_member-0-role": member.role,
    }
    data.update(changes)
    return data


def test_an_administrator_changes_a_users_e_mail(client, administrator):
    clerk = make_staff_member(role=Role.COUNTER_STAFF)

    response = client.post(
        "/admin/auth/user/%d/change/" % clerk.user.pk,
        _user_form(clerk.user, clerk, email="new@city.example.jp"),
    )

    assert response.status_code == 302
    assert get_user_model().objects.get(pk=clerk.user.pk).email == "new@city.example.jp"


def test_the_head_of_a_department_is_not_moved_out_of_it(client, administrator):
    fukushi = DepartmentFactory(code="fukushi", name="福祉課")
    zeimu = DepartmentFactory(code="zeimu", name="税務課")
    head = make_staff_member(role=Role.MANAGER, department=fukushi)
    fukushi.head = head
    fukushi.save()

    response = client.post(
        "/admin/auth/user/%d/change/" % head.user.pk,
        _user_form(head.user, head, **{"staff_member-0-department": zeimu.pk}),
    )

    assert response.status_code == 200  # the form again, with the reason
    assert "先に福祉課の別の所属長を選んでください" in response.content.decode()
    assert StaffMember.objects.get(pk=head.pk).department == fukushi


def test_a_new_department_has_no_head_from_another_department(client, administrator):
    head = make_staff_member(role=Role.MANAGER)

    response = client.post(
        "/admin/organization/department/add/",
        {"code": "new", "name_ja": "新しい課", "head": head.pk, "display_order": 100},
    )

    assert response.status_code == 200
    assert not Department.objects.filter(code="new").exists()


def test_an_administrator_sets_up_questions_and_knowledge_synonyms(client, settings):
    """Not a superuser: the administrator role alone reaches every master table the
    README sends them to."""
    settings.TWO_FACTOR_REQUIRED = False
    client.force_login(make_staff_member(role=Role.ADMINISTRATOR).user)

    for path in (
        "/admin/reservations/procedurequestion/",
        "/admin/reservations/procedurequestion/add/",
        "/admin/complaints/knowledgesynonym/",
        "/admin/complaints/knowledgesynonym/add/",
    ):
        assert client.get(path).status_code == 200, path


def test_closing_a_day_with_bookings_on_it_says_so(client, administrator):
    """The bookings keep their time: the administrator is told how many, with a link."""
    from reservations.models import ClosedDay
    from tests.reservations.factories import DAY, ProcedureFactory, add_clerk, at, book, citizen

    procedure = ProcedureFactory()
    add_clerk(procedure)
    book(procedure, at(DAY, 10), citizen(1))

    response = client.post(
        "/admin/reservations/closedday/add/",
        {"date": DAY.isoformat(), "reason_ja": "臨時休業"},
        follow=True,
    )

    page = response.content.decode()
    assert ClosedDay.objects.filter(date=DAY).exists()
    assert "有効な予約1件はそのまま残っています" in page
    assert "start_at__day=%d" % DAY.day in page


def test_deleting_a_shift_with_bookings_in_it_says_so(client, administrator):
    from tests.reservations.factories import DAY, ProcedureFactory, add_clerk, at, book, citizen

    procedure = ProcedureFactory()
    clerk = add_clerk(procedure)
    book(procedure, at(DAY, 10), citizen(1))
    shift = clerk.shifts.get()

    response = client.post(
        "/admin/reservations/shift/%d/delete/" % shift.pk, {"post": "yes"}, follow=True
    )

    assert "有効な予約1件はそのまま残っています" in response.content.decode()
