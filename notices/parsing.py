"""Reading what municipal systems export: encodings, 和暦 dates, postal codes."""

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass

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
# The first and last day of each era (by the first year's Gregorian year above).
ERA_SPANS = {
    2019: (dt.date(2019, 5, 1), dt.date.max),
    1989: (dt.date(1989, 1, 8), dt.date(2019, 4, 30)),
    1926: (dt.date(1926, 12, 25), dt.date(1989, 1, 7)),
    1912: (dt.date(1912, 7, 30), dt.date(1926, 12, 24)),
    1868: (dt.date(1868, 1, 25), dt.date(1912, 7, 29)),
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
    if match:
        era, year, month, day = match.groups()
        year_number = 1 if year == "元" else int(year)
        try:
            day_ = dt.date(ERAS[era] + year_number - 1, int(month), int(day))
        except ValueError as error:
            raise ParseError(_("no such date: %(value)s") % {"value": text}) from error
        first, last = ERA_SPANS[ERAS[era]]
        if not first <= day_ <= last:
            # 平成31年5月1日 never existed: the era had changed the day before.
            if last == dt.date.max:  # the era of today: it began, it has not ended
                raise ParseError(
                    _("no such date: %(value)s (that era began on %(first)s)")
                    % {"value": text, "first": first.isoformat()}
                )
            raise ParseError(
                _("no such date: %(value)s (that era runs from %(first)s to %(last)s)")
                % {"value": text, "first": first.isoformat(), "last": last.isoformat()}
            )
        return day_
    match = _GREGORIAN_PATTERN.match(value) or _COMPACT_PATTERN.match(value)
    if match:
        year, month, day = (int(part) for part in match.groups())
        try:
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


# --- Reading a file line by line ------------------------------------------------------
# The file is read as bytes and split on b"\n": neither UTF-8 nor CP932 ever uses that
# byte inside a character, so every record starts at a known byte offset and an import
# can resume exactly where its last committed chunk ended.

_CODECS = (("utf-8-sig", "UTF-8"), ("cp932", "CP932"))
# The first bytes of an .xlsx (a ZIP archive) and of an old .xls (an OLE document).
_WORKBOOK_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")
_PIECE = 1024 * 1024


def detect_encoding(stream) -> tuple[str, str]:
    """(codec, label) of a whole binary file, read in pieces (never all in memory):
    UTF-8 with or without BOM, else CP932. ParseError when it is neither."""
    stream.seek(0)
    if stream.read(4) in _WORKBOOK_SIGNATURES:
        stream.seek(0)
        raise ParseError(
            _(
                "This is an Excel workbook, not a CSV file. In Excel choose Save As, the "
                "type “CSV UTF-8 (comma delimited)”, and import the file it saves."
            )
        )
    for codec, label in _CODECS:
        stream.seek(0)
        decoder = codecs.getincrementaldecoder(codec)()
        try:
            while piece := stream.read(_PIECE):
                decoder.decode(piece)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        stream.seek(0)
        return codec, label
    stream.seek(0)
    raise ParseError(_("The file is neither UTF-8 nor Shift_JIS (CP932)."))


@dataclass
class Record:
    """One CSV record of the file: its first line number, the byte offset after it, and
    either its cells or the reason it cannot be read."""

    line: int
    end_offset: int
    end_line: int  # the line number of the record after this one
    cells: list[str] | None = None
    error: str | None = None


def _physical_lines(stream, offset: int, line: int, max_bytes: int):
    """(line number, start offset, end offset, bytes or None when longer than max_bytes).
    A line over the limit is skipped in pieces, never held in memory."""
    stream.seek(offset)
    while True:
        data = stream.readline(max_bytes + 1)
        if not data:
            return
        start = offset
        offset += len(data)
        if len(data) > max_bytes and not data.endswith(b"\n"):
            while data and not data.endswith(b"\n"):
                data = stream.readline(_PIECE)
                offset += len(data)
            yield line, start, offset, None
        else:
            yield line, start, offset, data.rstrip(b"\r\n")
        line += 1


def read_records(
    stream, *, codec: str, offset: int = 0, line: int = 1, max_line_bytes: int, max_cell_chars: int
):
    """The records of a CSV file from ``offset`` (which starts line ``line``), each with
    its cells or, for a record that cannot be read, the reason: a line over
    ``max_line_bytes``, a NUL byte, a cell over ``max_cell_chars``, bytes that are not in
    the file's encoding, quoting that does not close. A quoted cell may span lines (up
    to ``max_line_bytes`` in all); when its quote never closes, only its first line is
    refused and reading goes on with the next line. Blank lines are skipped."""
    lines = _Lines(_physical_lines(stream, offset, line, max_line_bytes))
    while (first := lines.next()) is not None:
        record = _read_record(first, lines, codec, max_line_bytes, max_cell_chars)
        if record is not None:
            yield record


class _Lines:
    """Physical lines, with the ones read ahead (looking for a closing quote) put back."""

    def __init__(self, lines):
        self._lines = lines
        self._pending: list = []

    def next(self):
        return self._pending.pop(0) if self._pending else next(self._lines, None)

    def put_back(self, taken: list) -> None:
        self._pending[0:0] = taken


def _read_record(first, lines: _Lines, codec, max_line_bytes, max_cell_chars) -> Record | None:
    """The record starting with the physical line ``first``; None for a blank line."""
    number, _start, end, data = first
    if data is None:
        return Record(
            number,
            end,
            number + 1,
            error=_("the line is longer than %(limit)s bytes") % {"limit": max_line_bytes},
        )
    if not data.strip(b" \t\r,"):  # blank, or only commas (a spreadsheet's empty row)
        return None
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return Record(number, end, number + 1, error=_("not readable as the file's encoding"))
    text, taken, last = _join_quoted(text, first, lines, codec, max_line_bytes)
    if text.count('"') % 2:
        lines.put_back(taken)
        return Record(
            number, end, number + 1, error=_("a quoted cell is not closed (broken quoting)")
        )
    return _parse_record(text, first, last, taken, lines, max_cell_chars)


def _join_quoted(text: str, first, lines: _Lines, codec, max_line_bytes):
    """``text`` with the following lines of a quoted cell that goes on in them (up to
    ``max_line_bytes`` in all): (text, the lines taken, the last line taken)."""
    taken, size, last = [], len(first[3]), first
    while text.count('"') % 2:  # a quoted cell goes on in the next line
        following = lines.next()
        if following is None or following[3] is None or size + len(following[3]) > max_line_bytes:
            if following is not None:
                lines.put_back([following])
            break
        try:
            text += "\n" + following[3].decode(codec)
        except UnicodeDecodeError:
            lines.put_back([following])
            break
        taken.append(following)
        size += len(following[3]) + 1
        last = following
    return text, taken, last


def _parse_record(text: str, first, last, taken: list, lines: _Lines, max_cell_chars) -> Record:
    """The cells of a record's text, or why they cannot be read."""
    number = first[0]
    end, end_line = last[2], last[0] + 1
    if "\x00" in text:
        return Record(number, end, end_line, error=_("the line contains a NUL byte"))
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
        reason = None if len(rows) == 1 else _("broken quoting")
    except csv.Error as error:
        reason = _("not readable as CSV: %(error)s") % {"error": error}
    if reason:
        # Only the first line is refused; lines read ahead are read again.
        lines.put_back(taken)
        return Record(number, first[2], number + 1, error=reason)
    cells = rows[0]
    too_long = [index for index, cell in enumerate(cells) if len(cell) > max_cell_chars]
    if too_long:
        return Record(
            number,
            end,
            end_line,
            error=_("cell %(column)s is longer than %(limit)s characters")
            % {"column": too_long[0] + 1, "limit": max_cell_chars},
        )
    return Record(number, end, end_line, cells=cells)
