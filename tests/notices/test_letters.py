import datetime as dt
import re
import subprocess

import pytest
from django.db import IntegrityError, transaction

from notices import letters, selectors, services
from notices.models import (
    Certificate,
    Letter,
    ResidentStatus,
)
from notices.parsing import format_wareki
from tests.notices.factories import TODAY, booking_for, holder
from tests.organization.factories import make_staff_member

pytestmark = pytest.mark.django_db


def due(rule):
    return list(selectors.due_certificates(rule=rule, today=TODAY))


def test_a_certificate_expiring_inside_the_window_is_due(rule):
    inside = holder(rule, expires_in=30)
    holder(rule, expires_in=31)  # just outside
    holder(rule, expires_in=-1)  # already expired
    edge = holder(rule, expires_in=0)

    assert set(due(rule)) == {inside, edge}


def test_a_renewed_certificate_is_not_due(rule):
    old = holder(rule, expires_in=10)
    Certificate.objects.create(
        source_id="renewed",
        resident=old.resident,
        certificate_type=rule.certificate_type,
        issued_on=TODAY - dt.timedelta(days=3),
        expires_on=TODAY + dt.timedelta(days=180),
    )

    assert due(rule) == []


@pytest.mark.parametrize(
    "status", [ResidentStatus.MOVED, ResidentStatus.DECEASED, ResidentStatus.OPTED_OUT]
)
def test_residents_who_are_not_living_here_get_no_letter(rule, status):
    holder(rule, status=status)

    assert due(rule) == []


def test_a_resident_who_booked_since_gets_no_letter(rule):
    certificate = holder(rule)
    resident = certificate.resident
    booking_for(rule, name=resident.name, kana=resident.kana, email_key="taro@example.jp")

    assert due(rule) == []


def test_no_second_letter_for_the_same_certificate_and_rule(rule):
    certificate = holder(rule)
    Letter.objects.create(
        rule=rule, resident=certificate.resident, certificate=certificate, code="L1"
    )

    assert due(rule) == []
    with pytest.raises(IntegrityError), transaction.atomic():  # refused by the database too
        Letter.objects.create(
            rule=rule, resident=certificate.resident, certificate=certificate, code="L2"
        )


def test_the_same_issue_recorded_twice_makes_one_letter(rule):
    """Two records of one issue (the issuing system exported it under two record ids):
    the resident is one person due one letter, and the why-not page names the other
    record."""
    first = holder(rule)
    twice = Certificate.objects.create(
        source_id="C-again",
        resident=first.resident,
        certificate_type=rule.certificate_type,
        issued_on=first.issued_on,
        expires_on=first.expires_on,
    )

    assert due(rule) == [twice]
    services.letters_create_due(rule=rule, today=TODAY)
    assert Letter.objects.filter(resident=first.resident).count() == 1
    assert due(rule) == []
    reasons = {
        item.certificate.pk: item.reason
        for item in selectors.residents_without_letter(rule=rule, today=TODAY)
    }
    assert "C-again" in reasons[first.pk]


def test_a_letter_made_for_one_record_of_an_issue_covers_the_other(rule):
    """A letter made before records of one issue were told apart covers both."""
    first = holder(rule)
    Letter.objects.create(rule=rule, resident=first.resident, certificate=first, code="L1")
    Certificate.objects.create(
        source_id="C-again",
        resident=first.resident,
        certificate_type=rule.certificate_type,
        issued_on=first.issued_on,
        expires_on=first.expires_on,
    )

    assert due(rule) == []


def test_incomplete_addresses_go_to_the_exceptions_list(rule):
    mailable = holder(rule)
    no_postal = holder(rule, postal="")

    ok, exceptions = selectors.split_by_address(due(rule))

    assert ok == [mailable]
    assert exceptions == [no_postal]


def test_wareki_dates_start_each_era_with_gannen():
    assert format_wareki(dt.date(2019, 5, 1)) == "令和元年5月1日"
    assert format_wareki(dt.date(2026, 11, 23)) == "令和8年11月23日"
    assert format_wareki(dt.date(2019, 4, 30)) == "平成31年4月30日"


