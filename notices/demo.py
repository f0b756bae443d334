"""Demo data of the notices app: certificate types, and residents with a few years of
past JR commuter-pass discount certificates (valid 6 months), imported from the sample
CSV shipped in docs/samples/ — the same path a city's own export takes."""

import datetime as dt
import random
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from notices import services
from notices.models import CertificateType
from organization.translation import text_columns, texts
from reservations.models import Procedure

SAMPLE = Path(settings.BASE_DIR) / "docs" / "samples" / "certificates-sample.csv"
TYPES = [
    # code, name in every citizen language, procedure that renews it
    (
        "jr-commuter",
        texts(
            "JR定期券割引の証明書",
            "JR定期券の割引の証明書",
            "JR commuter pass discount certificate",
            "JR月票折扣证明书",
            "JR 정기권 할인 증명서",
            "Giấy chứng nhận giảm giá vé tháng JR",
            "Certificado de desconto no passe da JR",
        ),
        "jr-commuter-pass",
    ),
    (
        "juminhyo",
        texts(
            "住民票の写し",
            "住民票の写し",
            "Copy of the certificate of residence",
            "住民票副本",
            "주민표 사본",
            "Bản sao phiếu cư trú",
            "Cópia do atestado de residência",
        ),
        "juminhyo",
    ),
]
FAMILY = [
    "佐藤",
    "鈴木",
    "高橋",
    "田中",
    "伊藤",
    "渡辺",
    "山本",
    "中村",
    "小林",
    "加藤",
    "吉田",
    "山田",
    "佐々木",
    "山口",
    "松本",
    "井上",
    "木村",
    "林",
    "斎藤",
    "清水",
]
FAMILY_KANA = [
    "サトウ",
    "スズキ",
    "タカハシ",
    "タナカ",
    "イトウ",
    "ワタナベ",
    "ヤマモト",
    "ナカムラ",
    "コバヤシ",
    "カトウ",
    "ヨシダ",
    "ヤマダ",
    "ササキ",
    "ヤマグチ",
    "マツモト",
    "イノウエ",
    "キムラ",
    "ハヤシ",
    "サイトウ",
    "シミズ",
]
GIVEN = [
    ("大輔", "ダイスケ"),
    ("美咲", "ミサキ"),
    ("翔太", "ショウタ"),
    ("陽菜", "ヒナ"),
    ("健一", "ケンイチ"),
    ("結衣", "ユイ"),
    ("拓海", "タクミ"),
    ("さくら", "サクラ"),
]
TOWNS = ["本町1丁目", "中央2丁目", "栄町3丁目", "緑が丘4丁目", "桜木町5丁目", "港町6丁目"]


def write_sample(path: Path = SAMPLE, *, residents: int = 60, today: dt.date | None = None):
    """The sample export: residents who renew their certificate every 6 months, some of
    whom are due for renewal in the coming weeks; written in the documented format."""
    today = today or timezone.localdate()
    rng = random.Random(42)
    lines = [",".join(services.COLUMNS)]
    record = 0
    for n in range(residents):
        family = rng.randrange(len(FAMILY))
        given, given_kana = GIVEN[rng.randrange(len(GIVEN))]
        postal = "" if n % 17 == 16 else "123-%04d" % (4500 + n)  # a few incomplete addresses
        status = "moved" if n % 23 == 22 else "active"
        # The latest certificate expires between 40 days ago and 5 months ahead.
        expires = today + dt.timedelta(days=rng.randrange(-40, 150))
        for back in range(rng.randrange(2, 6)):
            issued = expires - dt.timedelta(days=182 * (back + 1))
            record += 1
            lines.append(
                ",".join(
                    [
                        "JR-%06d" % record,
                        "R%06d" % (n + 1),
                        "%s %s" % (FAMILY[family], given),
                        "%s %s" % (FAMILY_KANA[family], given_kana),
                        postal,
                        "みどり市%s%d-%d" % (TOWNS[n % len(TOWNS)], n % 9 + 1, n % 5 + 1),
                        "" if n % 3 else "コーポみどり%d号" % (100 + n),
                        status,
                        "jr-commuter",
                        # older records in 和暦, as the old system wrote them
                        _wareki(issued) if back >= 2 else issued.isoformat(),
                        (expires - dt.timedelta(days=182 * back)).isoformat(),
                        "jr-commuter-pass",
                    ]
                )
            )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _wareki(day: dt.date) -> str:
    year = day.year - 2018
    return "令和%s年%d月%d日" % ("元" if year == 1 else year, day.month, day.day)


def seed(stdout) -> None:
    procedures = {
        code: (pk, department_id)
        for code, pk, department_id in Procedure.objects.values_list("code", "pk", "department")
    }
    for code, name, procedure_code in TYPES:
        # Owned by the department of the procedure that renews it (need-to-know).
        procedure_id, department_id = procedures.get(procedure_code, (None, None))
        CertificateType.objects.update_or_create(
            code=code,
            defaults={
                **text_columns("name", name),
                "procedure_id": procedure_id,
                "department_id": department_id,
            },
        )
    from notices.models import NoticeRule
    from organization.models import Department

    jr_procedure = Procedure.objects.filter(code="jr-commuter-pass").first()
    if jr_procedure:
        NoticeRule.objects.update_or_create(
            name="JR定期券割引の証明書 更新案内",
            defaults={
                "certificate_type": CertificateType.objects.get(code="jr-commuter"),
                "days_before_expiry": 45,
                "procedure": jr_procedure,
                "sender": Department.objects.get(code="fukushi"),
                # Numbered み福第1号… as a formal letter of the city's 福祉課 is.
                "document_prefix": "み福",
            },
        )
    path = write_sample(Path(settings.VAR_DIR) / "demo-certificates.csv")
    run = services.certificates_import(data=path.read_bytes(), file_name=path.name)
    stdout.write(
        "Notices: %d certificate records imported (%d new, %d unchanged, %d refused)."
        % (run.rows, run.created, run.unchanged, run.refused)
    )
