import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError

from organization import selectors, services
from organization.models import Role
from organization.roles import ROLE_GROUP_NAMES
from tests.organization.factories import DepartmentFactory, UserFactory, make_staff_member

pytestmark = pytest.mark.django_db


def test_staff_member_is_in_exactly_the_group_of_their_role():
    member = make_staff_member(role=Role.COUNTER_STAFF)

    services.staff_member_assign(user=member.user, department=member.department, role=Role.MANAGER)

    names = set(member.user.groups.values_list("name", flat=True))
    assert names == {ROLE_GROUP_NAMES[Role.MANAGER]}


def test_only_managers_and_administrators_may_open_the_admin_site():
    counter = make_staff_member(role=Role.COUNTER_STAFF)
    department_staff = make_staff_member(role=Role.DEPARTMENT_STAFF)
    manager = make_staff_member(role=Role.MANAGER)
    administrator = make_staff_member(role=Role.ADMINISTRATOR)

    assert not counter.user.is_staff
    assert not department_staff.user.is_staff
    assert manager.user.is_staff
    assert administrator.user.is_staff


def test_demoting_a_manager_removes_admin_site_access():
    member = make_staff_member(role=Role.MANAGER)

    services.staff_member_assign(
        user=member.user, department=member.department, role=Role.COUNTER_STAFF
    )

    member.user.refresh_from_db()
    assert not member.user.is_staff


def test_administrator_group_may_edit_departments_but_counter_staff_may_not():
    administrator = make_staff_member(role=Role.ADMINISTRATOR)
    counter = make_staff_member(role=Role.COUNTER_STAFF)

    assert administrator.user.has_perm("organization.change_department")
    assert not counter.user.has_perm("organization.change_department")
    assert counter.user.has_perm("organization.view_department")


def test_each_apps_roles_module_grants_its_permissions_to_the_role_groups():
    # given the groups as every migrate leaves them
    services.role_groups_ensure()
    manager = make_staff_member(role=Role.MANAGER)
    administrator = make_staff_member(role=Role.ADMINISTRATOR)
    counter = make_staff_member(role=Role.COUNTER_STAFF)

    # then what reservations/, notices/, complaints/, dashboards/ and outbox/ grant in
    # their roles.py reaches the groups, and nothing more
    assert manager.user.has_perm("reservations.add_shift")
    assert manager.user.has_perm("complaints.change_category")
    assert not manager.user.has_perm("complaints.delete_category")
    assert manager.user.has_perm("dashboards.view_target")
    assert manager.user.has_perm("notices.view_resident")
    assert administrator.user.has_perm("complaints.delete_category")
    assert administrator.user.has_perm("notices.change_noticerule")
    assert administrator.user.has_perm("outbox.change_email")
    assert counter.user.has_perm("reservations.view_reservation")
    assert not counter.user.has_perm("complaints.view_category")


def test_role_groups_are_created_once_however_often_ensured():
    services.role_groups_ensure()
    services.role_groups_ensure()

    assert Group.objects.filter(name__in=ROLE_GROUP_NAMES.values()).count() == len(Role)


def test_department_head_must_belong_to_the_department():
    department = DepartmentFactory()
    outsider = make_staff_member(department=DepartmentFactory())

    with pytest.raises(ValidationError) as error:
        services.department_set_head(department=department, head=outsider)

    assert "head" in error.value.message_dict


def test_staff_member_create_sets_a_working_password():
    department = DepartmentFactory()

    member = services.staff_member_create(
        username="kana", password="long-pass-987", department=department, role=Role.MANAGER
    )

    assert member.user.check_password("long-pass-987")


def test_unknown_role_is_refused():
    with pytest.raises(ValidationError):
        services.staff_member_assign(
            user=UserFactory(), department=DepartmentFactory(), role="janitor"
        )


def test_the_staff_directory_lists_departments_in_their_display_order():
    last = DepartmentFactory(code="a-last", display_order=20)
    first = DepartmentFactory(code="z-first", display_order=10)
    make_staff_member(department=last)

    listed = list(selectors.department_directory())

    assert listed == [first, last]
    assert [d.staff_count for d in listed] == [0, 1]
