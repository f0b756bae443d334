"""The staff home: the page every staff member lands on after logging in.

It lives here, not in ``organization``, because it gathers what every app has for the
person (their department's colleagues, the complaints overdue for them, the closings
waiting for their approval), and only ``config`` may depend on all apps."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from complaints.selectors import awaiting_my_approval, overdue_count_for
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
            # Overdue items that are this person's to act on (their reports, their
            # department's answers), and the closings waiting for their approval.
            "complaints_overdue": overdue_count_for(user=request.user, member=staff_member),
            "awaiting_approval": list(
                awaiting_my_approval(user=request.user, member=staff_member)[:50]
            ),
        },
    )
