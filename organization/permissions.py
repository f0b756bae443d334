from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from organization.selectors import staff_member_for_user


def staff_required(view):
    """Logged in and a staff member (or superuser); others get 403, anonymous users login."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        staff_member = staff_member_for_user(request.user)
        if staff_member is None and not request.user.is_superuser:
            raise PermissionDenied
        request.staff_member = staff_member
        return view(request, *args, **kwargs)

    return wrapper


def role_required(*roles):
    """Logged in with one of ``roles`` (a superuser always passes); others get 403."""

    def decorator(view):
        @staff_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            member = request.staff_member
            if not request.user.is_superuser and (member is None or member.role not in roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
