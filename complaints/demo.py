"""Demo complaints in every state: closed cases in the knowledge base (one that came
again), one awaiting approval, an overdue investigation, a paused one, a new one and a
critical one. Made through the services, dated in the past, so the timeline, deadlines
and the overdue list look as they would after a few months of use."""

import datetime as dt

from django.utils import timezone

from complaints import defaults, services
from complaints.models import (
    Category,
    Channel,
    CitizenState,
    Complaint,
    EscalationRole,
    ReportKind,
    SeverityLevel,
    SeverityWeight,
)
from organization.calendar import business_days_add, is_business_day
from organization.models import Department, StaffMember
from reservations.models import Procedure


def _staff(username: str) -> StaffMember:
    return StaffMember.objects.select_related("department", "user").get(user__username=username)


def _working_day(days_ago: int, hour: int = 10) -> dt.datetime:
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    while not is_business_day(day):
        day -= dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _after(start: dt.datetime, business_days: int, hour: int = 15) -> dt.datetime:
    day = business_days_add(timezone.localdate(start), business_days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


CASES = [
    {
        "summary": "番号札の発券機が止まり、長時間待たされた",
        "description": "朝9時過ぎに来庁。発券機が番号札を出さず、職員に声をかけるまで40分待った。",
        "first_response": "お詫びし、手書きの番号札で優先してご案内した。",
        "category": "待ち時間",
        "department": "shimin",
        "procedure": "juminhyo",
        "severity": ("inconvenience", "several", "angry", "first"),
        "days_ago": 120,
        "owner": ("shimin", "manager"),
        "root_cause": "発券機の用紙切れを始業前に確認する手順がなかった。",
        "countermeasure": "始業前点検表に発券機の用紙と動作確認を追加し、予備の番号札を用意した。",
        "close": ("clerk1", "manager"),
        "name": "山口 一郎",
        "contact": "090-2345-6789",
    },
    {
        "summary": "JR定期券割引の証明書で、写真が古いため受け付けられなかった",
        "description": (
            "予約して来庁したが、持参した写真が1年前のもので受付できず、出直しになった。"
            "予約時に写真の条件が分からなかった。"
        ),
        "first_response": "写真の条件をご説明し、次回の予約をその場でお取りした。",
        "category": "手続き・必要書類",
        "department": "fukushi",
        "procedure": "jr-commuter-pass",
        "severity": ("inconvenience", "one", "dissatisfied", "first"),
        "days_ago": 90,
        "owner": ("fukushi", "fukushi_head"),
        "joint": ("johoseisaku", "admin"),
        "root_cause": "予約画面に必要書類が表示されず、写真の撮影時期の条件が伝わっていなかった。",
        "countermeasure": (
            "予約の前に必要書類の各項目への同意を必須にし、案内文にも「6か月以内に撮影」を明記した。"
        ),
        "close": ("fukushi1", "fukushi_head"),
        "name": "森 さやか",
        "contact": "sayaka@example.jp",
    },
    {
        "summary": "窓口職員の言葉遣いが乱暴だった",
        "description": "転入届の際、書類の不備を指摘する口調が強く、責められているように感じた。",
        "first_response": "お詫びし、担当係長から改めて説明した。",
        "category": "職員の対応",
        "department": "shimin",
        "procedure": "tennyu",
        "severity": ("none", "one", "angry", "first"),
        "days_ago": 75,
        "owner": ("shimin", "manager"),
        "root_cause": "繁忙期で窓口が混雑し、説明の手順が職員ごとに異なっていた。",
        "countermeasure": "不備を伝える際の説明例を作成し、課内で接遇研修を行った。",
        "close": ("clerk2", "manager"),
        "name": "斎藤 健二",
        "contact": "03-1234-5678",
    },
    {
        "summary": "窓口で説明した職員の態度が冷たかった",
        "description": "住民票の請求で、質問に答えてもらえず突き放されたように感じた。",
        "first_response": "お詫びし、手続きをご案内した。",
        "category": "職員の対応",
        "department": "shimin",
        "procedure": "juminhyo",
        "severity": ("none", "one", "dissatisfied", "repeat"),
        "days_ago": 20,
        "owner": ("shimin", "manager"),
        "answered": True,
        "request_close": "clerk1",
        "name": "斎藤 健二",
        "contact": "03-1234-5678",
    },
    {
        "summary": "オンライン予約の確認メールが届かない",
        "description": "予約完了の画面は出たが、確認メールが届かず、予約できたか不安になった。",
        "first_response": "予約番号で予約を確認し、内容を口頭でお伝えした。",
        "category": "オンライン予約・システム",
        "department": "shimin",
        "severity": ("inconvenience", "several", "dissatisfied", "first"),
        "days_ago": 30,
        "owner": ("johoseisaku", "admin"),
        "info": ("koho", "koho1"),
        "initial_report": True,
        "name": "小川 美紀",
        "contact": "miki@example.jp",
    },
    {
        "summary": "固定資産税の通知額に誤りがあった",
        "description": (
            "通知書の税額が前年より大きく増えており、問い合わせたところ計算誤りが判明した。"
        ),
        "first_response": "誤りを認めてお詫びし、訂正通知を送ると説明した。",
        "category": "制度・政策",
        "department": "zeimu",
        "severity": ("financial", "many", "angry", "first"),
        "days_ago": 25,
        "owner": ("zeimu", "zeimu1"),
        "info": ("homu", "homu1"),
        "recorder": "zeimu1",
        "name": "石井 正",
        "contact": "048-000-1111",
    },
    {
        "summary": "前回と今回で必要書類の案内が違った",
        "description": "福祉の手続きで、前回の電話と今回の窓口で必要書類の説明が異なった。",
        "first_response": (
            "正しい書類をご案内し、ご本人から前回の案内文書を送っていただくことにした。"
        ),
        "category": "案内・説明",
        "department": "fukushi",
        "severity": ("inconvenience", "one", "dissatisfied", "first"),
        "days_ago": 8,
        "recorder": "fukushi1",
        "pause": "前回の案内文書のご送付待ち",
        "name": "中島 和子",
        "contact": "080-3333-4444",
    },
    {
        "summary": "庁舎の駐車場が満車で予約時間に間に合わなかった",
        "description": "駐車場が満車で20分待ち、予約時間を過ぎてしまった。",
        "first_response": "次の空き時間でご案内した。",
        "category": "施設・設備",
        "department": "shimin",
        "severity": ("inconvenience", "one", "calm", "first"),
        "days_ago": 0,
        "name": "原田 翔",
        "contact": "",
    },
    {
        "summary": "別の方の証明書が封入されていた",
        "description": "郵送で請求した証明書の封筒に、別の方の証明書が同封されていた。",
        "first_response": "お詫びし、当日中に職員が回収に伺った。",
        "category": "手続き・必要書類",
        "department": "shimin",
        "severity": ("legal", "several", "angry", "first"),
        "days_ago": 2,
        "level": (4, "個人情報の誤送付のため、規定により最高レベルで対応"),
        "owner": ("shimin", "manager"),
        "joint": ("homu", "homu1"),
        "initial_report": True,
        "recorder": "manager",
        "name": "(調査中)",
        "contact": "(調査中)",
    },
]


# The keys a case names its escalations by, and the request each role is sent with.
_CASE_ROLES = {
    "owner": EscalationRole.OWNER,
    "joint": EscalationRole.JOINT,
    "info": EscalationRole.INFORMATION,
}
_REQUESTS = {
    EscalationRole.OWNER: "原因の特定と再発防止策をお願いします。",
    EscalationRole.JOINT: "事実関係の確認に協力をお願いします。",
    EscalationRole.INFORMATION: "関連する記録の有無を教えてください。",
}


def _escalate(complaint, actor, department_code, role: EscalationRole, when):
    return services.complaint_escalate(
        complaint=complaint,
        actor=actor,
        department=Department.objects.get(code=department_code),
        role=role,
        request=_REQUESTS[role],
        at=when,
    )


def _seed_case(case: dict) -> None:
    recorder = _staff(case.get("recorder", "clerk1"))
    received = _working_day(case["days_ago"], hour=10 if case["days_ago"] else 9)
    complaint = _case_record(case, recorder, received)
    step = received + dt.timedelta(hours=2)
    if case.get("initial_report") or "close" in case:
        services.complaint_report_submit(
            complaint=complaint,
            actor=recorder,
            kind=ReportKind.INITIAL,
            body="事実関係を確認し、関係課に照会した。",
            at=step,
        )
    escalations = {
        role: (_escalate(complaint, recorder, case[key][0], role, step), case[key][1])
        for key, role in _CASE_ROLES.items()
        if key in case
    }
    if "pause" in case:
        services.complaint_pause(complaint=complaint, actor=recorder, reason=case["pause"], at=step)
    if "close" in case or case.get("answered"):
        _case_answer(case, escalations, at=_after(received, 2))
    if "close" in case:
        _case_close(case, complaint, received)
    if case.get("request_close"):
        services.complaint_closing_request(
            complaint=complaint,
            actor=_staff(case["request_close"]),
            body="ご本人に説明し、ご理解いただいた。",
            at=_after(received, 4),
        )


def _case_record(case: dict, recorder: StaffMember, received: dt.datetime) -> Complaint:
    damage, reach, emotion, repeat = case["severity"]
    level, reason = case.get("level", (None, ""))
    intake = services.ComplaintIntake(
        channel=Channel.COUNTER,
        received_at=received,
        department=Department.objects.get(code=case["department"]),
        category=Category.objects.get(name=case["category"]),
        procedure=Procedure.objects.filter(code=case.get("procedure", "")).first(),
        summary=case["summary"],
        description=case["description"],
        first_response=case["first_response"],
        citizen_state=CitizenState.CALMED,
        citizen_name=case["name"],
        citizen_contact=case["contact"],
        damage=damage,
        reach=reach,
        emotion=emotion,
        repeat=repeat,
        level=level,
        level_reason=reason,
    )
    return services.complaint_record(actor=recorder, intake=intake, at=received)


def _case_answer(case: dict, escalations: dict, *, at: dt.datetime) -> None:
    """Every department asked answers; the owner with the root cause and countermeasure."""
    for role, (escalation, username) in escalations.items():
        services.escalation_respond(
            escalation=escalation,
            actor=_staff(username),
            response="確認しました。" if role != EscalationRole.OWNER else "原因を特定しました。",
            root_cause=case.get("root_cause", "手順が統一されていなかった。"),
            countermeasure=case.get("countermeasure", "手順書を改訂し、課内で共有した。"),
            at=at,
        )


def _case_close(case: dict, complaint: Complaint, received: dt.datetime) -> None:
    requester, approver = (_staff(name) for name in case["close"])
    services.complaint_closing_request(
        complaint=complaint,
        actor=requester,
        body="市民の方にご説明し、ご了承いただいた。",
        at=_after(received, 5),
    )
    services.complaint_approve(
        complaint=complaint,
        actor=approver,
        user=approver.user,
        comment="再発防止策を確認した。",
        at=_after(received, 6),
    )


def seed(stdout) -> None:
    defaults.ensure(SeverityWeight, SeverityLevel, Category)  # the policy the cases need
    made = 0
    for case in CASES:
        if Complaint.objects.filter(summary=case["summary"]).exists():
            continue
        _seed_case(case)
        made += 1
    stdout.write(
        "Complaints: %d new (every state; see /complaints/ and the knowledge base)." % made
    )
