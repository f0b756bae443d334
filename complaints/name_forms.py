"""The ways staff may write a citizen's name in a text, as regular expressions for the
redaction (``complaints.redaction``): the name in any spacing, its parts, and its
readings in hiragana, katakana, half-width katakana and Hepburn romaji.

A name recorded without a space (山田太郎) is split into family and given name by the
morphological analyser (MeCab's UniDic tags 山田 as a family name, 太郎 as a given name);
the readings come from the reading typed with the complaint, else from the analyser.

A part of one character (李, 林) or a reading of one or two kana (リ, キム) is too often a
piece of other words: it is taken out only before an honorific (李さん, キム様). A reading
is taken out where it is not inside a longer run of kana of its script (やまだ is, in
「やまださん」 or 「やまだが来た」; あきら is not, in 「あきらかに」)."""

import functools
import re
import unicodedata

from organization.kana import KANJI, to_hiragana, to_katakana

HONORIFICS = ("さん", "様", "さま", "サン", "氏", "殿", "どの", "君", "くん", "ちゃん", "先生")
_HONORIFIC = r"(?=[\s　]*(?:%s|-?san\b|-?sama\b))" % "|".join(HONORIFICS)
_SEPARATORS = r"[\s　・･,，、]"
_SEPARATOR = _SEPARATORS + "*"
_SHORTEST_PART = 2
_SHORTEST_READING = 3

_HIRAGANA = "ぁ-ゖゝゞ"
_KATAKANA = "ァ-ヺーヽヾ"
_HALF_KATAKANA = "ｦ-ﾟ"
_LATIN = "A-Za-zＡ-Ｚａ-ｚ"
_NOT_IN_KANJI = "(?<![%s])" % KANJI
_PARTICLES = "が|の|は|に|を|と|へ|も|や|から|より|で|さん|さま|くん|ちゃん|どの"

_HALF_WIDTH = {unicodedata.normalize("NFKC", chr(c)): chr(c) for c in range(0xFF66, 0xFF9E)}
_HALF_MARKS = {"\u3099": "ﾞ", "\u309a": "ﾟ"}


def name_parts(name: str) -> list[str]:
    """The parts of a name as written (spaces, middle dots); a name of kanji written
    without a space split into family and given name where the analyser knows them."""
    parts = [p for p in re.split(_SEPARATORS + "+", _nfkc(name)) if p]
    if len(parts) == 1 and re.search("[%s]" % KANJI, parts[0]):
        words = _analysed(parts[0])
        if len(words) > 1 and all(is_person for _w, _r, is_person in words):
            return [word for word, _reading, _person in words]
    return parts


def reading_parts(name: str, kana: str = "") -> list[list[str]]:
    """The readings of the name in katakana, each a list of parts: the one typed with
    the complaint, and the analyser's reading of the name's parts (a guess, for a name
    whose reading was not typed, or typed differently in a text)."""
    readings = []
    typed = [_katakana(p) for p in re.split(_SEPARATORS + "+", _nfkc(kana)) if p]
    if typed and all(re.fullmatch("[%s]+" % _KATAKANA, p) for p in typed):
        readings.append(typed)
    guessed = []
    for part in name_parts(name):
        if re.fullmatch("[%s]+" % _KATAKANA, _katakana(part)):
            guessed.append(_katakana(part))  # a name written in kana is its reading
            continue
        words = _analysed(part)
        if not words or any(not reading for _w, reading, _p in words):
            return readings
        guessed.append("".join(reading for _w, reading, _p in words))
    if guessed and guessed not in readings:
        readings.append(guessed)
    return readings


def name_patterns(name: str, kana: str = "") -> list[str]:
    """Every pattern of the name and its readings, the whole name before its parts (an
    alternation takes the first that matches where a match starts)."""
    parts = name_parts(name)
    patterns = []
    if len(parts) > 1:
        patterns.append(_SEPARATOR.join(_written(p) for p in parts))
    compact = "".join(_nfkc(name).split())
    if len(parts) == 1 and re.match("[%s]{2}" % KANJI, compact):
        # Not split: the first one or two characters may be the family name (金一さん
        # is 金さん in a text).
        patterns += [
            _NOT_IN_KANJI + re.escape(compact[:n]) + _HONORIFIC for n in (2, 1) if n < len(compact)
        ]
    for part in parts:
        patterns.append(_part_pattern(part))
    for reading in reading_parts(name, kana):
        patterns += _reading_patterns(reading)
    return list(dict.fromkeys(patterns))


def _part_pattern(part: str) -> str:
    if re.fullmatch("[%s]+" % _LATIN, part):
        word = r"(?<![%s])%s(?![%s])" % (_LATIN, _written(part), _LATIN)
        return word if len(part) > _SHORTEST_PART else word + _HONORIFIC
    if len(part) < _SHORTEST_PART:
        return _NOT_IN_KANJI + _written(part) + _HONORIFIC
    return _written(part)


def _reading_patterns(parts: list[str]) -> list[str]:
    """The kana and romaji forms of one reading: whole (either order for romaji, which
    is often written given name first) and by part."""
    patterns = []
    wholes = [parts] if len(parts) < 2 else [parts, parts[::-1]]
    short = len("".join(parts)) < _SHORTEST_READING
    for order, whole in enumerate(wholes):
        if order == 0:
            patterns += _kana_forms(whole, short=short)
        patterns.append(_romaji_form(whole, short=len(romaji("".join(whole))) <= _SHORTEST_PART))
    if len(parts) > 1:
        for part in parts:
            short = len(part) < _SHORTEST_READING
            patterns += _kana_forms([part], short=short)
            patterns.append(_romaji_form([part], short=len(romaji(part)) <= _SHORTEST_PART))
    return patterns


