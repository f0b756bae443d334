"""Today's queue in the demo: bookings in every state and a few walk-ins."""

import datetime as dt
import secrets

from django.utils import timezone

from organization.calendar import day_start
from reservations import availability, codes
from reservations.demo.master import demo_answers, staff_member
from reservations.demo.texts import CITIZENS, COUNTERS, SHIFT_TIMES
from reservations.models import (
    Counter,
    Procedure,
    Reservation,
    ReservationStatus,
    Shift,
    Visit,
)
from reservations.services import checkin, counter
from reservations.services.booking_store import record_consents_and_answers

TODAY_PLAN = [
    # clerk, procedure, booked time as hours before (+) / after (-) now, what happened
    ("clerk1", "juminhyo", 2.0, "done"),
    ("clerk2", "inkan-toroku", 1.5, "done"),
    ("clerk1", "juminhyo", 0.5, "serving"),
    ("clerk2", "juminhyo", 0.25, "called"),
    ("fukushi1", "jr-commuter-pass", 0.1, "waiting"),
    ("clerk3", "inkan-toroku", 0.0, "waiting"),
    ("fukushi2", "jr-commuter-pass", 1.0, "no_show"),
    ("clerk3", "juminhyo", -1.0, "expected"),
    ("fukushi1", "jr-commuter-pass", -2.0, "expected"),
]


def today_seed(procedures: dict[str, Procedure], now: dt.datetime) -> int:
    """Today's queue: bookings in every state and walk-ins, through the counter services.

    The bookings are written directly (some lie in the past, which the booking service
    rightly refuses); everything after check-in goes through the services.
    """
    today = timezone.localdate(now)
    if Visit.objects.filter(day=today).exists():
        return 0
    counters = _today_open(today)
    made = 0
    for index, (clerk, code, hours_ago, state) in enumerate(TODAY_PLAN):
        procedure = procedures[code]
        start = (now - dt.timedelta(hours=hours_ago)).replace(second=0, microsecond=0)
        start = start.replace(minute=(start.minute // 15) * 15)
        if timezone.localdate(start) != today:
            continue
        reservation = _today_booking(procedure, index, clerk, counters[clerk], start, now)
        made += 1
        if state not in ("expected", "no_show"):
            _today_progress(reservation, staff_member(clerk), state, now)
    counter.visits_mark_no_shows(now=now)
    _walk_ins_seed(procedures, today, now)
    return made


def _today_open(today: dt.date) -> dict[str, Counter]:
    """Today is open at the demo city hall: each clerk's shifts at their counter."""
    counters = {clerk: Counter.objects.get(name_ja=name["ja"]) for _d, name, _l, clerk in COUNTERS}
    for clerk, counter_obj in counters.items():
        for start, end in SHIFT_TIMES:
            Shift.objects.get_or_create(
                staff=staff_member(clerk),
                date=today,
                start_time=start,
                defaults={"end_time": end, "counter": counter_obj},
            )
    availability.changed()
    return counters


def _today_booking(
    procedure: Procedure, index: int, clerk: str, counter_obj: Counter, start, now
) -> Reservation:
    """A confirmed booking for today, made three days ago, with its consents and answers."""
    name, kana = CITIZENS[index % len(CITIZENS)]
    chosen, rules = demo_answers(procedure, index)
    reservation = Reservation.objects.create(
        procedure=procedure,
        staff=staff_member(clerk),
        counter=counter_obj,
        start_at=start,
        end_at=start + procedure.duration,
        status=ReservationStatus.CONFIRMED,
        code=codes.new_booking_code(),
        manage_nonce=codes.new_manage_nonce(),
        citizen_name=name,
        citizen_kana=kana,
        email="demo-today-%d@example.jp" % index,
        email_key="demo-today-%d@example.jp" % index,
        created_at=now - dt.timedelta(days=3),
    )
    record_consents_and_answers(
        reservation,
        rules=rules,
        answers=[
            (question_id, choice.pk, choice.question.label_ja, choice.label_ja)
            for question_id, choice in chosen.items()
        ],
        agreed_at=now - dt.timedelta(days=3),
    )
    return reservation


def _today_progress(reservation: Reservation, staff, state: str, now: dt.datetime) -> None:
    """Take a booking as far as ``state`` through the counter services: checked in
    (waiting), called, being served or done."""
    today = timezone.localdate(now)
    # Finished visits happened around their time; the others are happening now.
    if state == "done":
        arrived = reservation.start_at - dt.timedelta(minutes=10)
    else:
        arrived = now - dt.timedelta(minutes=8)
    # Just after midnight "ten minutes before" is yesterday, which check-in refuses.
    arrived = max(arrived, day_start(today))
    counter.visit_check_in(reservation=reservation, now=arrived, by_staff=staff)
    if state == "waiting":
        return
    visit = counter.visit_call_next(staff=staff, now=arrived + dt.timedelta(minutes=5))
    if state == "called" or visit is None:
        return
    counter.visit_act(
        visit=visit, action="serve", actor=staff, now=arrived + dt.timedelta(minutes=6)
    )
    if state == "done":
        counter.visit_act(
            visit=visit, action="done", actor=staff, now=arrived + dt.timedelta(minutes=20)
        )


def _walk_ins_seed(procedures: dict[str, Procedure], today: dt.date, now: dt.datetime) -> None:
    for minutes, code in ((25, "juminhyo"), (12, "juminhyo"), (4, "inkan-toroku")):
        # As the kiosk issues them (the demo may run after hours, when it would refuse).
        walk_in = checkin.visit_save_numbered(
            Visit(
                day=today,
                kind="walk_in",
                procedure=procedures[code],
                status="waiting",
                checked_in_at=now - dt.timedelta(minutes=minutes),
                survey_token=secrets.token_urlsafe(16),
            ),
            checkin.WALK_IN_PREFIX,
        )
        checkin.visit_event_add(walk_in, "checked_in", walk_in.checked_in_at)
