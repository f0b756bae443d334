"""A year of complaints through the complaint services: recorded, reported on,
escalated, answered and, but for the last weeks', closed."""

import datetime as dt

from django.utils import timezone

from complaints import services as complaint_services
from complaints.models import Category, Complaint
from dashboards.demo.history import History
from organization.calendar import is_business_day
from organization.models import Department, StaffMember

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


def complaints_seed(history: History) -> int:
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
            received = timezone.make_aware(dt.datetime.combine(received_day, dt.time(11, 0)))
            complaint = _complaint_handle(history, rng.choice(choices), received, recorder, head)
            if week < 3:
                continue  # still open
            _complaint_close(history, complaint, received, recorder, approver)
            made += 1
    return made


def _complaint_handle(history: History, example, received, recorder, head) -> Complaint:
    """Record one complaint, report on it, escalate it to its department, which responds."""
    rng = history.rng
    category, department, summary, damage, reach, emotion, repeat = example
    intake = complaint_services.ComplaintIntake(
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
    )
    complaint = complaint_services.complaint_record(actor=recorder, intake=intake, at=received)
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
        actor=head[department],  # the head, or the manager where a department has none
        response="対応しました。",
        root_cause="手順や案内が利用者の目線になっていなかった。",
        countermeasure="案内と手順を見直し、課内で共有した。",
        at=report_at + dt.timedelta(days=2),
    )
    return complaint


def _complaint_close(history: History, complaint, received, recorder, approver) -> None:
    closing_at = received + dt.timedelta(days=history.rng.randint(6, 20))
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
