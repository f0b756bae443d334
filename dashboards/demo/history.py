"""The year of counter days behind the dashboards' story: bookings, visits, their events
and survey answers, built in memory and bulk-loaded."""

import datetime as dt
import random
import secrets

from django.utils import timezone

from organization.models import StaffMember
from reservations import codes
from reservations.models import (
    Channel,
    Counter,
    Procedure,
    Reservation,
    ReservationStatus,
    SurveyAnswer,
    Visit,
    VisitEvent,
    VisitKind,
    VisitStatus,
)

DAYS = 365
PEOPLE = 2500  # a pool of residents, so that some book online again


def _at(day: dt.date, minutes: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0))) + dt.timedelta(
        minutes=minutes
    )


class History:
    def __init__(self, rng: random.Random, today: dt.date):
        self.rng, self.today = rng, today
        self.first = today - dt.timedelta(days=DAYS)
        self.codes: set[str] = set(Reservation.objects.values_list("code", flat=True))
        self.reservations, self.visits, self.events, self.answers = [], [], [], []
        self.counters = {
            c.department_id: c for c in Counter.objects.filter(is_active=True).order_by("pk")
        }

    def code(self) -> str:
        while True:
            code = codes.new_booking_code()
            if code not in self.codes:
                self.codes.add(code)
                return code

    def progress(self, day: dt.date) -> float:
        """0 a year ago, 1 yesterday: the story's clock."""
        return (day - self.first).days / DAYS

    def day(self, day: dt.date, procedures: list[Procedure]) -> None:
        rng, t = self.rng, self.progress(day)
        booked_share = 0.33 + 0.25 * t
        tickets = {"A": 0, "B": 0}
        # Each clerk's next free minute of the day, across procedures: a clerk is never
        # booked twice at once (the database refuses it).
        next_free: dict[int, int] = {}
        for procedure in procedures:
            clerks = list(procedure.qualified_staff.all())
            if not clerks:
                continue
            total = rng.randint(6, 12)
            booked = round(total * booked_share)
            for clerk in clerks:
                next_free.setdefault(clerk.pk, rng.randint(0, 20))
            for _ in range(booked):
                clerk = min(clerks, key=lambda c: next_free[c.pk])
                start_minutes = next_free[clerk.pk]
                if start_minutes > 7 * 60:
                    break
                next_free[clerk.pk] = (
                    start_minutes + procedure.duration_minutes + rng.choice((0, 0, 15, 30))
                )
                self._booking(day, procedure, clerk, start_minutes, tickets)
            for _ in range(total - booked):
                self._walk_in(day, procedure, rng.randint(0, 7 * 60), tickets)

    def _booking(self, day, procedure, clerk, start_minutes, tickets) -> None:
        rng, t = self.rng, self.progress(day)
        start = _at(day, start_minutes)
        person = rng.randrange(PEOPLE)
        cancelled = rng.random() < 0.05
        reservation = Reservation(
            procedure=procedure,
            staff=clerk,
            counter=self.counters.get(procedure.department_id) or Counter.objects.first(),
            start_at=start,
            end_at=start + dt.timedelta(minutes=procedure.duration_minutes),
            status=ReservationStatus.CANCELLED if cancelled else ReservationStatus.CONFIRMED,
            channel=Channel.WEB if rng.random() < 0.9 else Channel.PHONE,
            code=self.code(),
            manage_nonce=secrets.token_urlsafe(12),
            citizen_name="住民 %04d" % person,
            citizen_kana="ジュウミン",
            email="resident%04d@example.jp" % person,
            email_key="resident%04d@example.jp" % person,
            created_at=start - dt.timedelta(days=rng.randint(1, 20), hours=rng.randint(0, 8)),
            cancelled_at=start - dt.timedelta(days=1) if cancelled else None,
        )
        self.reservations.append(reservation)
        if cancelled:
            return
        if rng.random() < 0.08 - 0.03 * t:
            self._visit(day, procedure, VisitKind.BOOKED, tickets, reservation, clerk, start, None)
            return
        arrival = start - dt.timedelta(minutes=rng.randint(0, 15))
        wait = max(0, int(rng.gauss(4 - 2 * t, 3)))
        self._visit(day, procedure, VisitKind.BOOKED, tickets, reservation, clerk, arrival, wait)

    def _walk_in(self, day, procedure, minutes, tickets) -> None:
        rng, t = self.rng, self.progress(day)
        # The Q2 action (more staff in the morning) shortens walk-in waits from mid-year.
        mean = 38 if t < 0.45 else 22
        wait = max(1, int(rng.gauss(mean, 12)))
        clerk_ids = list(procedure.qualified_staff.values_list("pk", flat=True))
        clerk = StaffMember(pk=rng.choice(clerk_ids))
        self._visit(
            day, procedure, VisitKind.WALK_IN, tickets, None, clerk, _at(day, minutes), wait
        )

    def _visit(self, day, procedure, kind, tickets, reservation, clerk, arrival, wait) -> None:
        rng, t = self.rng, self.progress(day)
        prefix = "A" if kind == VisitKind.BOOKED else "B"
        tickets[prefix] += 1
        visit = Visit(
            day=day,
            kind=kind,
            reservation=reservation,
            procedure=procedure,
            staff=clerk,
            counter=self.counters.get(procedure.department_id),
            ticket="%s%03d" % (prefix, tickets[prefix]),
            status=VisitStatus.NO_SHOW if wait is None else VisitStatus.DONE,
            expected_at=reservation.start_at if reservation else None,
            survey_token=secrets.token_urlsafe(16),
        )
        self.visits.append(visit)
        if wait is None:
            visit.no_show_at = reservation.start_at + dt.timedelta(minutes=30)
            return
        waiting_from = max(arrival, reservation.start_at) if reservation else arrival
        visit.checked_in_at = arrival
        visit.called_at = waiting_from + dt.timedelta(minutes=wait)
        visit.serving_at = visit.called_at + dt.timedelta(minutes=1)
        visit.done_at = visit.serving_at + dt.timedelta(
            minutes=max(3, int(rng.gauss(procedure.duration_minutes * 0.7, 5)))
        )
        self.events.append((visit, VisitEvent.Kind.CALLED, visit.called_at))
        self.events.append((visit, VisitEvent.Kind.DONE, visit.done_at))
        if rng.random() < 0.3:
            mood = 0.55 + 0.3 * t - (0.2 if wait > 30 else 0)
            overall = (
                5
                if rng.random() < mood * 0.6
                else (4 if rng.random() < mood else rng.choice((2, 3, 3)))
            )
            self.answers.append(
                SurveyAnswer(
                    visit=visit,
                    answered_at=visit.done_at + dt.timedelta(hours=rng.randint(1, 48)),
                    overall=overall,
                    waiting=max(1, min(5, overall - (1 if wait > 30 else 0))),
                    staff=max(1, min(5, overall + rng.choice((0, 0, 1)))),
                    clarity=overall,
                )
            )

    def save(self) -> None:
        Reservation.objects.bulk_create(self.reservations, batch_size=500)
        for visit in self.visits:
            if visit.reservation is not None:
                visit.reservation_id = visit.reservation.pk
            visit.staff_id = visit.staff.pk if visit.staff else None
        Visit.objects.bulk_create(self.visits, batch_size=500)
        VisitEvent.objects.bulk_create(
            (VisitEvent(visit_id=visit.pk, kind=kind, at=at) for visit, kind, at in self.events),
            batch_size=1000,
        )
        for answer in self.answers:
            answer.visit_id = answer.visit.pk
        SurveyAnswer.objects.bulk_create(self.answers, batch_size=500)
