from django.shortcuts import render
from django.views.decorators.http import require_GET

from organization import selectors
from organization.permissions import staff_required


@require_GET
@staff_required
def staff_home(request):
    staff_member = request.staff_member
    colleagues = (
        selectors.department_members(department=staff_member.department) if staff_member else []
    )
    return render(
        request,
        "organization/staff_home.html",
        {
            "departments": selectors.department_directory(),
            "colleagues": colleagues,
            "complaints_overdue": _complaints_overdue(request),
        },
    )


def _complaints_overdue(request) -> int:
    """Overdue complaint items that are this person's to act on (their reports, their
    department's answers). Read through the complaints selectors; organization does not
    depend on complaints at import time."""
    from complaints.selectors import overdue_count_for

    return overdue_count_for(user=request.user, member=request.staff_member)
