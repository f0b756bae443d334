"""Printed letters as the post office and the envelope see them: the customer barcode
read back from the page image, and every glyph of the address block inside the window."""

import pytest

from notices import letters, selectors
from notices.addressblock import safe_area
from notices.barcode import customer_barcode, decode_bars
from notices.models import Letter
from tests.notices.factories import TODAY, holder
from tests.notices.printed import dark_box, page_images, read_barcode_bars, words

pytestmark = pytest.mark.django_db

ADDRESSES = [
    ("263-0023", "千葉県千葉市稲毛区緑町3丁目30-8", "郵便ビル403号"),
    ("650-0046", "兵庫県神戸市中央区港島中町9丁目7-6", "郵便シティA棟1F1号"),
    ("910-0067", "福井県福井市新田塚3丁目80-25", "J1ビル2-B"),
    ("198-0036", "東京都青梅市河辺町十一丁目六番地一号", "郵便タワー601"),
]

# Long real-world shapes: a long county and town with a long lot number and building,
# long katakana names (a name is never broken, only made smaller).
LONG = [
    (
        "028-7915",
        "岩手県九戸郡洋野町種市第二十三地割字二千三百四十五番地の六十七",
        "グランドメゾン洋野種市ステーションフロントタワーイースト棟2305号室",
        "アレクサンドラ・ペトロフスカヤ",
    ),
    (
        "063-0812",
        "北海道札幌市西区琴似二条七丁目二千三百四十五番地",
        "サンライズヒルズ琴似駅前ガーデンレジデンス弐番館1203",
        "ヴィクトリア・エリザベス山本",
    ),
    (
        "999-9999",
        "東京都千代田区千代田1-1",
        "",
        "寿限無寿限無五劫の擦り切れ海砂利水魚の水行末雲来末風来末",
    ),
]


def make_letters(rule, rows):
    made = []
    for index, (postal, line1, line2, *name) in enumerate(rows):
        certificate = holder(rule, postal=postal, name=name[0] if name else "見本 太郎")
        resident = certificate.resident
        resident.address_line1, resident.address_line2 = line1, line2
        resident.save()
        made.append(
            Letter(rule=rule, resident=resident, certificate=certificate, code="CODE-%04d" % index)
        )
    return made


def test_the_printed_barcode_reads_back_as_the_address_data(rule, tmp_path):
    made = make_letters(rule, ADDRESSES)
    left, top, width, height = safe_area()

    pages = page_images(letters.render_pdf(made, today=TODAY), tmp_path)

    assert len(pages) == len(ADDRESSES)
    for page, (postal, line1, line2) in zip(pages, ADDRESSES, strict=True):
        bars = read_barcode_bars(page, (left - 3, top - 3, left + width + 3, top + height + 3))
        read = decode_bars(bars)  # start/stop and check digit verified
        assert read == customer_barcode(postal, "%s %s" % (line1, line2))


def test_every_glyph_and_bar_lies_3mm_inside_the_window_or_the_letter_is_held(rule, tmp_path):
    candidates = make_letters(rule, [*ADDRESSES, *LONG])
    mailable, held = selectors.split_by_address([letter.certificate for letter in candidates])
    printable = [letter for letter in candidates if letter.certificate in mailable]
    left, top, width, height = safe_area()
    window = (23.0, 13.0, 113.0, 58.0)

    pdf = letters.render_pdf(printable, today=TODAY)

    # The impossible name is held back, never printed clipped; the long addresses print.
    assert [c.resident.name for c in held] == [LONG[2][3]]
    assert any(words in held[0].mail_problem for words in ("envelope window", "封筒の窓"))
    assert len(printable) == len(candidates) - 1
    for page_words, image, letter in zip(
        words(pdf, tmp_path), page_images(pdf, tmp_path), printable, strict=True
    ):
        block = [w for w in page_words if w[2] < window[3] + 10 and w[1] < 120]
        resident = letter.resident
        printed = "".join(w[0] for w in block)
        for part in (resident.name, resident.postal_code):
            assert part.replace(" ", "") in printed
        for text, x_min, y_min, x_max, y_max in block:
            assert left <= x_min and x_max <= left + width, (text, x_min, x_max)
            assert top <= y_min and y_max <= top + height, (text, y_min, y_max)
        # Every inked pixel near the window (bars included) is in the safe area.
        ink = dark_box(image, (0, 0, 120, window[3] + 10))
        assert left <= ink[0] and ink[2] <= left + width + 0.2, ink
        assert top <= ink[1] and ink[3] <= top + height + 0.2, ink


def test_a_name_is_never_broken_and_long_addresses_wrap_between_components(rule):
    (certificate,) = [letter.certificate for letter in make_letters(rule, [LONG[0]])]

    mailable, _held = selectors.split_by_address([certificate])

    lines = [line.text for line in mailable[0].address_block.lines]
    assert "アレクサンドラ・ペトロフスカヤ 様" in lines
    joined = "".join(lines)
    assert "二千三百四十五番地の六十七" in joined
    for line in lines:
        assert not line.startswith(("サンドラ", "四十五", "六十七", "ペトロ"))


def test_the_overview_lists_letters_held_back_and_letters_without_barcode(
    client, rule, monkeypatch
):
    from django.urls import reverse

    from organization.models import Role
    from tests.organization.factories import make_staff_member

    _held, _no_number, _wrong_postal, fine = make_letters(
        rule,
        [
            ("100-0001", "東京都千代田区千代田1-1", "", LONG[2][3]),
            ("100-0001", "東京都千代田区千代田", "", "番地 なし"),
            ("100-0001", "東京都港区芝公園4-2-8", "", "郵便 違い"),
            ADDRESSES[0],
        ],
    )
    member = make_staff_member(role=Role.DEPARTMENT_STAFF, department=rule.sender)
    client.force_login(member.user)
    monkeypatch.setattr("notices.views.timezone.localdate", lambda: TODAY)

    page = client.get(reverse("notices:overview")).content.decode()

    parts = page.split('<h3 class="h6 mt-3">')
    held_part, postal_part, barcode_part = parts[1], parts[2], parts[3]
    assert LONG[2][3] in held_part
    assert any(words in held_part for words in ("envelope window", "封筒の窓"))
    assert "番地 なし" in barcode_part
    assert fine.resident.name not in held_part + postal_part + barcode_part
    # 100-0001 is 千代田区千代田; the check names the town Japan Post has for the code.
    assert "番地 なし" not in postal_part
    assert "郵便 違い" in postal_part and "千代田" in postal_part
