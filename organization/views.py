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


def locked_out(request, credentials, *args, **kwargs):
    """The page django-axes shows instead of logging in, after too many wrong passwords
    (status 429: the same for a right password until the lock ends)."""
    from django.conf import settings

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/locked_out.html", {"cooloff_minutes": minutes}, status=429)
