"""Demo data of the reservations app: counters, procedures with their document rules and
qualified clerks, shifts from a week ago to six weeks ahead, and some bookings."""

from django.utils import timezone

from reservations import availability
from reservations.demo.bookings import bookings_seed
from reservations.demo.master import master_data_seed, shifts_seed
from reservations.demo.texts import COUNTERS
from reservations.demo.today import today_seed


def seed(stdout) -> None:
    now = timezone.now()
    procedures = master_data_seed()
    shifts = shifts_seed(timezone.localdate(now))
    availability.changed()
    bookings = bookings_seed(procedures, now)
    today = today_seed(procedures, now)
    stdout.write(
        "Reservations: %d procedures, %d counters, %d new shifts, %d new bookings, "
        "%d bookings in today's queue (see /counter/)."
        % (len(procedures), len(COUNTERS), shifts, bookings, today)
    )
