"""The letter is a formal municipal document: numbered, dated in 和暦, signed with the
seal omitted, with whom to ask and a line in every supported language."""

import datetime as dt

import pytest

from notices import letters, services
from notices.models import Letter
from tests.notices.factories import TODAY, holder
from tests.notices.printed import page_images, words
from tests.organization.factories import make_staff_member

pytestmark = pytest.mark.django_db


def test_letters_are_numbered_per_prefix_anew_each_fiscal_year(rule):
    rule.document_prefix = "み福"
    rule.save()
    for _ in range(3):
        holder(rule)

    services.letters_create_due(rule=rule, today=TODAY)

    numbers = sorted(Letter.objects.values_list("document_number", flat=True))
    assert numbers == ["み福第1号", "み福第2号", "み福第3号"]
    # The next letters of the same fiscal year go on; April starts again at 1.
    assert services.document_numbers_reserve(prefix="み福", day=TODAY, count=1) == ["み福第4号"]
    april = dt.date(TODAY.year + 1, 4, 1) if TODAY.month >= 4 else dt.date(TODAY.year, 4, 1)
    assert services.document_numbers_reserve(prefix="み福", day=april, count=1) == ["み福第1号"]


def test_the_letter_carries_number_signer_seal_note_contact_and_english_line(rule, tmp_path):
    from organization.services import site_settings_update

    site_settings_update(opening_hours="平日8時30分〜17時15分")
    rule.signer = "みどり市長 緑川 一郎"
    rule.sender.location = "本庁舎1階 3番窓口"
    rule.sender.save()
    rule.save()
    certificate = holder(rule)
    letter = Letter(
        rule=rule,
        resident=certificate.resident,
        certificate=certificate,
        code="ABCD-EFGH",
        document_number="み福第7号",
    )

    pdf = letters.render_pdf([letter], today=TODAY)

    (page_words,) = words(pdf, tmp_path)
    text = "".join(word[0] for word in page_words)
    for expected in (
        "み福第7号",
        "令和12年6月10日",
        "みどり市長緑川一郎",
        "（公印省略）",
        "問い合わせ先",
        "福祉課",
        "本庁舎1階3番窓口",
        "0120-000-102",
        "受付時間平日8時30分〜17時15分",
        "English:",
    ):
        assert expected in text, expected
    # Print-ready: nothing within 5 mm of the paper's edge.
    (image,) = page_images(pdf, tmp_path)
    for word, left, top, right, bottom in page_words:
        assert left >= 5 and top >= 5 and right <= 205 and bottom <= 292, word
    ink = image.point(lambda v: 255 if v < 128 else 0).getbbox()
    mm = image.size[0] / 210
    assert ink[0] / mm >= 5 and ink[1] / mm >= 5
    assert ink[2] / mm <= 205 and ink[3] / mm <= 292


def test_without_a_named_signer_the_head_signs_family_name_first(rule, tmp_path):
    rule.signer = ""
    rule.save()
    rule.sender.head = make_staff_member(department=rule.sender, last_name="山本", first_name="修")
    rule.sender.save()
    certificate = holder(rule)
    letter = Letter(
        rule=rule, resident=certificate.resident, certificate=certificate, code="ABCD-EFGH"
    )

    pdf = letters.render_pdf([letter], today=TODAY)

    text = "".join(word[0] for word in words(pdf, tmp_path)[0])
    assert "福祉課長山本修" in text and "修山本" not in text
