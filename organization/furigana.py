"""Furigana for the plain-Japanese pages (やさしい日本語).

Following the government's guidelines for plain Japanese (在留支援のためのやさしい日本語
ガイドライン), every kanji on a ja-easy page carries its reading. The catalogues are written
without readings; they are added when a page is sent: ``FuriganaMiddleware`` wraps each
run of kanji in the text of an HTML page in ``<ruby>住民票<rt>じゅうみんひょう</rt></ruby>``
(never inside a tag, ``<script>``, ``<style>``, ``<textarea>``, ``<title>``, ``<option>``
or an existing ``<ruby>``), and plain-text e-mails get the reading in brackets after the
word: 住民票（じゅうみんひょう）.

The readings come from the morphological analyser MeCab through ``fugashi`` with the
``unidic-lite`` dictionary (``tagger``, shared with the complaints search), after the
administrators' corrections (admin: 組織 → ふりがなの読み), which win where they match.
Each text's result is memoised in the process, keyed by the corrections' version (kept in
the shared cache, changed on every save), so a page's repeated texts cost one lookup.
"""

import functools
import re
import uuid

from django.core.cache import cache
from django.core.mail.message import EmailAlternative
from django.utils.html import escape
from django.utils.translation import get_language

from organization.kana import KANJI, KANJI_RE, has_kanji, to_hiragana
from organization.models import ReadingCorrection

LANGUAGE = "ja-easy"
_RUNS_RE = re.compile("[%s]+|[^%s]+" % (KANJI, KANJI))
CORRECTIONS_CACHE_KEY = "furigana:corrections:3"

# What is never given readings: tags (their attributes), comments, and the content of
# these elements. A text run is what lies between two matches.
_SKIP_RE = re.compile(
    r"<!--.*?-->"
    r"|<(script|style|textarea|title|option|select|ruby|svg|code|pre)\b[^>]*>.*?</\1\s*>"
    r"|<[^>]*>",
    re.IGNORECASE | re.DOTALL,
)


@functools.cache
def tagger():
    """The MeCab tagger, opened once per process (the dictionary costs ~100 ms)."""
    import fugashi  # loaded on first use, not when Django starts

    return fugashi.Tagger()


# A weekday alone (a calendar's column) or in a date's brackets, 12月1日（火）: read out of
# context, the analyser would say ひ for 火 and つき for 月.
WEEKDAYS = dict(
    zip("月火水木金土日", ["げつ", "か", "すい", "もく", "きん", "ど", "にち"], strict=True)
)
BUILT_IN = {
    **{"（%s）" % day: "（%s）" % reading for day, reading in WEEKDAYS.items()},
    # 月曜日 is げつようび (the analyser says げつようひ).
    **{"%s曜日" % day: "%sようび" % reading for day, reading in WEEKDAYS.items()},
    "日本語": "にほんご",  # the analyser says にっぽんご
}
# The day of a month: 1日 is ついたち, 20日 はつか, 15日 じゅうごにち; a month is がつ;
# minutes after a number: 30分 is さんじゅっぷん, 5分 ごふん (the analyser says ふん).
# A count of days past 99 (1095日) is にち.
_DAY_RE = re.compile(r"(?<![0-9])(?:([0-9]{1,2})([日月])|([0-9]{1,4})(分)|([0-9]{3,})(日))(間)?")
_DAY_READINGS = {
    1: "ついたち", 2: "ふつか", 3: "みっか", 4: "よっか", 5: "いつか", 6: "むいか",
    7: "なのか", 8: "ようか", 9: "ここのか", 10: "とおか", 14: "じゅうよっか",
    20: "はつか", 24: "にじゅうよっか",
}  # fmt: skip
_NUMBERS = ["いち", "に", "さん", "よん", "ご", "ろく", "なな", "はち", "きゅう"]


