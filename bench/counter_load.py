"""The counter under load: the queue page (logged-in clerks) and the display board's
endpoint, each polled by 50 clients, with 300 bookings today for 10 clerks.

Runs gunicorn (3 workers) on a free loopback port against PostgreSQL + Redis by default
(the database ``madoguchi_bench``; today's counter data is rebuilt on every run).

    .venv/bin/python bench/counter_load.py            # PostgreSQL + Redis
    .venv/bin/python bench/counter_load.py --sqlite   # the embedded SQLite
"""

import argparse
import datetime as dt
import re
import sys
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import loadgen  # noqa: E402
from bench.booking_load import configure  # noqa: E402
from bench.server import gunicorn  # noqa: E402

CLERKS = 10
BOOKINGS = 300
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PASSWORD = "bench-counter-pass"


def build_today() -> list:
    """Ten clerks on shift all day, 300 bookings today in every state, some walk-ins."""
    import secrets

    from django.utils import timezone

    from organization import services as org_services
    from organization.models import Role
    from reservations import availability
    from reservations.codes import new_booking_code
    from reservations.models import Counter, Procedure, Reservation, Shift, Visit
    from reservations.services import checkin, counter

    now = timezone.now()
    today = timezone.localdate(now)
    department = org_services.department_upsert(code="bench-counter", name="ベンチ窓口課")
    procedure, _ = Procedure.objects.update_or_create(
        code="bench-counter",
        defaults={"name": "ベンチ（窓口）", "department": department, "duration_minutes": 5},
    )
    Visit.objects.filter(procedure=procedure).delete()
    Reservation.objects.filter(procedure=procedure).delete()
    clerks = []
    for n in range(CLERKS):
        clerk = org_services.staff_member_create(
            username="bench-counter-%02d" % n,
            password=PASSWORD,
            department=department,
            role=Role.COUNTER_STAFF,
        )
        counter_obj, _ = Counter.objects.get_or_create(
            department=department, name="C%02d番窓口" % n
        )
        Shift.objects.filter(staff=clerk, date=today).delete()
        Shift.objects.create(
            staff=clerk,
            counter=counter_obj,
            date=today,
            start_time=dt.time(0, 0),
            end_time=dt.time(23, 59),
        )
        clerks.append((clerk, counter_obj))
    procedure.qualified_staff.set([clerk for clerk, _c in clerks])
    availability.changed()

    start_of_day = timezone.make_aware(dt.datetime.combine(today, dt.time(0, 0)))
    rows = []
    for n in range(BOOKINGS):
        clerk, counter_obj = clerks[n % CLERKS]
        start = start_of_day + dt.timedelta(minutes=5 * (n // CLERKS) + 1)
        rows.append(
            Reservation(
                procedure=procedure,
                staff=clerk,
                counter=counter_obj,
                start_at=start,
                end_at=start + dt.timedelta(minutes=4),
                code=new_booking_code(),
                manage_nonce="bench",
                citizen_name="市民 %d" % n,
                citizen_kana="シミン",
                email_key="counter%d@bench.example.jp" % n,
            )
        )
    Reservation.objects.bulk_create(rows)
    # Half have checked in; each clerk has one being served and one called.
    for n, reservation in enumerate(Reservation.objects.filter(procedure=procedure)):
        if n % 2:
            continue
        counter.visit_check_in(reservation=reservation, now=now, by_staff=reservation.staff)
    for clerk, _counter in clerks:
        visit = counter.visit_call_next(staff=clerk, now=now)
        if visit:
            counter.visit_act(visit=visit, action="serve", actor=clerk, now=now)
            counter.visit_act(visit=visit, action="done", actor=clerk, now=now)
        counter.visit_call_next(staff=clerk, now=now)
    for _ in range(20):
        checkin.visit_save_numbered(
            Visit(
                day=today,
                kind="walk_in",
                procedure=procedure,
                status="waiting",
                checked_in_at=now,
                survey_token=secrets.token_urlsafe(16),
            ),
            checkin.WALK_IN_PREFIX,
        )
    return [clerk for clerk, _c in clerks]


def login_preparer(usernames: list[str]):
    turn = iter(range(10**9))

    def prepare(connection) -> dict:
        username = usernames[next(turn) % len(usernames)]
        connection.request("GET", "/accounts/login/")
        response = connection.getresponse()
        body = response.read().decode()
        csrf_cookie = response.getheader("Set-Cookie", "").split(";", 1)[0]
        token = CSRF_RE.search(body).group(1)
        form = urlencode({"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD})
        connection.request(
            "POST",
            "/accounts/login/",
            body=form,
            headers={"Cookie": csrf_cookie, "Content-Type": "application/x-www-form-urlencoded"},
        )
        response = connection.getresponse()
        response.read()
        cookies = [
            value.split(";", 1)[0]
            for name, value in response.getheaders()
            if name.lower() == "set-cookie" and "sessionid" in value
        ]
        if response.status != 302 or not cookies:
            raise SystemExit("bench login failed (%s)" % response.status)
        return {"Cookie": "; ".join([csrf_cookie, *cookies])}

    return prepare


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--sqlite", action="store_true", help="use the embedded SQLite")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--poll-seconds", type=float, default=3, help="how often each client polls")
    args = parser.parse_args()
    configure(args)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    clerks = build_today()
    connection.close()
    database = "SQLite" if args.sqlite else "PostgreSQL + Redis"
    print(
        "dataset: %s; %d clerks; %d bookings today (half checked in), 20 walk-ins"
        % (database, CLERKS, BOOKINGS)
    )
    # 50 screens each polling every few seconds offer clients / poll-seconds requests/s.
    rate = args.clients / args.poll_seconds
    print(
        "load: %d clients polling every %.0f s (%.0f requests/s offered), gunicorn %d workers"
        % (args.clients, args.poll_seconds, rate, args.workers)
    )
    with gunicorn(workers=args.workers) as url:
        for label, path, prepare in [
            (
                "queue page, each clerk's own (htmx partial)",
                "/counter/",
                login_preparer([c.user.username for c in clerks]),
            ),
            (
                "queue page, all 320 rows (htmx partial)",
                "/counter/?staff=all",
                login_preparer([c.user.username for c in clerks]),
            ),
            ("display board endpoint", "/display/board/", None),
        ]:
            headers = {"HX-Request": "true"} if path.startswith("/counter/") else {}
            for mode, mode_rate in (("polling", rate), ("flat out", None)):
                result = loadgen.run(
                    url,
                    lambda i, path=path, headers=headers: loadgen.Request(
                        "GET", path, headers=headers
                    ),
                    clients=args.clients,
                    requests=args.requests,
                    seconds=args.seconds,
                    prepare=prepare,
                    rate=mode_rate,
                )
                print(result.summary("%s, %s" % (label, mode)))
        full = loadgen.run(
            url,
            lambda i: loadgen.Request("GET", "/counter/"),
            clients=args.clients,
            requests=args.requests // 3,
            seconds=args.seconds,
            prepare=login_preparer([c.user.username for c in clerks]),
            rate=rate,
        )
        print(full.summary("queue page, each clerk's own (whole page), polling"))


if __name__ == "__main__":
    main()
