"""The one writer for every CSV file the app produces (downloads, reports, exports).

Cells may hold text typed by citizens or staff (names, rule names, categories). A
spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula
(``=HYPERLINK(...)`` leaks data, ``=cmd|...`` runs commands), and tab or carriage
return in front hide such a start. As OWASP recommends ("CSV Injection"), such a cell
is written with a leading ``'`` so that it is shown as text. Real numbers stay
numbers: ints, floats and Decimals, and strings that are plainly a number (``-5``,
``-0.25``, ``+3``, ``1e-3``) — a spreadsheet reads those as a value, never a formula.

Files are UTF-8 with a byte-order mark, so Excel (which assumes Shift_JIS in Japan
otherwise) shows Japanese correctly. Do not use ``csv.writer`` elsewhere: a test
fails when a module other than this one writes CSV.
"""

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterable
from decimal import Decimal
from urllib.parse import quote

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.encoding import force_str

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
# Characters a spreadsheet may skip before it looks for "=": spaces of either width and
# control characters. A cell that starts with them and then a formula sign is neutralised.
_SKIPPED = " \u3000\n\x0b\x0c"


def safe_cell(value):
    """The value as it may be written to a CSV cell without being run as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float, Decimal)):
        return value
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    text = force_str(value)
    if _NUMBER.fullmatch(text):
        return text
    # Full-width ＝＋－＠ become their ASCII form in NFKC, which some spreadsheets apply
    # while reading: check the normalised start too.
    start = unicodedata.normalize("NFKC", text[:8]).lstrip(_SKIPPED)
    if text.startswith(FORMULA_STARTS) or start.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def safe_row(row: Iterable) -> list:
    return [safe_cell(value) for value in row]


class SafeWriter:
    """``csv.writer`` whose every cell goes through ``safe_cell``."""

    def __init__(self, file):
        self._writer = csv.writer(file)

    def writerow(self, row: Iterable):
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable]):
        for row in rows:
            self.writerow(row)


def write_csv(file, rows: Iterable[Iterable], *, header: Iterable | None = None, bom=True):
    """Write ``header`` and ``rows`` to a text file opened with ``newline=""``."""
    if bom:
        file.write(BOM)
    writer = SafeWriter(file)
    if header is not None:
        writer.writerow(header)
    writer.writerows(rows)


def csv_bytes(rows: Iterable[Iterable], *, header: Iterable | None = None) -> bytes:
    """The whole file as UTF-8 bytes with a BOM (to store through a FileField)."""
    buffer = io.StringIO(newline="")
    write_csv(buffer, rows, header=header)
    return buffer.getvalue().encode("utf-8")


def safe_filename(name: str, *, default: str = "export.csv") -> str:
    """A file name without paths, quotes or control characters, ending in ``.csv``."""
    name = unicodedata.normalize("NFC", force_str(name))
    name = name.replace("/", "-").replace("\\", "-")
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C" and c not in '"*:<>?|;')
    name = name.strip(" .")[:150]
    if not name:
        return default
    return name if name.lower().endswith(".csv") else name + ".csv"


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback and the exact name as RFC 6266/5987 give it."""
    name = safe_filename(filename)
    ascii_name = name.encode("ascii", "ignore").decode() or "export.csv"
    if ascii_name.startswith("."):
        ascii_name = "export" + ascii_name
    return "attachment; filename=\"%s\"; filename*=UTF-8''%s" % (ascii_name, quote(name, safe=""))


CONTENT_TYPE = "text/csv; charset=utf-8"


def csv_response(
    filename: str, rows: Iterable[Iterable], *, header: Iterable | None = None
) -> HttpResponse:
    """A download of ``rows`` (built in memory: for tables of a page or a report)."""
    response = HttpResponse(content_type=CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(filename)
    write_csv(response, rows, header=header)
    return response


class _Line:
    """A file-like object that hands back what the csv writer writes to it."""

    def write(self, text):
        return text


def csv_streaming_response(
    filename: str, rows: Iterable[Iterable], *, header: Iterable | None = None
) -> StreamingHttpResponse:
    """A download written row by row as it is sent (for large tables, e.g. a queryset
    ``.iterator()``): memory stays flat whatever the number of rows."""
    writer = csv.writer(_Line())

    def lines():
        yield BOM
        if header is not None:
            yield writer.writerow(safe_row(header))
        for row in rows:
            yield writer.writerow(safe_row(row))

    response = StreamingHttpResponse(lines(), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(filename)
    return response
