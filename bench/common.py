"""What several benchmarks (and the two-hosts storage test) share: the staff login over
real HTTP, the counter clerks, their counters and the renewal-letter rule they seed.

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


def department_counters(department, count: int, *, name: str) -> list:
    """``count`` counters (windows) of the department, named by the %-pattern ``name``;
    the ones that exist already are kept."""
    from reservations.models import Counter

    return [
        Counter.objects.get_or_create(department=department, name=name % n)[0] for n in range(count)
    ]


def renewal_rule(procedure, *, type_code: str, rule_name: str, update: bool = False):
    """A certificate type ("ベンチ証明書") of the procedure and its renewal-letter rule
    (30 days before expiry, sent by the procedure's department): (type, rule). Kept as
    they are when they exist, or with ``update`` set to these values again."""
    from notices.models import CertificateType, NoticeRule

    def upsert(manager, **fields):
        return (manager.update_or_create if update else manager.get_or_create)(**fields)[0]

    certificate_type = upsert(
        CertificateType.objects,
        code=type_code,
        defaults={"name": "ベンチ証明書", "procedure": procedure},
    )
    rule = upsert(
        NoticeRule.objects,
        name=rule_name,
        defaults={
            "certificate_type": certificate_type,
            "days_before_expiry": 30,
            "procedure": procedure,
            "sender": procedure.department,
        },
    )
    return certificate_type, rule
