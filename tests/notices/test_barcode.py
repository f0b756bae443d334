"""The customer barcode carries what Japan Post's manual says it must."""

import pytest

from notices.barcode import customer_barcode, decode_bars, extract_address_number

# Japan Post's published examples (郵便番号・バーコードマニュアル, 付番事例): the postal code,
# the address, and the 20 data characters and check digit the barcode must carry.
JAPAN_POST_EXAMPLES_TEXT = """
263-0023 千葉市稲毛区緑町3丁目30-8　郵便ビル403号
    2630023 3-30-8-403 CC4 CC4 CC4 5
014-0113 秋田県大仙市堀見内　南田茂木　添60-1
    0140113 60-1 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC8
110-0016 東京都台東区台東5-6-3　ABCビル10F
    1100016 5-6-3-10 CC4 CC4 CC4 CC4 CC4 9
060-0906 北海道札幌市東区北六条東4丁目　郵便センター6号館
    0600906 4-6 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 9
065-0006 北海道札幌市東区北六条東8丁目　郵便センター10号館
    0650006 8-10 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 9
407-0033 山梨県韮崎市龍岡町下條南割　韮崎400
    4070033 400 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 -
273-0102 千葉県鎌ケ谷市右京塚　東3丁目-20-5　郵便・A&bコーポB604号
    2730102 3-20-5 CC1 1 604 CC4 CC4 0
198-0036 東京都青梅市河辺町十一丁目六番地一号　郵便タワー601
    1980036 11-6-1-601 CC4 CC4 CC4 CC8
027-0203 岩手県宮古市大字津軽石第二十一地割大淵川480
    0270203 21-480 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC5
590-0016 大阪府堺市堺区中田出井町四丁六番十九号
    5900016 4-6-19 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC2
080-0831 北海道帯広市稲田町南七線　西28
    0800831 7-28 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC7
317-0055 茨城県日立市宮田町6丁目7-14　ABCビル2F
    3170055 6-7-14-2 CC4 CC4 CC4 CC4 CC4 CC1
650-0046 神戸市中央区港島中町9丁目7-6　郵便シティA棟1F1号
    6500046 9-7-6 CC1 0 1-1 CC4 CC4 CC4 5
623-0011 京都府綾部市青野町綾部6-7　LプラザB106
    6230011 6-7 CC2 1 CC1 1 106 CC4 CC4 CC4 4
064-0804 札幌市中央区南四条西29丁目1524-23　第2郵便ハウス501
    0640804 29-1524-23-2- 3
910-0067 福井県福井市新田塚3丁目80-25　J1ビル2-B
    9100067 3-80-25 CC1 9 1-2 CC1 9
"""


def _examples(text: str) -> list[tuple[str, str, str]]:
    """(postal code, address, expected) from a postal code and address on one line and
    the expected characters, indented, on the next."""
    lines = text.strip().splitlines()
    return [
        (*head.split(" ", 1), expected.strip())
        for head, expected in zip(lines[::2], lines[1::2], strict=True)
    ]


JAPAN_POST_EXAMPLES = _examples(JAPAN_POST_EXAMPLES_TEXT)


def _spelled(expected: str) -> list[str]:
    codes = []
    for part in expected.split(" "):
        codes += [part] if part.startswith("CC") else list(part)
    return codes


@pytest.mark.parametrize(("postal_code", "address", "expected"), JAPAN_POST_EXAMPLES)
def test_barcode_carries_japan_posts_published_examples(postal_code, address, expected):
    barcode = customer_barcode(postal_code, address)

    assert [*barcode.codes, barcode.check] == _spelled(expected)
    assert len(barcode.bars) == 67


def test_kanji_numerals_become_digits_only_before_block_words():
    assert extract_address_number("北海道札幌市東区北六条東四丁目五番地の二") == "4-5-2"


@pytest.mark.parametrize(
    ("postal_code", "address"),
    [("", "緑町3丁目30-8"), ("263-002", "緑町3丁目30-8"), ("263-0023", "緑町"), ("263-0023", "")],
)
def test_no_barcode_without_complete_data(postal_code, address):
    assert customer_barcode(postal_code, address) is None


def test_bars_decode_back_and_a_changed_bar_is_refused():
    barcode = customer_barcode("263-0023", "千葉市稲毛区緑町3丁目30-8　郵便ビル403号")

    assert decode_bars(barcode.bars) == barcode
    broken = barcode.bars[:10] + ("T" if barcode.bars[10] != "T" else "F") + barcode.bars[11:]
    with pytest.raises(ValueError):
        decode_bars(broken)
