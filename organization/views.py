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
        },
    )
