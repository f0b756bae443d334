"""Reading what municipal systems export: encodings, 和暦 dates, postal codes."""

import datetime as dt
import re
import unicodedata

from django.utils.translation import gettext as _

# Era name and its Latin initial → the Gregorian year of its first year (元年).
ERAS = {
    "令和": 2019,
    "R": 2019,
    "平成": 1989,
    "H": 1989,
    "昭和": 1926,
    "S": 1926,
    "大正": 1912,
    "T": 1912,
    "明治": 1868,
    "M": 1868,
}
_ERA_PATTERN = re.compile(
    r"^(令和|平成|昭和|大正|明治|[RHSTM])\s*(元|\d{1,2})\s*[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})\s*日?$"
)
_GREGORIAN_PATTERN = re.compile(r"^(\d{4})\s*[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})\s*日?$")
_COMPACT_PATTERN = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
# Every dash a keyboard or a legacy system may produce between postal-code digits.
_DASHES = re.compile(r"[-‐‑‒–—―−ｰー－]")


class ParseError(ValueError):
    """A value that cannot be read; the message says why, for the import report."""


def decode(data: bytes) -> tuple[str, str]:
    """The text of an export and the encoding it was in: UTF-8 (with or without BOM),
    else Shift_JIS/CP932 (what Japanese municipal systems usually write)."""
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding), "UTF-8" if encoding == "utf-8-sig" else "CP932"
        except UnicodeDecodeError:
            continue
    raise ParseError(_("The file is neither UTF-8 nor Shift_JIS (CP932)."))


def normalize(text: str) -> str:
    """Full-width letters, digits and spaces folded to half-width; ends trimmed."""
    return unicodedata.normalize("NFKC", text or "").strip()


def parse_date(text: str) -> dt.date:
    """A date written in the Gregorian calendar or in 和暦 (元年 included)."""
    value = normalize(text).upper().replace(" ", "")
    if not value:
        raise ParseError(_("empty date"))
    match = _ERA_PATTERN.match(value)
    try:
        if match:
            era, year, month, day = match.groups()
            year_number = 1 if year == "元" else int(year)
            return dt.date(ERAS[era] + year_number - 1, int(month), int(day))
        match = _GREGORIAN_PATTERN.match(value) or _COMPACT_PATTERN.match(value)
        if match:
            year, month, day = (int(part) for part in match.groups())
            return dt.date(year, month, day)
    except ValueError as error:
        raise ParseError(_("no such date: %(value)s") % {"value": text}) from error
    raise ParseError(_("not a date: %(value)s") % {"value": text})


def parse_postal_code(text: str) -> str:
    """123-4567 from any width or dash; empty stays empty (an incomplete address)."""
    value = _DASHES.sub("", normalize(text).replace("〒", "")).replace(" ", "")
    if not value:
        return ""
    if not re.fullmatch(r"\d{7}", value):
        raise ParseError(_("postal code must have 7 digits: %(value)s") % {"value": text})
    return "%s-%s" % (value[:3], value[3:])


def format_wareki(day: dt.date) -> str:
    """令和8年5月1日 (the first year of an era is 元年)."""
    for era, first_day in (
        ("令和", dt.date(2019, 5, 1)),
        ("平成", dt.date(1989, 1, 8)),
        ("昭和", dt.date(1926, 12, 25)),
    ):
        if day >= first_day:
            year = day.year - first_day.year + 1
            return "%s%s年%d月%d日" % (era, "元" if year == 1 else year, day.month, day.day)
    return "%d年%d月%d日" % (day.year, day.month, day.day)