def _day_reading(number: int) -> str:
    if number in _DAY_READINGS:
        return _DAY_READINGS[number]
    tens, ones = divmod(number, 10)
    spoken = ("" if tens < 2 else _NUMBERS[tens - 1]) + ("じゅう" if tens else "")
    return spoken + (_NUMBERS[ones - 1] if ones else "") + "にち"


def _number_pieces(match: re.Match) -> list[tuple[str, str | None]]:
    """A number and its unit: 12月 がつ, 1日 ついたち, 1095日 にち, 30分 ぷん (ふん after
    2, 5, 7 and 9); a 間 after them (a length of time) かん."""
    days, unit, minutes, _minute, many, _day, span = match.groups()
    after, span = ("かん", "間") if span else ("", "")
    if many:
        return [(many, None), ("日" + span, "にち" + after)]
    if minutes:
        reading = "ぷん" if minutes[-1] in "134680" else "ふん"
        return [(minutes, None), ("分" + span, reading + after)]
    if unit == "月":  # alone, the analyser says つき
        return [(days, None), ("月" + span, "がつ" + after)]
    return [(days + "日" + span, _day_reading(int(days)) + after)]


def corrections() -> tuple[str, dict[str, str]]:
    """(version, {written form: reading}) of the built-in readings and the
    administrators' corrections (which win), cached."""
    cached = cache.get(CORRECTIONS_CACHE_KEY)
    if cached is None:
        items = {**BUILT_IN, **dict(ReadingCorrection.objects.values_list("surface", "reading"))}
        cached = (uuid.uuid4().hex, items)
        cache.set(CORRECTIONS_CACHE_KEY, cached, None)
    return cached


def corrections_changed() -> None:
    """After a correction is saved or deleted: every page is read again with it."""
    cache.delete(CORRECTIONS_CACHE_KEY)


@functools.cache
def _pattern(version: str, surfaces: tuple[str, ...]) -> re.Pattern | None:
    if not surfaces:
        return None
    ordered = sorted(surfaces, key=len, reverse=True)  # the longest written form first
    return re.compile("|".join(re.escape(surface) for surface in ordered))


def _align(surface: str, reading: str) -> list[tuple[str, str | None]]:
    """Split a word into its kanji runs with their readings and its kana unchanged:
    受け取り/うけとり → 受(う) け 取(と) り. Where they cannot be aligned, the whole word
    takes the whole reading."""
    reading = to_hiragana(reading)
    parts = _RUNS_RE.findall(surface)
    if len(parts) == 1:
        return [(surface, reading if has_kanji(surface) else None)]
    pattern = "".join(
        "(.+?)" if has_kanji(part) else "(%s)" % re.escape(to_hiragana(part)) for part in parts
    )
    match = re.fullmatch(pattern, reading)
    if match is None:
        return [(surface, reading)]
    return [
        (part, group if has_kanji(part) else None)
        for part, group in zip(parts, match.groups(), strict=True)
    ]


def _tagged(text: str) -> list[tuple[str, str | None]]:
    segments: list[tuple[str, str | None]] = []
    position = 0
    for word in tagger()(text):
        surface = word.surface
        start = text.find(surface, position)
        if not surface or start < 0:
            continue
        if start > position:
            segments.append((text[position:start], None))
        position = start + len(surface)
        reading = getattr(word.feature, "kana", None)
        if has_kanji(surface) and reading and reading != "*":
            segments += _align(surface, reading)
        else:
            segments.append((surface, None))
    if position < len(text):
        segments.append((text[position:], None))
    return segments


def _all_kanji(text: str) -> bool:
    return bool(text) and not KANJI_RE.sub("", text)


def _corrected(text: str, version: str, surfaces: tuple, readings: tuple) -> list:
    """The corrections where they match, the analyser elsewhere."""
    pattern = _pattern(version, surfaces)
    corrected = dict(zip(surfaces, readings, strict=True))
    pieces: list[tuple[str, str | None]] = []
    position = 0
    for match in pattern.finditer(text) if pattern else ():
        if match.start() > position:
            pieces += _tagged(text[position : match.start()])
        pieces += _align(match.group(), corrected[match.group()])
        position = match.end()
    if position < len(text):
        pieces += _tagged(text[position:])
    return pieces


