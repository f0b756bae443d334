"""Demo data of the reservations app: counters, procedures with their document rules and
qualified clerks, shifts from a week ago to six weeks ahead, and some bookings."""

import datetime as dt
import secrets

from django.utils import timezone

from organization.calendar import day_start
from organization.models import Department, StaffMember
from reservations import availability, codes, requirements, services
from reservations.models import (
    Counter,
    DocumentRule,
    Procedure,
    ProcedureQuestion,
    QuestionChoice,
    Reservation,
    Shift,
)

COUNTERS = [
    # department code, name, English name, location, English location, clerk username
    ("shimin", "1番窓口", "Counter 1", "本庁舎1階", "Main building, 1st floor", "clerk1"),
    ("shimin", "2番窓口", "Counter 2", "本庁舎1階", "Main building, 1st floor", "clerk2"),
    ("shimin", "3番窓口", "Counter 3", "本庁舎1階", "Main building, 1st floor", "clerk3"),
    ("shimin", "4番窓口", "Counter 4", "本庁舎1階", "Main building, 1st floor", "clerk4"),
    ("fukushi", "5番窓口", "Counter 5", "本庁舎1階 福祉課", "Main building, 1st floor", "fukushi1"),
    ("fukushi", "6番窓口", "Counter 6", "本庁舎1階 福祉課", "Main building, 1st floor", "fukushi2"),
]

PROCEDURES = [
    {
        "code": "jr-commuter-pass",
        "department": "fukushi",
        "name": "JR定期券割引の証明書",
        "name_en": "Certificate for the JR commuter pass discount",
        "description": (
            "JR定期券の割引を受けるための証明書を発行します。証明書の有効期間は6か月です。"
            "対応できる職員が限られているため、予約なしでお越しの場合はお受けできないことがあります。"
        ),
        "description_en": (
            "We issue the certificate for the JR commuter pass discount; it is valid for "
            "6 months. Only some staff can handle it, so without a booking we may not be "
            "able to serve you."
        ),
        "duration_minutes": 30,
        "slot_interval_minutes": 30,
        "qualified": ["fukushi1", "fukushi2"],
        "rules": [
            (
                "顔写真（6か月以内に撮影、縦4cm×横3cm）。古い写真は使えません。",
                "A photo of your face taken within the last 6 months (4 cm high × 3 cm "
                "wide). Older photos cannot be used.",
            ),
            (
                "通勤・通学の区間がわかるもの（現在の定期券など）",
                "Something that shows your commuting route (e.g. your current pass)",
            ),
            (
                "本人確認書類（マイナンバーカード、運転免許証など）",
                "Proof of identity (My Number card, driving licence, etc.)",
            ),
        ],
    },
    {
        "code": "juminhyo",
        "department": "shimin",
        "name": "住民票の写し",
        "name_en": "Copy of the residence record (juminhyo)",
        "description": "住民票の写しを発行します。",
        "description_en": "We issue a copy of your residence record.",
        "duration_minutes": 15,
        "slot_interval_minutes": 15,
        "qualified": ["clerk1", "clerk2", "clerk3", "clerk4"],
        # Questions before the documents: (question, its answers); a rule's third item
        # names the answers it applies for (none: everyone).
        "questions": [("どなたが申請しますか", ["本人", "代理人"])],
        "rules": [
            (
                "本人確認書類（マイナンバーカード、運転免許証など）",
                "Proof of identity (My Number card, driving licence, etc.)",
            ),
            (
                "代理人が申請する場合は委任状",
                "A letter of authorisation if you apply for someone else",
                ["代理人"],
            ),
        ],
    },
    {
        "code": "inkan-toroku",
        "department": "shimin",
        "name": "印鑑登録",
        "name_en": "Seal registration (inkan toroku)",
        "description": "印鑑登録を行い、印鑑登録証をお渡しします。",
        "description_en": "We register your seal and give you a registration card.",
        "duration_minutes": 30,
        "slot_interval_minutes": 30,
        "qualified": ["clerk1", "clerk2", "clerk3"],
        "rules": [
            ("登録する印鑑", "The seal you want to register"),
            (
                "顔写真付きの本人確認書類（マイナンバーカード、運転免許証など）",
                "Photo identification (My Number card, driving licence, etc.)",
            ),
        ],
    },
    {
        "code": "tennyu",
        "department": "shimin",
        "name": "転入届",
        "name_en": "Moving-in notification (tennyu todoke)",
        "description": (
            "市外から引っ越してきた方の転入届を受け付けます。"
            "引っ越しから14日以内に届け出てください。"
        ),
        "description_en": (
            "For people who moved here from another municipality. Please notify us within "
            "14 days of moving."
        ),
        "duration_minutes": 60,
        "slot_interval_minutes": 30,
        "requires_email_confirmation": True,
        "qualified": ["clerk1", "clerk4"],
        "questions": [("マイナンバーカードをお持ちですか", ["はい", "いいえ"])],
        "rules": [
            (
                "前住所地の転出証明書（マイナンバーカードで転出した場合は不要）",
                "The moving-out certificate from your former municipality (not needed if "
                "you moved out with your My Number card)",
                ["いいえ"],
            ),
            (
                "世帯全員のマイナンバーカード",
                "The My Number cards of everyone in the household",
            ),
            (
                "本人確認書類（マイナンバーカード、運転免許証など）",
                "Proof of identity (My Number card, driving licence, etc.)",
            ),
        ],
    },
]

