"""Demo data of the reservations app: counters, procedures with their document rules and
qualified clerks, shifts from a week ago to six weeks ahead, and some bookings."""

import datetime as dt
import secrets

from django.utils import timezone

from organization.calendar import day_start
from organization.models import Department, StaffMember
from organization.translation import text_columns, texts
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

# Every citizen-facing text in the seven languages, in the order of
# organization.translation.LANGUAGE_ORDER: ja, ja-easy (やさしい日本語: short sentences,
# everyday words, the kanji terms of docs/glossary.md kept; furigana is added when the
# page is shown), en, zh-hans, ko, vi, pt-br.
MAIN_1F = texts(
    "本庁舎1階",
    "本庁舎の1階",
    "Main building, 1st floor",
    "主楼1层",
    "본청사 1층",
    "Tòa nhà chính, tầng 1",
    "Prédio principal, térreo",
)
WELFARE_1F = texts(
    "本庁舎1階 福祉課",
    "本庁舎の1階 福祉課",
    "Main building, 1st floor, Welfare Division",
    "主楼1层 福利课",
    "본청사 1층 복지과",
    "Tòa nhà chính, tầng 1, Ban Phúc lợi",
    "Prédio principal, térreo, Divisão de Bem-Estar Social",
)


def _counter_name(number: int) -> dict[str, str]:
    return texts(
        "%d番窓口" % number,
        "%d番の窓口" % number,
        "Counter %d" % number,
        "%d号窗口" % number,
        "%d번 창구" % number,
        "Quầy số %d" % number,
        "Guichê %d" % number,
    )


COUNTERS = [
    # department code, name, location, clerk username
    ("shimin", _counter_name(1), MAIN_1F, "clerk1"),
    ("shimin", _counter_name(2), MAIN_1F, "clerk2"),
    ("shimin", _counter_name(3), MAIN_1F, "clerk3"),
    ("shimin", _counter_name(4), MAIN_1F, "clerk4"),
    ("fukushi", _counter_name(5), WELFARE_1F, "fukushi1"),
    ("fukushi", _counter_name(6), WELFARE_1F, "fukushi2"),
]

PROOF_OF_IDENTITY = texts(
    "本人確認書類（マイナンバーカード、運転免許証など）",
    "本人確認書類（マイナンバーカード、運転免許証など）",
    "Proof of identity (My Number Card, driving licence, etc.)",
    "身份证明文件（My Number卡、驾驶证等）",
    "본인 확인 서류(마이넘버 카드, 운전면허증 등)",
    "Giấy tờ tùy thân (thẻ My Number, bằng lái xe, v.v.)",
    "Documento de identificação (cartão My Number, carteira de motorista etc.)",
)

