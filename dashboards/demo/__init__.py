"""A year of history so the dashboards tell a story on first run.

The story: online booking, introduced a year ago, grows from about a third of the
visits to over half; walk-in waits fall after the Q2 action (more staff in the
morning peak); satisfaction rises; the letters bring bookings; complaints about waiting
fall while one category comes back. Targets and reviews are recorded per quarter.

The visits are bulk-loaded (running a year of counter days through the services would
take minutes); complaints, targets, reviews and actions go through the services. The
KPI rollup is then rebuilt for the whole year.
"""

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from complaints import services as complaint_services
from dashboards import rollup
from dashboards.demo.complaint_history import complaints_seed
from dashboards.demo.history import History
from dashboards.demo.letters import letters_seed
from dashboards.demo.pdca import pdca_seed
from dashboards.models import QuarterReview
from organization.calendar import is_business_day
from organization.models import StaffMember
from reservations.models import Procedure


def seed(stdout) -> None:
    if QuarterReview.objects.exists():
        stdout.write("Dashboards: the year of history is already there.")
        return
    today = timezone.localdate()
    rng = random.Random(2024)
    history = History(rng, today)
    procedures = list(Procedure.objects.prefetch_related("qualified_staff").order_by("pk"))
    with transaction.atomic():
        day = history.first
        while day < today - dt.timedelta(days=7):  # the reservations demo owns the last week
            if is_business_day(day):
                history.day(day, procedures)
            day += dt.timedelta(days=1)
        history.save()
        letters = letters_seed(history)
    with complaint_services.notifications_off(), transaction.atomic():
        complaints = complaints_seed(history)
    manager = StaffMember.objects.filter(user__username="manager").select_related("user").first()
    pdca_seed(today, manager.user if manager else None)
    rollup.facts_rebuild(first=history.first, last=today)
    stdout.write(
        "Dashboards: a year of history — %d bookings, %d visits, %d survey answers, "
        "%d letters, %d closed complaints; targets and reviews for five quarters "
        "(see /dashboards/)."
        % (
            len(history.reservations),
            len(history.visits),
            len(history.answers),
            letters,
            complaints,
        )
    )