SHIFT_TIMES = [(dt.time(8, 30), dt.time(12, 0)), (dt.time(13, 0), dt.time(17, 15))]

CITIZENS = [
    ("山田 太郎", "ヤマダ タロウ"),
    ("佐々木 恵", "ササキ メグミ"),
    ("木村 拓也", "キムラ タクヤ"),
    ("林 美穂", "ハヤシ ミホ"),
    ("清水 誠", "シミズ マコト"),
    ("森 陽子", "モリ ヨウコ"),
    ("池田 翔", "イケダ ショウ"),
    ("橋本 真由美", "ハシモト マユミ"),
    ("石川 大樹", "イシカワ ダイキ"),
    ("前田 千尋", "マエダ チヒロ"),
    # Names as on a residence card in Latin script: no reading needed.
    ("Maria Silva", ""),
    ("NGUYEN VAN AN", ""),
]


def _demo_answers(procedure: Procedure, index: int) -> tuple[dict, list[DocumentRule]]:
    """Answers for the ``index``-th demo booking (alternating), and the rules that then
    apply, as the booking pages compute them."""
    questions = requirements.questions_of(procedure)
    chosen = {
        question.pk: list(question.choices.all())[index % len(question.choices.all())]
        for question in questions
    }
    rules = requirements.applicable_rules(
        list(procedure.document_rules.filter(is_active=True).prefetch_related("applies_when")),
        chosen,
    )
    return chosen, rules


def _staff(username: str) -> StaffMember:
    return StaffMember.objects.select_related("user").get(user__username=username)


def _seed_master_data() -> dict[str, Procedure]:
    departments = {d.code: d for d in Department.objects.all()}
    for code, name, name_en, location, location_en, _clerk in COUNTERS:
        Counter.objects.update_or_create(
            department=departments[code],
            name=name,
            defaults={"name_en": name_en, "location": location, "location_en": location_en},
        )
    procedures = {}
    for order, spec in enumerate(PROCEDURES, start=1):
        procedure, _created = Procedure.objects.update_or_create(
            code=spec["code"],
            defaults={
                "department": departments[spec["department"]],
                "name": spec["name"],
                "name_en": spec["name_en"],
                "description": spec["description"],
                "description_en": spec["description_en"],
                "duration_minutes": spec["duration_minutes"],
                "slot_interval_minutes": spec["slot_interval_minutes"],
                "requires_email_confirmation": spec.get("requires_email_confirmation", False),
                "display_order": order * 10,
            },
        )
        procedure.qualified_staff.set([_staff(username) for username in spec["qualified"]])
        choices = {}
        for question_order, (label, answers) in enumerate(spec.get("questions", []), start=1):
            question, _created = ProcedureQuestion.objects.update_or_create(
                procedure=procedure, label=label, defaults={"display_order": question_order}
            )
            for choice_order, answer in enumerate(answers, start=1):
                choices[answer], _created = QuestionChoice.objects.update_or_create(
                    question=question, label=answer, defaults={"display_order": choice_order}
                )
        for rule_order, (text, text_en, *applies_for) in enumerate(spec["rules"], start=1):
            rule = procedure.document_rules.filter(display_order=rule_order).first()
            if rule is None:
                rule = DocumentRule(procedure=procedure, display_order=rule_order)
            changed = rule.pk is not None and (rule.text, rule.text_en) != (text, text_en)
            if rule.pk is None or changed:
                rule.text, rule.text_en = text, text_en
                services.document_rule_save(rule=rule, wording_changed=changed)
            rule.applies_when.set([choices[answer] for answer in (applies_for or [[]])[0]])
        procedures[spec["code"]] = procedure
    return procedures


