"""Everything the peer harness's load client (``loadgen/bench.py``) knows about Madoguchi.

A citizen books with two requests, as on the peer: step 1 GETs the details page of the
chosen time (the form, its CSRF token, its idempotency key and the document rule's
version), step 2 POSTs name, kana, e-mail and the rule agreed to, and must be answered
303/302 to the booking's manage page (``/booking/<token>/``). No account, no session.

Runs in the harness's venv (aiohttp, psycopg2); the module directory goes on PYTHONPATH.
"""

import re

import psycopg2

INPUT = re.compile(rb"<input\b[^>]*>")
ATTR = re.compile(rb'(\w[\w-]*)="([^"]*)"')
MANAGE = re.compile(r"^/booking/[^/]+/$")


def _cookie_from(resp, name):
    for v in resp.headers.getall("Set-Cookie", []):
        if v.startswith(name + "="):
            return v.split(";", 1)[0].split("=", 1)[1]
    return None


def _form_fields(body: bytes) -> dict:
    """Hidden inputs as they are, checkboxes ticked (the document rules agreed to)."""
    fields = {}
    for tag in INPUT.findall(body):
        attrs = {k.decode(): v.decode() for k, v in ATTR.findall(tag)}
        kind, name = attrs.get("type", "text"), attrs.get("name")
        if not name:
            continue
        if kind == "hidden":
            fields[name] = attrs.get("value", "")
        elif kind == "checkbox":
            fields[name] = attrs.get("value", "on")
    return fields


def _hm(t, minutes):
    h, m = map(int, t.split(":"))
    m += minutes
    return f"{h + m // 60:02d}:{m % 60:02d}"


class MadoguchiAdapter:
    name = "Madoguchi"

    def __init__(self, base, meta, dsn):
        self.base = base.rstrip("/")
        self.meta = meta
        self.dsn = dsn
        self.code = meta["service_code"]
        self.minutes = meta["service_minutes"]

    # The day page's free times, as htmx loads them in place.
    avail_headers = {"HX-Request": "true"}
    avail_ok_marker = "times-grid"

    async def new_browser(self, http):
        """GET the procedures page once for a CSRF cookie (untimed, like the peer's)."""
        async with http.get(f"{self.base}/book/") as r:
            await r.read()
            if r.status != 200:
                raise RuntimeError(f"booking page: HTTP {r.status}")
        return {"csrf_cookie": None}

    def _path(self, slot):
        _staff_id, date, start = slot
        return f"/book/{self.code}/{date}/{start.replace(':', '')}/"

    async def book_step1(self, http, browser, session, slot):
        """GET the details form of that time (a time the calendar never offered is
        answered with a redirect to the day and its reason: refused)."""
        path = self._path(slot)
        cookie = browser["csrf_cookie"]
        headers = {"Cookie": f"csrftoken={cookie}"} if cookie else {}
        async with http.get(self.base + path, headers=headers, allow_redirects=False) as r:
            body = await r.read()
            if r.status != 200:
                return False, f"step1 HTTP {r.status} {r.headers.get('Location', '')}"
            cookie = _cookie_from(r, "csrftoken")
        if cookie:
            browser["csrf_cookie"] = cookie
        fields = _form_fields(body)
        if "csrfmiddlewaretoken" not in fields or not browser["csrf_cookie"]:
            return False, "step1: no CSRF token"
        return True, (path, fields)

    async def book_step2(self, http, browser, session, ctx):
        path, fields = ctx
        data = {
            **fields,
            "name": "比較 花子",
            "kana": "ひかく はなこ",
            "email": session["email"],
            "phone": "",
        }
        headers = {
            "Cookie": f"csrftoken={browser['csrf_cookie']}",
            "Referer": self.base + path,
        }
        async with http.post(
            self.base + path, data=data, headers=headers, allow_redirects=False
        ) as r:
            await r.read()
            loc = r.headers.get("Location", "")
            if r.status in (302, 303) and MANAGE.match(loc):
                return True, loc
            return False, f"step2 HTTP {r.status} {loc}"

    def _query(self, sql, params):
        conn = psycopg2.connect(self.dsn)
        try:
            with conn.cursor() as cur:
                cur.execute(sql, params)
                return cur.fetchone()[0]
        finally:
            conn.close()

    def count_slot(self, slot):
        """Holding bookings of that clerk overlapping the slot, and of any clerk."""
        staff_id, date, start = slot
        end = _hm(start, self.minutes)
        window = (f"{date} {start}", f"{date} {end}")
        holding = "status NOT IN ('cancelled', 'expired')"
        local = "(start_at AT TIME ZONE 'Asia/Tokyo')"
        local_end = "(end_at AT TIME ZONE 'Asia/Tokyo')"
        mine = self._query(
            f"SELECT count(*) FROM reservations_reservation WHERE staff_id = %s AND {holding} "
            f"AND {local} < %s::timestamp AND {local_end} > %s::timestamp",
            (staff_id, window[1], window[0]),
        )
        anyone = self._query(
            f"SELECT count(*) FROM reservations_reservation WHERE {holding} "
            f"AND {local} < %s::timestamp AND {local_end} > %s::timestamp",
            (window[1], window[0]),
        )
        return {"appointments": mine, "appointment_requests": anyone}

    def count_double_booked_slots(self):
        """Holding bookings that overlap an earlier holding booking of the same clerk,
        over the whole table (one sorted pass per clerk, not a self-join)."""
        return self._query(
            "SELECT count(*) FROM (SELECT start_at, max(end_at) OVER (PARTITION BY staff_id "
            "ORDER BY start_at, id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before "
            "FROM reservations_reservation WHERE status NOT IN ('cancelled', 'expired')) t "
            "WHERE start_at < before",
            (),
        )
