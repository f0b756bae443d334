"""Reads of the organisation app."""

from django.db.models import Count, Q, QuerySet

from organization.models import Department, StaffMember


def department_list_public() -> QuerySet[Department]:
    """Departments with where to find them, for the public pages (no staff names)."""
    return Department.objects.only("code", "name", "name_en", "phone", "location", "location_en")


def department_directory() -> QuerySet[Department]:
    """Departments with their head and number of active staff, for staff pages."""
    return Department.objects.select_related("head__user").annotate(
        staff_count=Count("members", filter=Q(members__user__is_active=True))
    )


def staff_member_for_user(user) -> StaffMember | None:
    if not user.is_authenticated:
        return None
    try:
        return StaffMember.objects.select_related("department").get(user=user)
    except StaffMember.DoesNotExist:
        return None


def department_members(*, department: Department) -> QuerySet[StaffMember]:
    return StaffMember.objects.filter(department=department, user__is_active=True).select_related(
        "user"
    )