def pdf_text(pdf: bytes, tmp_path, *options) -> str:
    path = tmp_path / "letter.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", *options, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_the_letter_has_address_expiry_booking_address_and_documents(rule, tmp_path):
    certificate = holder(rule, expires_in=20, name="佐藤 花子")
    letter = Letter(
        rule=rule, resident=certificate.resident, certificate=certificate, code="ABCD-EFGH"
    )

    pdf = letters.render_pdf([letter], today=TODAY)
    text = pdf_text(pdf, tmp_path)

    assert "〒123-4567" in text
    assert "佐藤 花子 様" in text
    assert format_wareki(certificate.expires_on) in text  # 令和12年6月30日
    assert "令和12年6月10日" in text  # the letter's date
    assert "/book/jr-commuter-pass/?letter=ABCD-EFGH" in text
    assert "顔写真（6か月以内に撮影、縦4cm×横3cm）" in text
    assert "予約なしでお越しの場合" in text
    assert "福祉課" in text


def test_the_address_sits_in_the_envelope_window(rule, tmp_path):
    certificate = holder(rule, name="佐藤 花子")
    letter = Letter(rule=rule, resident=certificate.resident, certificate=certificate, code="X")

    bbox = pdf_text(letters.render_pdf([letter], today=TODAY), tmp_path, "-bbox")

    # 長形3号 window: about 23–113 mm from the left and 12–57 mm from the top (1 mm = 2.835 pt).
    for word in ("〒123-4567", "佐藤"):
        match = re.search(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">%s' % word, bbox
        )
        assert match, word
        x_min, y_min, x_max, y_max = (float(v) / 2.835 for v in match.groups())
        assert x_min >= 23 and x_max <= 113, (word, x_min, x_max)
        assert y_min >= 12 and y_max <= 57, (word, y_min, y_max)


def test_the_japanese_font_is_embedded(rule, tmp_path):
    certificate = holder(rule)
    letter = Letter(rule=rule, resident=certificate.resident, certificate=certificate, code="X")
    path = tmp_path / "letter.pdf"
    path.write_bytes(letters.render_pdf([letter], today=TODAY))

    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout

    assert "IPAex" in fonts
    assert all(" yes yes " in line for line in fonts.splitlines()[2:] if line.strip())


def test_letters_fetch_nothing_from_outside():
    from config.documents import safe_fetcher

    fetcher = safe_fetcher()

    for url in ("https://example.com/x.css", "file:///etc/passwd", "http://127.0.0.1/"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert fetcher.fetch("data:image/png;base64,iVBORw0KGgo=")


def test_staff_preview_a_letter_as_pdf(client, rule):
    from organization.models import Role

    client.force_login(make_staff_member(role=Role.DEPARTMENT_STAFF, department=rule.sender).user)

    response = client.get("/notices/rules/%d/preview.pdf" % rule.pk)
    overview = client.get("/notices/")

    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert rule.name in overview.content.decode()


def test_the_letter_ends_with_one_short_line_in_each_citizen_language(rule, tmp_path):
    certificate_type = rule.certificate_type
    certificate_type.name_ko = "JR 정기권 할인 증명서"
    certificate_type.name_vi = "Giấy chứng nhận giảm giá vé tháng JR"
    certificate_type.save()
    certificate = holder(rule, name="佐藤 花子")
    letter = Letter(rule=rule, resident=certificate.resident, certificate=certificate, code="X")

    pdf = letters.render_pdf([letter], today=TODAY)
    text = pdf_text(pdf, tmp_path)

    assert "English: About renewing your certificate (JR定期券割引の証明書)." in text
    assert "한국어: 증명서(JR 정기권 할인 증명서) 갱신 안내입니다." in text
    assert "Tiếng Việt: Thông báo gia hạn giấy chứng nhận (Giấy chứng nhận giảm giá vé" in text
    assert "简体中文：关于更新您的证明书" in text
    assert "Português: Aviso de renovação do seu certificado" in text
    assert "やさしい にほんご：" in text
    assert pdf.count(b"/Type /Page\n") <= 1 or text.count("\f") <= 1  # still one page


def test_the_letter_stays_japanese_whatever_the_page_language(rule, tmp_path):
    rule.certificate_type.name_en = "JR commuter pass discount certificate"
    rule.certificate_type.save()
    certificate = holder(rule)
    letter = Letter(rule=rule, resident=certificate.resident, certificate=certificate, code="X")

    from django.utils import translation

    with translation.override("en"):
        text = pdf_text(letters.render_pdf([letter], today=TODAY), tmp_path)

    assert "JR定期券割引の証明書の更新のご案内" in text
    assert "English: About renewing your certificate (JR commuter pass discount" in text