def _kana_forms(parts: list[str], *, short: bool) -> list[str]:
    forms = []
    scripts = (
        (to_hiragana, _HIRAGANA, True),
        (lambda p: p, _KATAKANA, False),
        (_half_width, _HALF_KATAKANA, False),
    )
    for convert, script, particles in scripts:
        body = _SEPARATOR.join(re.escape(convert(p)) for p in parts)
        before = "(?<![%s])" % script
        if short:
            forms.append(before + body + _HONORIFIC)
        else:
            after = "(?![%s])" % script
            if particles:  # a particle or honorific in hiragana may follow a name
                after = "(?:%s|(?=%s))" % (after, _PARTICLES)
            forms.append(before + body + after)
    return forms


def _romaji_form(parts: list[str], *, short: bool) -> str:
    body = r"[\s　\-・]*".join(_romaji_pattern(romaji(p)) for p in parts)
    word = r"(?i:(?<![%s])%s(?![%s]))" % (_LATIN, body, _LATIN)
    return word + _HONORIFIC if short else word


def _written(text: str) -> str:
    """``text`` as a pattern that ignores width and, for Latin letters, case."""
    return "".join(_letter(c) for c in text)


def _letter(c: str) -> str:
    if c.isascii() and c.isalpha():
        return "[%s%s%s%s]" % (c.lower(), c.upper(), _wide(c.lower()), _wide(c.upper()))
    return re.escape(c)


def _wide(c: str) -> str:
    return chr(ord(c) + 0xFEE0)


# Hepburn: long vowels may be written doubled, with h, with a macron or short
# (さとう: satou, satoh, satō, sato); ん before b, m, p as n or m (ほんま: honma, homma).
_LONG = {"ou": "(?:ou|oo|oh|ō|ô|o)", "oo": "(?:oo|ou|oh|ō|ô|o)", "uu": "(?:uu|ū|û|u)"}
_LONG |= {"aa": "(?:aa|ā|a)", "ii": "(?:ii|ī|i)", "ee": "(?:ee|ē|e)"}


def _romaji_pattern(text: str) -> str:
    pattern, i = [], 0
    while i < len(text):
        pair = text[i : i + 2]
        if pair in _LONG:
            pattern.append(_LONG[pair])
            i += 2
        elif pair in ("nb", "nm", "np"):
            pattern.append("[nm]" + pair[1])
            i += 2
        elif text[i] == "'":
            pattern.append("'?")
            i += 1
        else:
            pattern.append(_written(text[i]))
            i += 1
    return "".join(pattern)


_BASE = dict(
    zip(
        "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨ"
        "ラリルレロワヰヱヲガギグゲゴザジズゼゾダヂヅデドバビブベボパピプペポヴ",
        re.split(
            " ",
            "a i u e o ka ki ku ke ko sa shi su se so ta chi tsu te to na ni nu ne no ha hi "
            "fu he ho ma mi mu me mo ya yu yo ra ri ru re ro wa i e o ga gi gu ge go za ji zu "
            "ze zo da ji zu de do ba bi bu be bo pa pi pu pe po vu",
        ),
        strict=True,
    )
)
_SMALL_Y = {"ャ": "a", "ュ": "u", "ョ": "o"}
_SMALL_VOWEL = {"ァ": "a", "ィ": "i", "ゥ": "u", "ェ": "e", "ォ": "o"}


def romaji(kana: str) -> str:
    """The Hepburn romaji of a reading in katakana (long vowels doubled: サトウ satou)."""
    out, double = "", False
    for c in _katakana(kana):
        if c == "ッ":
            double = True
            continue
        if c in _SMALL_Y and out.endswith("i"):
            stem = out[:-1]
            out = stem + ("" if stem.endswith(("sh", "ch", "j")) else "y") + _SMALL_Y[c]
            continue
        if c in _SMALL_VOWEL and out and out[-1] in "aiueo":
            out = out[:-1] + _SMALL_VOWEL[c]
            continue
        if c == "ー":
            out += out[-1:] if out[-1:] in tuple("aiueo") else ""
            continue
        if c == "ン":
            out += "n"
            continue
        syllable = _BASE.get(c, _SMALL_VOWEL.get(c, _SMALL_Y.get(c, "")))
        if out.endswith("n") and syllable[:1] in tuple("aiueoy") and not out.endswith("nn"):
            out += "'"
        if double and syllable:
            out += "t" if syllable.startswith("ch") else syllable[0]
        double = False
        out += syllable
    return out


@functools.lru_cache(maxsize=1024)
def _analysed(text: str) -> tuple[tuple[str, str, bool], ...]:
    """(surface, reading in katakana or "", a person's name) of each word of ``text``."""
    from organization.furigana import tagger

    words = []
    for word in tagger()(text):
        feature = word.feature
        reading = getattr(feature, "kana", None) or ""
        person = getattr(feature, "pos3", None) == "人名"
        words.append((word.surface, "" if reading == "*" else _katakana(reading), person))
    return tuple(words)


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").strip()


def _katakana(text: str) -> str:
    return to_katakana(_nfkc(text))


def _half_width(text: str) -> str:
    out = []
    for c in text:
        if c in _HALF_WIDTH:
            out.append(_HALF_WIDTH[c])
            continue
        base, *marks = unicodedata.normalize("NFD", c)
        out.append(_HALF_WIDTH.get(base, base) + "".join(_HALF_MARKS.get(m, m) for m in marks))
    return "".join(out)
