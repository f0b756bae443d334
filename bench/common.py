"""What several benchmarks (and the two-hosts storage test) share: the staff login over
real HTTP and the counter clerks they seed.

Only the standard library at import time: the Django pieces are imported inside the
functions, after the caller has set up Django.
"""

import http.cookiejar
import re
import urllib.request
from urllib.parse import urlencode

CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def staff_login(url: str, username: str, password: str):
    """A staff member's logged-in session over real HTTP: an urllib opener with cookies."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(url + "/accounts/login/", timeout=30).read().decode()
    token = CSRF_RE.search(page).group(1)
    opener.open(
        urllib.request.Request(
            url + "/accounts/login/",
            data=urlencode(
                {"username": username, "password": password, "csrfmiddlewaretoken": token}
            ).encode(),
            headers={"Referer": url + "/accounts/login/"},
        ),
        timeout=30,
    ).read()
    return opener


def counter_clerks(department, count: int, *, username: str, password: str) -> list:
    """``count`` counter staff members of the department; ``username`` and ``password``
    are %-patterns of the clerk's number (0, 1, …)."""
    from organization import services as org_services
    from organization.models import Role

    return [
        org_services.staff_member_create(
            username=username % n,
            password=password % n,
            department=department,
            role=Role.COUNTER_STAFF,
        )
        for n in range(count)
    ]
