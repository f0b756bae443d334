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
import secrets
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from complaints import services as complaint_services
from complaints.models import Category, Complaint
from dashboards import periods, rollup, services
from dashboards.models import Kpi, QuarterReview, Stage
from notices.models import (
    Certificate,
    CertificateType,
    Letter,
    LetterBatch,
    LetterStatus,
    NoticeRule,
    Resident,
)
from organization.calendar import is_business_day
from organization.models import Department, StaffMember
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


class _History:
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


def _letters(history: _History) -> int:
    """Four past batches (one a quarter) of JR commuter-pass renewal letters; about
    four in ten residents booked with the letter's code within 30 days."""
    rule = NoticeRule.objects.filter(procedure__code="jr-commuter-pass").first()
    certificate_type = CertificateType.objects.filter(code="jr-commuter").first()
    if rule is None or certificate_type is None:
        return 0
    rng, made = history.rng, 0
    candidates = sorted(
        (r for r in history.reservations if r.procedure_id == rule.procedure_id and r.pk),
        key=lambda r: r.start_at,
    )
    for quarter_back in range(4, 0, -1):
        made_on = history.today - dt.timedelta(days=91 * quarter_back - 10)
        created = timezone.make_aware(dt.datetime.combine(made_on, dt.time(6, 30)))
        batch = LetterBatch.objects.create(
            rule=rule, created_at=created, status="ready", mailed_at=created + dt.timedelta(days=1)
        )
        size = 40 + 10 * (4 - quarter_back)
        residents = Resident.objects.bulk_create(
            Resident(
                resident_number="H%02d%04d" % (quarter_back, n),
                name="案内 %d-%d" % (quarter_back, n),
                postal_code="330-0063",
                address_line1="さいたま市浦和区高砂3丁目",
            )
            for n in range(size)
        )
        certificates = Certificate.objects.bulk_create(
            Certificate(
                source_id="H%02d%04d" % (quarter_back, n),
                resident=resident,
                certificate_type=certificate_type,
                issued_on=made_on - dt.timedelta(days=150),
                expires_on=made_on + dt.timedelta(days=30),
            )
            for n, resident in enumerate(residents)
        )
        letters = Letter.objects.bulk_create(
            Letter(
                rule=rule,
                resident=resident,
                certificate=certificate,
                code=history.code(),
                status=LetterStatus.MAILED,
                created_at=created,
                batch=batch,
            )
            for resident, certificate in zip(residents, certificates, strict=True)
        )
        batch.total = batch.rendered = len(letters)
        batch.save(update_fields=["total", "rendered"])
        for letter in letters:
            if rng.random() < 0.35 + 0.05 * (4 - quarter_back):
                booked_on = made_on + dt.timedelta(days=rng.randint(2, 25))
                if booked_on >= history.today:
                    continue
                booking = next(
                    (
                        r
                        for r in candidates
                        if timezone.localdate(r.start_at) > booked_on and not r.referral_code
                    ),
                    None,
                )
                if booking:
                    booking.referral_code = letter.code
                    booking.created_at = timezone.make_aware(
                        dt.datetime.combine(booked_on, dt.time(20, 0))
                    )
                    Reservation.objects.filter(pk=booking.pk).update(
                        referral_code=letter.code, created_at=booking.created_at
                    )
        made += len(letters)
    return made


COMPLAINTS = [
    # category, department, summary, damage, reach, emotion, repeat
    (
        "待ち時間",
        "shimin",
        "午前中の待ち時間が長すぎる",
        "inconvenience",
        "several",
        "angry",
        "first",
    ),
    (
        "待ち時間",
        "shimin",
        "番号札の呼び出しが聞こえなかった",
        "inconvenience",
        "one",
        "dissatisfied",
        "first",
    ),
    ("職員の対応", "shimin", "説明が早口で分からなかった", "none", "one", "dissatisfied", "first"),
    (
        "手続き・必要書類",
        "fukushi",
        "必要書類の案内が足りず出直しになった",
        "inconvenience",
        "one",
        "dissatisfied",
        "repeat",
    ),
    (
        "オンライン予約・システム",
        "johoseisaku",
        "予約の変更画面が分かりにくい",
        "none",
        "several",
        "calm",
        "first",
    ),
    ("案内・説明", "zeimu", "税の通知の説明が難しい", "none", "many", "dissatisfied", "first"),
    ("施設・設備", "shimin", "待合の椅子が足りない", "inconvenience", "several", "calm", "first"),
]


