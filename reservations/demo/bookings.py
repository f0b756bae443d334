"""Demo bookings in the coming days, through the booking service."""

import datetime as dt

from django.utils import timezone

from reservations import availability, requirements, services
from reservations.demo.master import demo_answers
from reservations.demo.texts import CITIZENS
from reservations.models import (
    Procedure,
    Reservation,
)


def bookings_seed(procedures: dict[str, Procedure], now: dt.datetime) -> int:
    if Reservation.objects.filter(email_key__startswith="demo-citizen").exists():
        return 0
    booked = 0
    plan = ["jr-commuter-pass", "juminhyo", "inkan-toroku", "juminhyo", "jr-commuter-pass"]
    for index, (name, kana) in enumerate(CITIZENS):
        procedure = procedures[plan[index % len(plan)]]
        day = timezone.localdate(now) + dt.timedelta(days=1 + index // 2)
        roster = availability.load_roster(
            procedure=procedure, first_day=day, last_day=day + dt.timedelta(days=7), now=now
        )
        earliest, _last = availability.booking_window(procedure, now)
        slots = []
        while not slots and day <= roster.last_day:
            slots = availability.free_slots(roster, day, earliest=earliest)
            day += dt.timedelta(days=1)
        if not slots:
            continue
        slot = slots[(index * 3) % len(slots)]
        chosen, applicable = demo_answers(procedure, index)
        rules = {rule.pk: rule.version for rule in applicable}
        try:
            services.reservation_book(
                procedure=procedure,
                start=slot.start,
                citizen=services.CitizenDetails(
                    name=name,
                    kana=kana,
                    email="demo-citizen-%d@example.jp" % (index + 1),
                    phone="090-0000-%04d" % (index + 1),
                ),
                consented_rules=rules,
                answers=requirements.as_ids(chosen),
                now=now,
            )
        except services.BookingError:
            continue
        booked += 1
    return booked
