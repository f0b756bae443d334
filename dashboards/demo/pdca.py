"""Five quarters of targets, reviews and actions (the PDCA page's history)."""

import datetime as dt
from decimal import Decimal

from dashboards import periods, services
from dashboards.models import Kpi, Stage

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


def pdca_seed(today: dt.date, user) -> None:
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