PROCEDURES = [
    {
        "code": "jr-commuter-pass",
        "department": "fukushi",
        "name": texts(
            "JR定期券割引の証明書",
            "JR定期券の割引の証明書",
            "Certificate for the JR commuter pass discount",
            "JR月票折扣证明书",
            "JR 정기권 할인 증명서",
            "Giấy chứng nhận giảm giá vé tháng JR",
            "Certificado para desconto no passe da JR",
        ),
        "description": texts(
            "JR定期券の割引を受けるための証明書を発行します。証明書の有効期間は6か月です。"
            "対応できる職員が限られているため、予約なしでお越しの場合はお受けできないことがあります。",
            "JRの定期券を安く買うための証明書を出します。証明書は6か月使えます。"
            "この手続きができる職員は少ないです。予約をしてから来てください。",
            "We issue the certificate for the JR commuter pass discount; it is valid for "
            "6 months. Only some staff can handle it, so without a booking we may not be "
            "able to serve you.",
            "我们签发用于JR月票折扣的证明书，有效期为6个月。能够办理此手续的工作人员有限，"
            "未预约前来可能无法办理。",
            "JR 정기권 할인을 받기 위한 증명서를 발급합니다. 유효 기간은 6개월입니다. "
            "처리할 수 있는 직원이 한정되어 있어 예약 없이 오시면 접수하지 못할 수 있습니다.",
            "Chúng tôi cấp giấy chứng nhận để được giảm giá vé tháng JR, có hiệu lực 6 tháng. "
            "Chỉ một số nhân viên làm được thủ tục này, nên nếu bạn đến mà không có lịch hẹn, "
            "chúng tôi có thể không tiếp nhận được.",
            "Emitimos o certificado para o desconto no passe da JR; ele vale por 6 meses. "
            "Só alguns funcionários fazem este procedimento: sem agendamento, talvez não "
            "possamos atender você.",
        ),
        "duration_minutes": 30,
        "slot_interval_minutes": 30,
        "qualified": ["fukushi1", "fukushi2"],
        "rules": [
            texts(
                "顔写真（6か月以内に撮影、縦4cm×横3cm）。古い写真は使えません。",
                "顔の写真（6か月以内にとったもの。たて4cm、よこ3cm）。古い写真は使えません。",
                "A photo of your face taken within the last 6 months (4 cm high × 3 cm "
                "wide). Older photos cannot be used.",
                "面部照片（6个月内拍摄，高4厘米×宽3厘米）。不能使用旧照片。",
                "얼굴 사진(6개월 이내 촬영, 세로 4cm × 가로 3cm). "
                "오래된 사진은 사용할 수 없습니다.",
                "Ảnh chân dung chụp trong vòng 6 tháng (cao 4 cm × rộng 3 cm). "
                "Không dùng được ảnh cũ.",
                "Foto do rosto tirada nos últimos 6 meses (4 cm de altura × 3 cm de "
                "largura). Fotos antigas não são aceitas.",
            ),
            texts(
                "通勤・通学の区間がわかるもの（現在の定期券など）",
                "会社や学校に行く区間がわかるもの（今の定期券など）",
                "Something that shows your commuting route (e.g. your current pass)",
                "能显示通勤、通学区间的材料（如现在的月票）",
                "통근·통학 구간을 알 수 있는 것(현재 정기권 등)",
                "Giấy tờ cho biết tuyến đi làm hoặc đi học (ví dụ vé tháng hiện tại)",
                "Algo que mostre o trajeto até o trabalho ou a escola (por exemplo, o passe atual)",
            ),
            PROOF_OF_IDENTITY,
        ],
    },
    {
        "code": "juminhyo",
        "department": "shimin",
        "name": texts(
            "住民票の写し",
            "住民票の写し",
            "Copy of the certificate of residence (juminhyo)",
            "住民票副本",
            "주민표 사본",
            "Bản sao phiếu cư trú",
            "Cópia do atestado de residência",
        ),
        "description": texts(
            "住民票の写しを発行します。",
            "住民票の写しを出します。",
            "We issue a copy of your certificate of residence.",
            "我们签发住民票副本。",
            "주민표 사본을 발급합니다.",
            "Chúng tôi cấp bản sao phiếu cư trú.",
            "Emitimos a cópia do seu atestado de residência.",
        ),
        "duration_minutes": 15,
        "slot_interval_minutes": 15,
        "qualified": ["clerk1", "clerk2", "clerk3", "clerk4"],
        # Questions before the documents: (question, its answers); a rule's third item
        # names the answers it applies for (none: everyone).
        "questions": [("どなたが申請しますか", ["本人", "代理人"])],
        "rules": [
            PROOF_OF_IDENTITY,
            (
                texts(
                    "代理人が申請する場合は委任状",
                    "代理人が申請するときは、委任状",
                    "A letter of proxy if a representative applies for you",
                    "由代理人申请时，需要委托书",
                    "대리인이 신청하는 경우 위임장",
                    "Giấy ủy quyền nếu người đại diện nộp thay bạn",
                    "Procuração, se um representante fizer o pedido por você",
                ),
                ["代理人"],
            ),
        ],
    },
    {
        "code": "inkan-toroku",
        "department": "shimin",
        "name": texts(
            "印鑑登録",
            "印鑑登録",
            "Seal registration (inkan toroku)",
            "印章登记",
            "인감 등록",
            "Đăng ký con dấu",
            "Registro de carimbo",
        ),
        "description": texts(
            "印鑑登録を行い、印鑑登録証をお渡しします。",
            "あなたの印鑑を登録します。印鑑登録証のカードを渡します。",
            "We register your seal and give you a registration card.",
            "为您办理印章登记，并发给印章登记证。",
            "인감을 등록하고 인감등록증을 드립니다.",
            "Chúng tôi đăng ký con dấu của bạn và cấp thẻ đăng ký con dấu.",
            "Registramos o seu carimbo e entregamos o cartão de registro.",
        ),
        "duration_minutes": 30,
        "slot_interval_minutes": 30,
        "qualified": ["clerk1", "clerk2", "clerk3"],
        "rules": [
            texts(
                "登録する印鑑",
                "登録する印鑑",
                "The seal you want to register",
                "要登记的印章",
                "등록할 인감",
                "Con dấu bạn muốn đăng ký",
                "O carimbo que você quer registrar",
            ),
            texts(
                "顔写真付きの本人確認書類（マイナンバーカード、運転免許証など）",
                "顔の写真がある本人確認書類（マイナンバーカード、運転免許証など）",
                "Proof of identity with a photo (My Number Card, driving licence, etc.)",
                "带照片的身份证明文件（My Number卡、驾驶证等）",
                "사진이 있는 본인 확인 서류(마이넘버 카드, 운전면허증 등)",
                "Giấy tờ tùy thân có ảnh (thẻ My Number, bằng lái xe, v.v.)",
                "Documento de identificação com foto (cartão My Number, carteira de "
                "motorista etc.)",
            ),
        ],
    },
    {
        "code": "tennyu",
        "department": "shimin",
        "name": texts(
            "転入届",
            "転入届",
            "Moving-in notification (tennyu todoke)",
            "迁入申报",
            "전입신고",
            "Thông báo chuyển đến",
            "Notificação de mudança para a cidade",
        ),
        "description": texts(
            "市外から引っ越してきた方の転入届を受け付けます。"
            "引っ越しから14日以内に届け出てください。",
            "ほかの市や町から引っ越してきた人の手続きです。引っ越してから14日以内に来てください。",
            "For people who moved here from another municipality. Please notify us within "
            "14 days of moving.",
            "适用于从其他市町村搬来的人。请在搬家后14天内申报。",
            "다른 시정촌에서 이사 온 분의 전입신고를 접수합니다. "
            "이사 후 14일 이내에 신고해 주십시오.",
            "Dành cho người chuyển đến từ thành phố hoặc thị trấn khác. "
            "Vui lòng thông báo trong vòng 14 ngày sau khi chuyển đến.",
            "Para quem se mudou de outro município. Faça a notificação em até 14 dias "
            "após a mudança.",
        ),
        "duration_minutes": 60,
        "slot_interval_minutes": 30,
        "requires_email_confirmation": True,
        "qualified": ["clerk1", "clerk4"],
        "questions": [("マイナンバーカードをお持ちですか", ["はい", "いいえ"])],
        "rules": [
            (
                texts(
                    "前住所地の転出証明書（マイナンバーカードで転出した場合は不要）",
                    "前に住んでいた市や町の転出証明書（マイナンバーカードで転出したときは、いりません）",
                    "The moving-out certificate from your former municipality (not needed if "
                    "you moved out with your My Number Card)",
                    "原住址市町村开具的迁出证明书（使用My Number卡办理迁出的不需要）",
                    "이전 주소지의 전출증명서(마이넘버 카드로 전출한 경우 필요 없음)",
                    "Giấy chứng nhận chuyển đi của nơi ở cũ (không cần nếu bạn đã làm thủ tục "
                    "chuyển đi bằng thẻ My Number)",
                    "O certificado de mudança do município anterior (não é preciso se você fez "
                    "a saída com o cartão My Number)",
                ),
                ["いいえ"],
            ),
            (
                texts(
                    "世帯全員のマイナンバーカード",
                    "いっしょに住んでいる家族全員のマイナンバーカード",
                    "The My Number Cards of everyone in the household",
                    "全体家庭成员的My Number卡",
                    "세대원 전원의 마이넘버 카드",
                    "Thẻ My Number của tất cả mọi người trong hộ gia đình",
                    "Os cartões My Number de todos os moradores da casa",
                ),
                ["はい"],
            ),
            PROOF_OF_IDENTITY,
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
    for code, name, location, _clerk in COUNTERS:
        counter = Counter.objects.filter(department=departments[code], name_ja=name["ja"]).first()
        counter = counter or Counter(department=departments[code])
        for column, value in {
            **text_columns("name", name),
            **text_columns("location", location),
        }.items():
            setattr(counter, column, value)
        counter.save()
    procedures = {}
    for order, spec in enumerate(PROCEDURES, start=1):
        procedure, _created = Procedure.objects.update_or_create(
            code=spec["code"],
            defaults={
                "department": departments[spec["department"]],
                **text_columns("name", spec["name"]),
                **text_columns("description", spec["description"]),
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
                procedure=procedure,
                label_ja=label,
                defaults={
                    "display_order": question_order,
                    **text_columns("label", QUESTION_TEXTS.get(label, {"ja": label})),
                },
            )
            for choice_order, answer in enumerate(answers, start=1):
                choices[answer], _created = QuestionChoice.objects.update_or_create(
                    question=question,
                    label_ja=answer,
                    defaults={
                        "display_order": choice_order,
                        **text_columns("label", QUESTION_TEXTS.get(answer, {"ja": answer})),
                    },
                )
        for rule_order, entry in enumerate(spec["rules"], start=1):
            # A rule is its wording, or (wording, the answers it applies for).
            wording, applies_for = entry if isinstance(entry, tuple) else (entry, [])
            rule = procedure.document_rules.filter(display_order=rule_order).first()
            if rule is None:
                rule = DocumentRule(procedure=procedure, display_order=rule_order)
            columns = text_columns("text", wording)
            changed = rule.pk is not None and any(
                getattr(rule, column) != value for column, value in columns.items()
            )
            if rule.pk is None or changed:
                for column, value in columns.items():
                    setattr(rule, column, value)
                services.document_rule_save(rule=rule, wording_changed=changed)
            rule.applies_when.set([choices[answer] for answer in applies_for])
        procedures[spec["code"]] = procedure
    return procedures


# The demo questions and their answers in every citizen language (by their Japanese).
QUESTION_TEXTS = {
    "どなたが申請しますか": texts(
        "どなたが申請しますか",
        "だれが 申請しますか",
        "Who is applying?",
        "由谁申请？",
        "누가 신청합니까?",
        "Ai là người nộp đơn?",
        "Quem está fazendo o pedido?",
    ),
    "本人": texts(
        "本人", "自分", "I am (the applicant)", "本人", "본인", "Chính tôi", "Eu mesmo(a)"
    ),
    "代理人": texts(
        "代理人",
        "代理人（ほかの 人の かわり）",
        "A representative",
        "代理人",
        "대리인",
        "Người đại diện",
        "Um representante",
    ),
    "マイナンバーカードをお持ちですか": texts(
        "マイナンバーカードをお持ちですか",
        "マイナンバーカードを 持って いますか",
        "Do you have a My Number Card?",
        "您有My Number卡吗？",
        "마이넘버 카드를 가지고 계십니까?",
        "Bạn có thẻ My Number không?",
        "Você tem o cartão My Number?",
    ),
    "はい": texts("はい", "はい", "Yes", "有", "예", "Có", "Sim"),
    "いいえ": texts("いいえ", "いいえ", "No", "没有", "아니요", "Không", "Não"),
}


def _seed_shifts(today: dt.date) -> int:
    counters = {clerk: Counter.objects.get(name_ja=name["ja"]) for _d, name, _l, clerk in COUNTERS}
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
    counters = {clerk: Counter.objects.get(name_ja=name["ja"]) for _d, name, _l, clerk in COUNTERS}
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
                question_text=choice.question.label_ja,
                choice_text=choice.label_ja,
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
