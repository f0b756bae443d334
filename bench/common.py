"""What several benchmarks (and the two-hosts storage test) share: the staff login over
real HTTP.

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
