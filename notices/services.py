"""Writes of the notices app: importing past issuance records."""

import csv
import io
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from notices import parsing
from notices.models import Certificate, CertificateType, ImportRun, Resident, ResidentStatus
from reservations.models import Procedure

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
class _Row:
    line: int
    resident: dict
    certificate: dict


def _read_row(line: int, raw: dict, types: dict, procedures: dict) -> _Row:
    value = {key: parsing.normalize(raw.get(key) or "") for key in COLUMNS}
    missing = [key for key in REQUIRED if not value[key]]
    if missing:
        raise parsing.ParseError(_("missing %(columns)s") % {"columns": ", ".join(missing)})
    certificate_type = types.get(value["certificate_type"])
    if certificate_type is None:
        raise parsing.ParseError(
            _("unknown certificate type: %(type)s") % {"type": value["certificate_type"]}
        )
    status = STATUS_WORDS.get(value["status"].lower())
    if status is None:
        raise parsing.ParseError(_("unknown status: %(status)s") % {"status": value["status"]})
    issued_on = parsing.parse_date(value["issued_on"])
    expires_on = parsing.parse_date(value["expires_on"])
    if expires_on < issued_on:
        raise parsing.ParseError(_("expires before it was issued"))
    procedure_id = None
    if value["procedure"]:
        procedure_id = procedures.get(value["procedure"])
        if procedure_id is None:
            raise parsing.ParseError(
                _("unknown procedure: %(code)s") % {"code": value["procedure"]}
            )
    return _Row(
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


def _upsert_residents(rows: list[_Row], now) -> dict[str, int]:
    """Create or update the batch's residents (the last row of a resident wins)."""
    wanted = {row.resident["resident_number"]: row.resident for row in rows}
    existing = {r.resident_number: r for r in Resident.objects.filter(resident_number__in=wanted)}
    new, changed = [], []
    for number, fields in wanted.items():
        resident = existing.get(number)
        if resident is None:
            new.append(Resident(updated_at=now, **fields))
        elif any(getattr(resident, name) != fields[name] for name in RESIDENT_FIELDS):
            for name in RESIDENT_FIELDS:
                setattr(resident, name, fields[name])
            resident.updated_at = now
            changed.append(resident)
    Resident.objects.bulk_create(new, batch_size=BATCH)
    Resident.objects.bulk_update(changed, [*RESIDENT_FIELDS, "updated_at"], batch_size=BATCH)
    return dict(
        Resident.objects.filter(resident_number__in=wanted).values_list("resident_number", "id")
    )


def _upsert_certificates(rows: list[_Row], resident_ids: dict[str, int]) -> tuple[int, int, int]:
    wanted = {}
    for row in rows:
        fields = dict(row.certificate)
        fields["resident_id"] = resident_ids[row.resident["resident_number"]]
        wanted[fields.pop("source_id")] = fields
    existing = {c.source_id: c for c in Certificate.objects.filter(source_id__in=wanted)}
    new, changed, unchanged = [], [], 0
    for source_id, fields in wanted.items():
        certificate = existing.get(source_id)
        if certificate is None:
            new.append(Certificate(source_id=source_id, **fields))
        elif any(getattr(certificate, name) != fields[name] for name in CERTIFICATE_FIELDS):
            for name in CERTIFICATE_FIELDS:
                setattr(certificate, name, fields[name])
            changed.append(certificate)
        else:
            unchanged += 1
    Certificate.objects.bulk_create(new, batch_size=BATCH)
    Certificate.objects.bulk_update(changed, CERTIFICATE_FIELDS, batch_size=BATCH)
    return len(new), len(changed), unchanged


def certificates_import(*, data: bytes, file_name: str, user=None) -> ImportRun:
    """Import an issuance-record export (CSV, UTF-8 or CP932) and report on every row.

    Residents are matched by resident number and certificates by the source's record
    id, so importing the same file again changes nothing. A row that cannot be read is
    refused with its line number and the reason; the other rows are imported. The
    report is kept as an ImportRun.
    """
    run = ImportRun(file_name=file_name[:200], imported_by=user, started_at=timezone.now())
    try:
        text, run.encoding = parsing.decode(data)
    except parsing.ParseError as error:
        run.errors = [{"line": 0, "reason": str(error)}]
        run.save()
        return run
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [parsing.normalize(name).lower() for name in reader.fieldnames or []]
    absent = [name for name in REQUIRED if name not in header]
    if absent:
        run.errors = [
            {
                "line": 1,
                "reason": _("missing columns: %(columns)s") % {"columns": ", ".join(absent)},
            }
        ]
        run.save()
        return run
    reader.fieldnames = header
    types = dict(CertificateType.objects.values_list("code", "id"))
    procedures = dict(Procedure.objects.values_list("code", "id"))
    now = timezone.now()
    errors, batch = [], []
    seen_records: set[str] = set()

    def flush():
        if not batch:
            return
        with transaction.atomic():
            resident_ids = _upsert_residents(batch, now)
            created, updated, unchanged = _upsert_certificates(batch, resident_ids)
        run.created += created
        run.updated += updated
        run.unchanged += unchanged
        batch.clear()

    for raw in reader:
        line = reader.line_num
        run.rows += 1
        try:
            row = _read_row(line, raw, types, procedures)
        except parsing.ParseError as error:
            errors.append({"line": line, "reason": str(error)})
            continue
        if row.certificate["source_id"] in seen_records:
            errors.append(
                {
                    "line": line,
                    "reason": _("record id %(id)s appears twice in the file")
                    % {"id": row.certificate["source_id"]},
                }
            )
            continue
        seen_records.add(row.certificate["source_id"])
        batch.append(row)
        if len(batch) >= BATCH:
            flush()
    flush()
    run.errors = errors
    run.save()
    return run
