"""Reading an issuance-record export: its columns, its header and each row, checked
and turned into the resident and certificate it stores (or the reason it is refused)."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from notices import parsing
from notices.models import (
    Certificate,
    ImportRun,
    Resident,
    ResidentStatus,
)
from reservations import names

# The documented columns of an issuance-record export (README "Importing certificates").
COLUMNS = [
    "record_id",
    "resident_number",
    "name",
    "kana",
    "postal_code",
    "address1",
    "address2",
    "status",
    "certificate_type",
    "issued_on",
    "expires_on",
    "procedure",
]

REQUIRED = ["record_id", "resident_number", "name", "certificate_type", "issued_on", "expires_on"]

# Status words as municipal exports write them, in either language.
STATUS_WORDS = {
    "": ResidentStatus.ACTIVE,
    "active": ResidentStatus.ACTIVE,
    "在住": ResidentStatus.ACTIVE,
    "住民": ResidentStatus.ACTIVE,
    "moved": ResidentStatus.MOVED,
    "転出": ResidentStatus.MOVED,
    "deceased": ResidentStatus.DECEASED,
    "死亡": ResidentStatus.DECEASED,
    "opted_out": ResidentStatus.OPTED_OUT,
    "送付不要": ResidentStatus.OPTED_OUT,
}

BATCH = 5000

RESIDENT_FIELDS = ["name", "kana", "postal_code", "address_line1", "address_line2", "status"]

CERTIFICATE_FIELDS = [
    "resident_id",
    "certificate_type_id",
    "issued_on",
    "expires_on",
    "procedure_id",
]


@dataclass
class Row:
    line: int
    resident: dict
    certificate: dict


# The longest value each stored field takes (PostgreSQL refuses longer ones).
_MAX_LENGTHS = {
    "record_id": Certificate._meta.get_field("source_id").max_length,
    "resident_number": Resident._meta.get_field("resident_number").max_length,
    "name": Resident._meta.get_field("name").max_length,
    "kana": Resident._meta.get_field("kana").max_length,
    "address1": Resident._meta.get_field("address_line1").max_length,
    "address2": Resident._meta.get_field("address_line2").max_length,
}


def read_row(
    line: int, raw: dict, types: dict, procedures: dict, others: frozenset = frozenset()
) -> Row:
    value = {key: parsing.normalize(raw.get(key) or "") for key in COLUMNS}
    missing = [key for key in REQUIRED if not value[key]]
    if missing:
        raise parsing.ParseError(_("missing %(columns)s") % {"columns": ", ".join(missing)})
    _check_texts(value)
    certificate_type = types.get(value["certificate_type"])
    if certificate_type is None:
        if value["certificate_type"] in others:
            raise parsing.ParseError(
                _(
                    "certificate type %(type)s belongs to another department: its staff, "
                    "a manager or an administrator imports it"
                )
                % {"type": value["certificate_type"]}
            )
        raise parsing.ParseError(
            _("unknown certificate type: %(type)s") % {"type": value["certificate_type"]}
        )
    status = STATUS_WORDS.get(value["status"].lower())
    if status is None:
        raise parsing.ParseError(_("unknown status: %(status)s") % {"status": value["status"]})
    issued_on = parsing.parse_date(value["issued_on"])
    expires_on = parsing.parse_date(value["expires_on"])
    _check_dates(issued_on, expires_on)
    procedure_id = None
    if value["procedure"]:
        procedure_id = procedures.get(value["procedure"])
        if procedure_id is None:
            raise parsing.ParseError(
                _("unknown procedure: %(code)s") % {"code": value["procedure"]}
            )
    return Row(
        line,
        {
            "resident_number": value["resident_number"],
            "name": value["name"],
            "kana": value["kana"],
            "postal_code": parsing.parse_postal_code(value["postal_code"]),
            "address_line1": value["address1"],
            "address_line2": value["address2"],
            "status": status,
        },
        {
            "source_id": value["record_id"],
            "certificate_type_id": certificate_type,
            "issued_on": issued_on,
            "expires_on": expires_on,
            "procedure_id": procedure_id,
        },
    )


def _check_texts(value: dict) -> None:
    """ParseError for a value longer than its column, a control character in a name,
    reading, address or id, or a line break but in an address (either would print on a
    letter as it is), or a reading not written in kana."""
    for key, limit in _MAX_LENGTHS.items():
        if len(value[key]) > limit:
            raise parsing.ParseError(
                _("%(column)s is longer than %(limit)s characters")
                % {"column": key, "limit": limit}
            )
        # An address may run over lines (a quoted cell); nothing else may.
        text = value[key].replace("\n", "") if key.startswith("address") else value[key]
        if names.has_control_characters(text):
            raise parsing.ParseError(
                _("%(column)s contains a line break or a control character") % {"column": key}
            )
    if value["kana"] and not names.is_kana(value["kana"]):
        raise parsing.ParseError(
            _("kana is not written in hiragana or katakana: %(kana)s") % {"kana": value["kana"]}
        )


# An issuance record older than this, or valid for longer, is a typing error.
_EARLIEST_ISSUE = dt.date(1900, 1, 1)
_LONGEST_VALIDITY_YEARS = 100


def _check_dates(issued_on: dt.date, expires_on: dt.date) -> None:
    if expires_on < issued_on:
        raise parsing.ParseError(_("expires before it was issued"))
    if issued_on > timezone.localdate():
        raise parsing.ParseError(
            _("issued on %(date)s, a day after today: check the date")
            % {"date": issued_on.isoformat()}
        )
    if issued_on < _EARLIEST_ISSUE or (expires_on - issued_on).days > 366 * _LONGEST_VALIDITY_YEARS:
        raise parsing.ParseError(
            _("the dates %(issued)s – %(expires)s cannot be right: check them")
            % {"issued": issued_on.isoformat(), "expires": expires_on.isoformat()}
        )


class ImportRefused(Exception):
    """A whole file refused at once (its encoding, its first line); the message says why."""

    def __init__(self, message: str, *, line: int = 0):
        super().__init__(message)
        self.line = line


def read_records(run: ImportRun, stream, *, offset: int = 0, line: int = 1):
    return parsing.read_records(
        stream,
        codec=_CODEC_OF[run.encoding],
        offset=offset,
        line=line,
        max_line_bytes=settings.IMPORT_MAX_LINE_BYTES,
        max_cell_chars=settings.IMPORT_MAX_CELL_CHARS,
    )


_CODEC_OF = {"UTF-8": "utf-8-sig", "CP932": "cp932"}


def read_header(run: ImportRun, stream) -> tuple[list[str], parsing.Record]:
    """The column names of the file's first record; ImportRefused without the required
    ones."""
    start = stream.tell()
    head = stream.read(64 * 1024)
    stream.seek(start)
    if b"\r" in head and b"\n" not in head:
        raise ImportRefused(
            _(
                "The lines of this file end with CR only (an old Mac format). Save it again "
                "as CSV, with lines ending in CRLF or LF, and import it."
            ),
            line=1,
        )
    first = next(iter(read_records(run, stream)), None)
    if first is None or first.cells is None:
        reason = first.error if first else _("the file is empty")
        raise ImportRefused(
            _("the first line cannot be read: %(reason)s") % {"reason": reason}, line=1
        )
    header = [parsing.normalize(name).lower() for name in first.cells]
    twice = sorted({name for name in header if name and header.count(name) > 1})
    if twice:
        raise ImportRefused(
            _("the header names %(columns)s more than once: which one holds the data?")
            % {"columns": ", ".join(twice)},
            line=first.line,
        )
    absent = [name for name in REQUIRED if name not in header]
    if absent:
        raise ImportRefused(
            _("missing columns: %(columns)s") % {"columns": ", ".join(absent)}, line=first.line
        )
    return header, first


def columns_not_read(header: list[str]) -> list[str]:
    """The header's names that are not documented columns: their cells are not read."""
    return [name for name in header if name and name not in COLUMNS]


def require_no_extra_cells(header: list[str], cells: list[str]) -> None:
    """ParseError when a record has more cells than the header has columns: its columns
    are likely shifted (a comma outside quotes), so none of its cells can be trusted,
    even when the cell past the end is empty."""
    if len(cells) > len(header):
        extra = len(cells) - len(header)
        raise parsing.ParseError(
            ngettext(
                "%(count)s cell more than the header's %(columns)s columns: a comma "
                "outside quotes may have shifted the row's columns",
                "%(count)s cells more than the header's %(columns)s columns: a comma "
                "outside quotes may have shifted the row's columns",
                extra,
            )
            % {"count": extra, "columns": len(header)}
        )


def record_id_of(cells: dict) -> str:
    """The row's record id (its cells by column name) as the report names it; empty
    when it has none."""
    return parsing.normalize(cells.get("record_id") or "")[:64]