def _seed_shifts(today: dt.date) -> int:
    counters = {clerk: Counter.objects.get(name=name) for _d, name, _e, _l, _le, clerk in COUNTERS}
    created = 0
    day = today - dt.timedelta(days=7)
    while day <= today + dt.timedelta(days=42):
        if day.weekday() < 5 and not availability.closure_reason(day, {}):
            for clerk, counter in counters.items():
                staff = _staff(clerk)
                for start, end in SHIFT_TIMES:
                    _shift, was_created = Shift.objects.get_or_create(
                        staff=staff,
                        date=day,
                        start_time=start,
                        defaults={"end_time": end, "counter": counter},
                    )
                    created += was_created
        day += dt.timedelta(days=1)
    return created


def _seed_bookings(procedures: dict[str, Procedure], now: dt.datetime) -> int:
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
        chosen, applicable = _demo_answers(procedure, index)
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


def _seed_today(procedures: dict[str, Procedure], now: dt.datetime) -> int:
    """Today's queue: bookings in every state and walk-ins, through the counter services.

    The bookings are written directly (some lie in the past, which the booking service
    rightly refuses); everything after check-in goes through the services.
    """
    from reservations.models import BookingAnswer, ConsentRecord, ReservationStatus, Visit
    from reservations.services import counter

    today = timezone.localdate(now)
    if Visit.objects.filter(day=today).exists():
        return 0
    counters = {clerk: Counter.objects.get(name=name) for _d, name, _e, _l, _le, clerk in COUNTERS}
    for clerk, counter_obj in counters.items():  # today is open at the demo city hall
        for start, end in SHIFT_TIMES:
            Shift.objects.get_or_create(
                staff=_staff(clerk),
                date=today,
                start_time=start,
                defaults={"end_time": end, "counter": counter_obj},
            )
    availability.changed()
    made = 0
    for index, (clerk, code, hours_ago, state) in enumerate(TODAY_PLAN):
        procedure = procedures[code]
        start = (now - dt.timedelta(hours=hours_ago)).replace(second=0, microsecond=0)
        start = start.replace(minute=(start.minute // 15) * 15)
        if timezone.localdate(start) != today:
            continue
        name, kana = CITIZENS[index % len(CITIZENS)]
        chosen, rules = _demo_answers(procedure, index)
        reservation = Reservation.objects.create(
            procedure=procedure,
            staff=_staff(clerk),
            counter=counters[clerk],
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
        ConsentRecord.objects.bulk_create(
            ConsentRecord(
                reservation=reservation,
                rule=rule,
                rule_text=rule.text,
                rule_version=rule.version,
                agreed_at=now - dt.timedelta(days=3),
            )
            for rule in rules
        )
        BookingAnswer.objects.bulk_create(
            BookingAnswer(
                reservation=reservation,
                question_id=question_id,
                choice=choice,
                question_text=choice.question.label,
                choice_text=choice.label,
            )
            for question_id, choice in chosen.items()
        )
        made += 1
        if state in ("expected", "no_show"):
            continue
        staff = _staff(clerk)
        # Finished visits happened around their time; the others are happening now.
        if state == "done":
            arrived = start - dt.timedelta(minutes=10)
        else:
            arrived = now - dt.timedelta(minutes=8)
        # Just after midnight "ten minutes before" is yesterday, which check-in refuses.
        arrived = max(arrived, day_start(today))
        counter.visit_check_in(reservation=reservation, now=arrived, by_staff=staff)
        if state == "waiting":
            continue
        visit = counter.visit_call_next(staff=staff, now=arrived + dt.timedelta(minutes=5))
        if state == "called" or visit is None:
            continue
        counter.visit_act(
            visit=visit, action="serve", actor=staff, now=arrived + dt.timedelta(minutes=6)
        )
        if state == "done":
            counter.visit_act(
                visit=visit, action="done", actor=staff, now=arrived + dt.timedelta(minutes=20)
            )
    counter.visits_mark_no_shows(now=now)
    for minutes, code in ((25, "juminhyo"), (12, "juminhyo"), (4, "inkan-toroku")):
        # As the kiosk issues them (the demo may run after hours, when it would refuse).
        walk_in = counter._save_with_ticket(
            Visit(
                day=today,
                kind="walk_in",
                procedure=procedures[code],
                status="waiting",
                checked_in_at=now - dt.timedelta(minutes=minutes),
                survey_token=secrets.token_urlsafe(16),
            ),
            counter.WALK_IN_PREFIX,
        )
        counter._event(walk_in, "checked_in", walk_in.checked_in_at)
    return made


def seed(stdout) -> None:
    now = timezone.now()
    procedures = _seed_master_data()
    shifts = _seed_shifts(timezone.localdate(now))
    availability.changed()
    bookings = _seed_bookings(procedures, now)
    today = _seed_today(procedures, now)
    stdout.write(
        "Reservations: %d procedures, %d counters, %d new shifts, %d new bookings, "
        "%d bookings in today's queue (see /counter/)."
        % (len(procedures), len(COUNTERS), shifts, bookings, today)
    )
