"""The dashboards permissions each role carries (gathered by ``organization.roles``),
and who may change a quarter's targets, review and actions."""

from organization.models import Role

ROLE_PERMISSIONS = {
    Role.MANAGER: [
        "dashboards.view_target",
        "dashboards.view_quarteraction",
        "dashboards.view_quarterreview",
    ],
}


def may_edit_pdca(request, department_id: int | None) -> bool:
    """Whether the user may change the targets, review and actions of ``department_id``
    (None: the city-wide ones; a procedure's belong to its department). Every manager
    reads them all; a manager changes their own department's, an administrator (or a
    superuser) every department's and the city-wide ones."""
    if request.user.is_superuser:
        return True
    member = getattr(request, "staff_member", None)
    if member is None:
        return False
    if member.role == Role.ADMINISTRATOR:
        return True
    return (
        member.role == Role.MANAGER
        and department_id is not None
        and member.department_id == department_id
    )
