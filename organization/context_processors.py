from django.utils.functional import SimpleLazyObject

from organization.selectors import site_settings, staff_member_for_user


def staff(request):
    """``staff_member`` for the navigation: staff links are shown only to staff."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"staff_member": None, "is_staff_user": False}
    if not hasattr(request, "_staff_member_cache"):
        request._staff_member_cache = staff_member_for_user(user)
    staff_member = request._staff_member_cache
    return {
        "staff_member": staff_member,
        "is_staff_user": staff_member is not None or user.is_superuser,
    }


def site(request):
    """``site_settings``: the city's name, logo, contact and hours for the header and
    footer of every page (cached; never fails, see ``selectors.site_settings``). Read
    when a template first uses it: a fragment without header or footer (the free times
    htmx swaps in) costs no cache round trip for it."""
    return {"site_settings": SimpleLazyObject(site_settings)}