@functools.lru_cache(maxsize=50_000)
def segments(text: str, version: str = "", surfaces: tuple = (), readings: tuple = ()):
    """``text`` as (piece, reading or None) pieces; a kanji run has its reading."""
    day = text.strip()
    if day in WEEKDAYS:
        start = text.index(day)
        return tuple(
            piece
            for piece in ((text[:start], None), (day, WEEKDAYS[day]), (text[start + 1 :], None))
            if piece[0]
        )
    pieces: list[tuple[str, str | None]] = []
    position = 0
    for match in _DAY_RE.finditer(text):
        if match.start() > position:
            pieces += _corrected(text[position : match.start()], version, surfaces, readings)
        pieces += _number_pieces(match)
        position = match.end()
    if position < len(text):
        pieces += _corrected(text[position:], version, surfaces, readings)
    # Neighbouring kanji runs read as one word: 住民 + 票 → 住民票（じゅうみんひょう）.
    merged: list[tuple[str, str | None]] = []
    for piece, reading in pieces:
        if reading and merged and merged[-1][1] and _all_kanji(merged[-1][0] + piece):
            merged[-1] = (merged[-1][0] + piece, merged[-1][1] + reading)
        else:
            merged.append((piece, reading))
    return tuple(merged)


def _segments(text: str, known: tuple[str, dict[str, str]] | None = None):
    version, items = known or corrections()
    surfaces = tuple(sorted(items))
    return segments(text, version, surfaces, tuple(items[s] for s in surfaces))


def ruby_text(text: str, known=None) -> str:
    """HTML text (already escaped) with <ruby> on each kanji run."""
    if not has_kanji(text):
        return text
    return "".join(
        "<ruby>%s<rp>（</rp><rt>%s</rt><rp>）</rp></ruby>" % (piece, escape(reading))
        if reading
        else piece
        for piece, reading in _segments(text, known)
    )


def ruby_html(html: str, known=None) -> str:
    """An HTML page with <ruby> on the kanji of its text, never in tags, attributes,
    scripts, styles, text areas, the title, options or existing ruby."""
    if not has_kanji(html):
        return html
    known = known or corrections()
    out = []
    position = 0
    for match in _SKIP_RE.finditer(html):
        if match.start() > position:
            out.append(ruby_text(html[position : match.start()], known))
        out.append(match.group())
        position = match.end()
    if position < len(html):
        out.append(ruby_text(html[position:], known))
    return "".join(out)


def reading_text(text: str, known=None) -> str:
    """Plain text with the reading in brackets after each kanji run: 住民票（じゅうみんひょう）."""
    if not has_kanji(text):
        return text
    return "".join(
        "%s（%s）" % (piece, reading) if reading else piece
        for piece, reading in _segments(text, known)
    )


def email_with_readings(message):
    """A ja-easy e-mail: readings in brackets in the text, ruby in the HTML. The subject
    stays as written: a mail list shows only its start, and readings would push the
    date out of sight."""
    known = corrections()
    message.body = reading_text(message.body, known)
    alternatives = getattr(message, "alternatives", None)
    if alternatives:
        message.alternatives = [
            EmailAlternative(
                ruby_html(content, known) if mimetype == "text/html" else content, mimetype
            )
            for content, mimetype in alternatives
        ]
    return message


class FuriganaMiddleware:
    """Ruby on the kanji of every HTML page rendered in plain Japanese."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            get_language() == LANGUAGE
            and not response.streaming
            and response.get("Content-Type", "").startswith("text/html")
            and not response.has_header("Content-Encoding")
        ):
            charset = response.charset or "utf-8"
            response.content = ruby_html(response.content.decode(charset), corrections()).encode(
                charset
            )
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
        return response
