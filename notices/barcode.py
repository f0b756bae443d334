"""Japan Post's customer barcode (カスタマバーコード), per its 郵便番号・バーコードマニュアル.

The barcode carries the 7-digit postal code and the first 13 code characters of the
住所表示番号 (the block, lot and room numbers) extracted from the address, then a check
digit and the stop code. Each character is three bars of four kinds (long, ascender,
descender, timing); the start and stop codes are two bars each: 67 bars in all.

Extraction (the manual's rules, tested on its published examples in
``tests/notices/test_barcode.py``):

1. Full-width letters and digits become half-width, letters upper case; 「&」「/」「・」
   「.」 are dropped (so 「A&b」 reads as the two letters AB).
2. Kanji numerals followed by 丁目, 丁, 番地, 番, 号, 地割, 線, の or ノ (or ending the
   address after の: 五番地の二) become Arabic numerals (十一丁目 → 11). Others belong
   to the town's name (北六条) and are dropped.
3. Digits, hyphens and letters standing alone are kept; two or more letters in a row
   (a building's name, ABC) and an F after a digit (a floor, 2F) are separators, as is
   every other character.
4. Separators become one hyphen; hyphens at either end, or next to a letter, go.
5. A letter is written as a control code and a digit (A–J: CC1 0–9, K–T: CC2 0–9, U–Z:
   CC3 0–5). The code characters are cut at 13 or filled up with CC4.
6. The check digit makes the sum of the 20 data characters and itself a multiple of
   19 (digits count 0–9, the hyphen 10, CC1–CC8 11–18).
"""

import re
import unicodedata
from dataclasses import dataclass

# Bars: F long (full height), A ascender (timing + upper part), D descender (timing +
# lower part), T timing (the short middle bar).
FULL, ASCENDER, DESCENDER, TIMING = "F", "A", "D", "T"
_BARS = {
    "1": "FFT",
    "2": "FDA",
    "3": "DFA",
    "4": "FAD",
    "5": "FTF",
    "6": "DAF",
    "7": "AFD",
    "8": "ADF",
    "9": "TFF",
    "0": "FTT",
    "-": "TFT",
    "CC1": "DAT",
    "CC2": "DTA",
    "CC3": "ADT",
    "CC4": "TDA",
    "CC5": "ATD",
    "CC6": "TAD",
    "CC7": "TTF",
    "CC8": "FFF",
}
START, STOP = "FD", "DF"
_VALUE = {
    code: index for index, code in enumerate([*"0123456789-", *("CC%d" % n for n in range(1, 9))])
}
ADDRESS_CODES = 13

_KANJI_DIGITS = {
    "〇": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_KANJI_UNITS = {"十": 10, "百": 100, "千": 1000}
_KANJI_NUMBER = re.compile(r"([〇一二三四五六七八九十百千]+)(?=丁目|丁|番地|番|号|地割|線|の|ノ)")
# 「五番地の二」: a kanji numeral after の or a hyphen that ends the address or a word.
_KANJI_NUMBER_AFTER = re.compile(r"(?<=[のノ-])([〇一二三四五六七八九十百千]+)(?=$|\s)")
_DROPPED = re.compile(r"[&/・.＆／]")
_LETTER_RUNS = re.compile(r"[A-Z]{2,}")
_FLOOR = re.compile(r"(?<=\d)F")


def kanji_to_number(text: str) -> int:
    """二十一 → 21, 十 → 10, 二一 → 21 (digits written one by one), 百五 → 105."""
    total, current = 0, 0
    for char in text:
        if char in _KANJI_DIGITS:
            current = current * 10 + _KANJI_DIGITS[char]
        else:
            total += (current or 1) * _KANJI_UNITS[char]
            current = 0
    return total + current


def extract_address_number(address: str) -> str:
    """The 住所表示番号 of ``address`` by the manual's rules, e.g. 「3-30-8-403」 for
    「千葉市稲毛区緑町3丁目30-8　郵便ビル403号」; empty when it has none."""
    text = unicodedata.normalize("NFKC", address or "").upper()
    text = _DROPPED.sub("", text)
    for pattern in (_KANJI_NUMBER, _KANJI_NUMBER_AFTER):
        text = pattern.sub(lambda match: str(kanji_to_number(match.group(1))), text)
    text = _LETTER_RUNS.sub(" ", text)
    text = _FLOOR.sub(" ", text)
    text = re.sub(r"[^0-9A-Z]+", "-", text)
    text = re.sub(r"-*([A-Z])-*", r"\1", text)
    return text.strip("-")


def _codes_of(number: str) -> list[str]:
    codes = []
    for char in number:
        if char.isdigit() or char == "-":
            codes.append(char)
        else:
            offset = ord(char) - ord("A")
            codes += ["CC%d" % (1 + offset // 10), str(offset % 10)]
    return codes


def check_digit(codes: list[str]) -> str:
    remainder = sum(_VALUE[code] for code in codes) % 19
    return [*_VALUE][(19 - remainder) % 19]


@dataclass(frozen=True)
class CustomerBarcode:
    """The data of one barcode: the 20 data characters, the check digit and the bars."""

    codes: tuple[str, ...]  # 7 postal-code digits and 13 address characters
    check: str

    @property
    def bars(self) -> str:
        """The 67 bars, left to right, as F/A/D/T."""
        return START + "".join(_BARS[code] for code in (*self.codes, self.check)) + STOP

    @property
    def text(self) -> str:
        return " ".join((*self.codes, self.check))


def customer_barcode(postal_code: str, address: str) -> CustomerBarcode | None:
    """The barcode for a postal code and an address (both lines, building included), or
    None when the data is incomplete: no 7-digit postal code or no 住所表示番号."""
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", postal_code or ""))
    number = extract_address_number(address)
    if len(digits) != 7 or not any(char.isdigit() for char in number):
        return None
    address_codes = _codes_of(number)[:ADDRESS_CODES]
    address_codes += ["CC4"] * (ADDRESS_CODES - len(address_codes))
    codes = (*digits, *address_codes)
    return CustomerBarcode(codes=codes, check=check_digit(list(codes)))


_CODE_OF_BARS = {bars: code for code, bars in _BARS.items()}


def decode_bars(bars: str) -> CustomerBarcode:
    """Read 67 bars (F/A/D/T) back into their characters; ValueError when they are not a
    valid customer barcode (wrong start/stop, unknown triple, wrong check digit)."""
    if len(bars) != 67 or not bars.startswith(START) or not bars.endswith(STOP):
        raise ValueError("not 67 bars between start and stop codes: %s" % bars)
    middle = bars[2:-2]
    try:
        chars = [_CODE_OF_BARS[middle[i : i + 3]] for i in range(0, len(middle), 3)]
    except KeyError as error:
        raise ValueError("unknown bar triple %s" % error) from error
    codes, check = tuple(chars[:-1]), chars[-1]
    if check_digit(list(codes)) != check:
        raise ValueError("wrong check digit")
    return CustomerBarcode(codes=codes, check=check)
