"""Kanji and kana: the two text tests the readings need, for the models (a reading
correction is checked when saved) and for the furigana pass alike."""

import re

KANJI = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3005\u3006\u30f6"  # + 々 〆 ヶ
KANJI_RE = re.compile("[%s]" % KANJI)


def has_kanji(text: str) -> bool:
    return bool(KANJI_RE.search(text or ""))


def to_hiragana(text: str) -> str:
    return "".join(chr(ord(c) - 0x60) if "\u30a1" <= c <= "\u30f6" else c for c in text)


def to_katakana(text: str) -> str:
    return "".join(chr(ord(c) + 0x60) if "\u3041" <= c <= "\u3096" else c for c in text)
