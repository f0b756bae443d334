"""Writes of the organisation app: departments, staff members and their role groups."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from organization.models import ADMIN_SITE_ROLES, Department, Role, StaffMember
from organization.roles import ROLE_GROUP_NAMES, ROLE_PERMISSIONS


@transaction.atomic
def role_groups_ensure() -> dict[str, Group]:
    """Create the four role groups and set their permissions to exactly ROLE_PERMISSIONS.

    Idempotent; runs after every ``migrate`` so new apps' permissions reach the groups.
    """
    groups = {}
    for role, group_name in ROLE_GROUP_NAMES.items():
        group, _created = Group.objects.get_or_create(name=group_name)
        wanted = []
        for dotted in ROLE_PERMISSIONS[role]:
            app_label, codename = dotted.split(".", 1)
            wanted.extend(
                Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(wanted)
        groups[role] = group
    return groups


@transaction.atomic
def department_upsert(
    *,
    code: str,
    name: str,
    name_en: str = "",
    phone: str = "",
    location: str = "",
    display_order: int = 100,
) -> Department:
    department, _created = Department.objects.update_or_create(
        code=code,
        defaults={
            "name": name,
            "name_en": name_en,
            "phone": phone,
            "location": location,
            "display_order": display_order,
        },
    )
    department.full_clean()
    return department


@transaction.atomic
def department_set_head(*, department: Department, head: StaffMember | None) -> Department:
    department.head = head
    department.full_clean()
    department.save(update_fields=["head"])
    return department


def _sync_role_access(user, role: str) -> None:
    """Put the user in exactly the group of their role; admin site only for some roles."""
    role_groups = Group.objects.filter(name__in=ROLE_GROUP_NAMES.values())
    user.groups.remove(*role_groups)
    group, _created = Group.objects.get_or_create(name=ROLE_GROUP_NAMES[Role(role)])
    user.groups.add(group)
    is_staff = user.is_superuser or role in ADMIN_SITE_ROLES
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])


@transaction.atomic
def staff_member_assign(*, user, department: Department, role: str) -> StaffMember:
    """Make ``user`` a staff member of ``department`` with ``role`` (create or update).

    Side effects: the user's role group and admin-site access follow the role.
    """
    staff_member, _created = StaffMember.objects.update_or_create(
        user=user, defaults={"department": department, "role": role}
    )
    staff_member.full_clean()
    _sync_role_access(user, role)
    return staff_member


@transaction.atomic
def staff_member_create(
    *,
    username: str,
    password: str,
    department: Department,
    role: str,
    last_name: str = "",
    first_name: str = "",
    email: str = "",
) -> StaffMember:
    """Create (or update, by username) a login and its staff profile."""
    user_model = get_user_model()
    user, _created = user_model.objects.get_or_create(username=username)
    user.last_name = last_name
    user.first_name = first_name
    user.email = email
    user.is_active = True
    user.set_password(password)
    user.save()
    return staff_member_assign(user=user, department=department, role=role)