def _complaints(history: _History) -> int:
    rng, made = history.rng, 0
    recorder = StaffMember.objects.filter(user__username="clerk1").first()
    approver = StaffMember.objects.filter(user__username="manager").first()
    head = {d.code: d.head or approver for d in Department.objects.select_related("head")}
    if recorder is None or approver is None:
        return 0
    for week in range(2, 52):
        received_day = history.today - dt.timedelta(days=7 * week + rng.randint(0, 4))
        while not is_business_day(received_day):
            received_day -= dt.timedelta(days=1)
        # Waiting complaints fall after mid-year; "procedures and documents" comes back.
        choices = COMPLAINTS if week > 26 else COMPLAINTS[2:] + COMPLAINTS[3:4]
        for _ in range(rng.choice((0, 1, 1, 2))):
            category, department, summary, damage, reach, emotion, repeat = rng.choice(choices)
            received = timezone.make_aware(dt.datetime.combine(received_day, dt.time(11, 0)))
            complaint = complaint_services.complaint_record(
                actor=recorder,
                channel=rng.choice(("counter", "phone", "email", "web")),
                received_at=received,
                department=Department.objects.get(code=department),
                category=Category.objects.get(name=category),
                summary=summary,
                description="（過去の事例）" + summary + "。",
                citizen_state="calmed",
                damage=damage,
                reach=reach,
                emotion=emotion,
                repeat=repeat,
                citizen_name="匿名",
                at=received,
            )
            late = rng.random() < 0.2
            report_at = received + dt.timedelta(days=5 if late else 1)
            complaint_services.complaint_report_submit(
                complaint=complaint,
                actor=recorder,
                kind="initial",
                body="事実確認済み",
                at=report_at,
            )
            owner_department = Department.objects.get(code=department)
            escalation = complaint_services.complaint_escalate(
                complaint=complaint,
                actor=recorder,
                department=owner_department,
                role="owner",
                request="原因と対策をお願いします。",
                at=report_at,
            )
            complaint_services.escalation_respond(
                escalation=escalation,
                actor=head[department] or approver,
                response="対応しました。",
                root_cause="手順や案内が利用者の目線になっていなかった。",
                countermeasure="案内と手順を見直し、課内で共有した。",
                at=report_at + dt.timedelta(days=2),
            )
            if week < 3:
                continue  # still open
            closing_at = received + dt.timedelta(days=rng.randint(6, 20))
            complaint_services.complaint_closing_request(
                complaint=complaint,
                actor=recorder,
                body="ご説明し、ご了承いただいた。",
                at=closing_at,
            )
            complaint_services.complaint_approve(
                complaint=Complaint.objects.get(pk=complaint.pk),
                actor=approver,
                user=approver.user,
                at=closing_at + dt.timedelta(days=1),
            )
            made += 1
    return made


TARGETS = {
    Kpi.SATISFACTION: Decimal("75"),
    Kpi.RESPONSE_RATE: Decimal("25"),
    Kpi.ONLINE_SHARE: Decimal("45"),
    Kpi.NO_SHOW_RATE: Decimal("6"),
    Kpi.WAIT_P90_WALK_IN: Decimal("45"),
    Kpi.COMPLAINTS_PER_1000: Decimal("3"),
    Kpi.REPORTS_ON_TIME: Decimal("90"),
    Kpi.LETTER_CONVERSION: Decimal("35"),
}

REVIEWS = [
    (
        "窓口の待ち時間（飛び込み）のP90が目標を大きく超えた。午前中に集中している。",
        "午前9〜11時に窓口を1つ増やす。オンライン予約の案内を来庁者に配布する。",
        "午前の繁忙時間帯に職員を1名追加配置する",
    ),
    (
        "待ち時間は改善した。満足度は目標に届かない。必要書類の不足による出直しの苦情が残る。",
        "予約時に必要書類への同意を必須とし、案内文を見直す。",
        "必要書類の案内文を全手続きで見直す",
    ),
    (
        "オンライン予約の割合が目標を上回った。更新案内の手紙からの予約も増えている。",
        "手紙の対象を他の証明書にも広げる検討を始める。",
        "他の証明書の更新案内の対象と時期を検討する",
    ),
]


def _pdca(today: dt.date, user) -> None:
    current = periods.period_containing(today, "quarter")
    quarters = current.trend(5)
    for n, quarter in enumerate(quarters):
        ramp = Decimal(n)
        values = dict(TARGETS)
        values[Kpi.SATISFACTION] += ramp * 2
        values[Kpi.ONLINE_SHARE] += ramp * 3
        services.targets_set(
            fiscal_year=quarter.fiscal_year, quarter=quarter.quarter, values=values, user=user
        )
    for quarter, (findings, decisions, action) in zip(quarters[1:-1], REVIEWS, strict=False):
        key = {"fiscal_year": quarter.fiscal_year, "quarter": quarter.quarter}
        services.review_save(**key, findings=findings, decisions=decisions, user=user)
        services.action_add(**key, stage=Stage.ACT, text=action, owner="市民課長", user=user)
        follow = quarter.next()
        done = services.action_add(
            fiscal_year=follow.fiscal_year,
            quarter=follow.quarter,
            stage=Stage.DO,
            text=action,
            owner="市民課",
            user=user,
        )
        if follow != current:
            services.action_mark_done(action=done)


def seed(stdout) -> None:
    if QuarterReview.objects.exists():
        stdout.write("Dashboards: the year of history is already there.")
        return
    today = timezone.localdate()
    rng = random.Random(2024)
    history = _History(rng, today)
    procedures = list(Procedure.objects.prefetch_related("qualified_staff").order_by("pk"))
    with transaction.atomic():
        day = history.first
        while day < today - dt.timedelta(days=7):  # the reservations demo owns the last week
            if is_business_day(day):
                history.day(day, procedures)
            day += dt.timedelta(days=1)
        history.save()
        letters = _letters(history)
    with complaint_services.notifications_off(), transaction.atomic():
        complaints = _complaints(history)
    manager = StaffMember.objects.filter(user__username="manager").select_related("user").first()
    _pdca(today, manager.user if manager else None)
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
