"""Storing one chunk of read rows: residents and certificates upserted by their
numbers, repeated record ids refused, record ids given to someone else held as moves,
postal codes Japan Post does not know reported as warnings."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from notices.addressblock import unprintable_problem
from notices.models import (
    Certificate,
    ImportRowMove,
    ImportRun,
    Resident,
)
from notices.postal import postal_code_warning
from notices.services.rows import BATCH, CERTIFICATE_FIELDS, RESIDENT_FIELDS, Row


@dataclass
class _Upserted:
    created: int
    updated: int
    unchanged: list[int]  # primary keys of the rows already as wanted


def _upsert(model, key: str, wanted: dict[str, dict], existing: dict, fields, stamp: dict):
    """Create or update rows of ``model`` by ``key``: ``wanted`` maps each key to the
    row's values, ``existing`` the key to the stored row. A stored row is written only
    when one of ``fields`` differs; ``stamp`` (who or when) is set on every row written.
    ignore_conflicts: a row created meanwhile by a parallel import is kept."""
    new, changed, unchanged = [], [], []
    for value, values in wanted.items():
        stored = existing.get(value)
        if stored is None:
            new.append(model(**{key: value}, **values, **stamp))
        elif any(getattr(stored, name) != values[name] for name in fields):
            for name, new_value in [*((name, values[name]) for name in fields), *stamp.items()]:
                setattr(stored, name, new_value)
            changed.append(stored)
        else:
            unchanged.append(stored.pk)
    model.objects.bulk_create(new, batch_size=BATCH, ignore_conflicts=True)
    model.objects.bulk_update(changed, [*fields, *stamp], batch_size=BATCH)
    return _Upserted(len(new), len(changed), unchanged)


def _upsert_residents(rows: list[Row], now) -> dict[str, int]:
    """Create or update the chunk's residents (the last row of a resident wins); their
    ids by resident number."""
    wanted = {
        row.resident["resident_number"]: {name: row.resident[name] for name in RESIDENT_FIELDS}
        for row in rows
    }
    existing = {r.resident_number: r for r in Resident.objects.filter(resident_number__in=wanted)}
    _upsert(Resident, "resident_number", wanted, existing, RESIDENT_FIELDS, {"updated_at": now})
    return dict(
        Resident.objects.filter(resident_number__in=wanted).values_list("resident_number", "id")
    )


def _refuse_other_departments_residents(run: ImportRun, unique: dict[str, Row]) -> list[dict]:
    """Rows of a department's import for a resident who holds another department's
    certificates, taken out of ``unique`` and refused unless they name the resident
    exactly as stored (name, reading, address, status). Such a row would rewrite where
    the other department's letters go, or, with made-up details, bring a resident the
    department does not serve into its letters and previews; the refusal names no
    stored detail. A manager's or an administrator's import (no department) changes
    residents."""
    if not run.department_id or not unique:
        return []
    numbers = {row.resident["resident_number"] for row in unique.values()}
    shared = {
        r.resident_number: r
        for r in Resident.objects.filter(
            resident_number__in=numbers,
            certificates__in=Certificate.objects.exclude(
                certificate_type__department_id=run.department_id
            ),
        ).distinct()
    }
    refused = []
    for source_id, row in list(unique.items()):
        stored = shared.get(row.resident["resident_number"])
        if stored is None:
            continue
        if any(getattr(stored, name) != row.resident[name] for name in RESIDENT_FIELDS):
            del unique[source_id]
            refused.append(
                {"line": row.line, "reason": _other_departments_reason(stored.resident_number)}
            )
    return refused


def _other_departments_reason(number: str) -> str:
    return _(
        "resident %(resident)s is on record with another department with other details "
        "(name, reading, address or status): the row was not imported. A manager or an "
        "administrator imports a change of a resident's details"
    ) % {"resident": number}


def _upsert_certificates(run: ImportRun, rows: list[Row], existing: dict, now) -> _Upserted:
    """Create or update the certificates of ``rows`` (with their residents) by record
    id; each one ends up belonging to ``run``."""
    resident_ids = _upsert_residents(rows, now)
    wanted = {}
    for row in rows:
        fields = dict(row.certificate, resident_id=resident_ids[row.resident["resident_number"]])
        wanted[fields.pop("source_id")] = fields
    upserted = _upsert(
        Certificate, "source_id", wanted, existing, CERTIFICATE_FIELDS, {"import_run": run}
    )
    for start in range(0, len(upserted.unchanged), BATCH):
        Certificate.objects.filter(pk__in=upserted.unchanged[start : start + BATCH]).update(
            import_run=run
        )
    return upserted


@dataclass
class _Stored:
    created: int
    updated: int
    unchanged: int
    refused: list[dict]
    held: list[int]  # lines held as moves, waiting for confirmation


def store_chunk(run: ImportRun, rows: list[Row], now) -> _Stored:
    """Upsert the chunk's good rows by record id. Must run inside the chunk's
    transaction. A record id this run already stored (in an earlier chunk: the
    certificate's ``import_run``) or held is refused as a repetition. A row that gives a
    stored record id to another resident or certificate type is not applied: it is held
    (ImportRowMove) until staff confirm it; one of another department is refused."""
    unique, refused = _first_of_each_record(rows)
    refused += _drop_held_before(run, unique)
    existing = {
        c.source_id: c
        for c in Certificate.objects.filter(source_id__in=list(unique)).select_related(
            "resident", "certificate_type"
        )
    }
    for source_id, certificate in existing.items():
        if certificate.import_run_id == run.pk:
            row = unique.pop(source_id)
            refused.append(_repeated(row, conflicts=_differs_from_stored(row, certificate)))
    moves, foreign = _hold_moves(run, unique, existing)
    refused += foreign
    refused += _refuse_other_departments_residents(run, unique)
    upserted = _upsert_certificates(run, list(unique.values()), existing, now)
    return _Stored(
        upserted.created,
        upserted.updated,
        len(upserted.unchanged),
        refused,
        [m.line for m in moves],
    )


def _first_of_each_record(rows: list[Row]) -> tuple[dict[str, Row], list[dict]]:
    """The first row of each record id, and the later ones refused as repetitions."""
    refused, unique = [], {}
    for row in rows:
        source_id = row.certificate["source_id"]
        if source_id in unique:
            first = unique[source_id]
            refused.append(_repeated(row, first_line=first.line, conflicts=_differs(row, first)))
        else:
            unique[source_id] = row
    return unique, refused


def _drop_held_before(run: ImportRun, unique: dict[str, Row]) -> list[dict]:
    """Rows whose record id an earlier chunk of this run held as a move: taken out of
    ``unique`` and refused."""
    held_before = dict(
        ImportRowMove.objects.filter(run=run, source_id__in=list(unique)).values_list(
            "source_id", "line"
        )
    )
    return [
        _repeated_held(unique.pop(source_id), first_line=first_line)
        for source_id, first_line in held_before.items()
    ]


def _hold_moves(
    run: ImportRun, unique: dict[str, Row], existing: dict[str, Certificate]
) -> tuple[list[ImportRowMove], list[dict]]:
    """Rows giving a stored record id to another resident or type, taken out of
    ``unique``: held as moves (stored), or refused when the certificate belongs to
    another department than the run's."""
    moves, refused = [], []
    for source_id, certificate in existing.items():
        row = unique.get(source_id)
        if row is None or not _moves(row, certificate):
            continue
        del unique[source_id]
        if run.department_id and certificate.certificate_type.department_id != run.department_id:
            refused.append(
                {
                    "line": row.line,
                    "reason": _(
                        "record id %(id)s is a certificate of another department: its "
                        "staff, a manager or an administrator imports it"
                    )
                    % {"id": source_id},
                }
            )
        else:
            moves.append(_held_move(run, row, certificate))
    ImportRowMove.objects.bulk_create(moves, batch_size=BATCH)
    return moves, refused


def _moves(row: Row, certificate: Certificate) -> bool:
    """Whether the row gives the stored record id to another resident or type."""
    return (
        certificate.resident.resident_number != row.resident["resident_number"]
        or certificate.certificate_type_id != row.certificate["certificate_type_id"]
    )


def certificate_state(certificate: Certificate) -> dict:
    """The fields of a certificate that confirming a move compares, as JSON."""
    return {
        "resident_id": certificate.resident_id,
        "certificate_type_id": certificate.certificate_type_id,
        "issued_on": certificate.issued_on.isoformat(),
        "expires_on": certificate.expires_on.isoformat(),
        "procedure_id": certificate.procedure_id,
    }


def _held_move(run: ImportRun, row: Row, certificate: Certificate) -> ImportRowMove:
    data = row.certificate
    return ImportRowMove(
        run=run,
        line=row.line,
        source_id=data["source_id"],
        certificate=certificate,
        old_resident_number=certificate.resident.resident_number,
        old_certificate_type_id=certificate.certificate_type_id,
        new_resident_number=row.resident["resident_number"],
        new_certificate_type_id=data["certificate_type_id"],
        before=certificate_state(certificate),
        new_resident=dict(row.resident),
        new_certificate={
            "certificate_type_id": data["certificate_type_id"],
            "issued_on": data["issued_on"].isoformat(),
            "expires_on": data["expires_on"].isoformat(),
            "procedure_id": data["procedure_id"],
        },
    )


def _repeated_held(row: Row, *, first_line: int) -> dict:
    return {
        "line": row.line,
        "reason": _(
            "record id %(id)s appears twice in the file: line %(first)s moves it to "
            "another resident or certificate type and waits for confirmation; this one "
            "was not imported"
        )
        % {"id": row.certificate["source_id"], "first": first_line},
    }


def letter_warnings(rows: list[Row]) -> list[dict]:
    """A stored row whose letter needs a look: its postal code Japan Post does not know,
    or gives to another town than the address's (the code may be newer than the
    packaged data), or its name or address has a character the letter's font cannot
    print (such a letter is held back). A warning on the report (the letters page lists
    it again before printing), never a refusal."""
    warnings = []
    for row in rows:
        resident = row.resident
        address = "%s %s" % (resident["address_line1"], resident["address_line2"])
        reasons = [
            postal_code_warning(resident["postal_code"], address),
            unprintable_problem(resident["name"], address),
        ]
        warnings += [
            {
                "line": row.line,
                "reason": _("record id %(id)s (resident %(resident)s): %(reason)s")
                % {
                    "id": row.certificate["source_id"],
                    "resident": resident["resident_number"],
                    "reason": reason,
                },
            }
            for reason in reasons
            if reason
        ]
    return warnings


def _differs(row: Row, other: Row) -> bool:
    return row.resident != other.resident or row.certificate != other.certificate


def _differs_from_stored(row: Row, certificate: Certificate) -> bool:
    resident = certificate.resident
    return any(
        getattr(resident, name) != row.resident[name]
        for name in ["resident_number", *RESIDENT_FIELDS]
    ) or any(
        getattr(certificate, name) != row.certificate[name]
        for name in CERTIFICATE_FIELDS
        if name != "resident_id"
    )


def _repeated(row: Row, *, first_line: int | None = None, conflicts: bool) -> dict:
    """A repeated record id: the first row was kept, this one is refused and says where
    the first one is and whether the two disagree (staff must check which is right)."""
    values = {"id": row.certificate["source_id"], "first": first_line}
    if first_line is None:
        reason = (
            _(
                "record id %(id)s appears twice in the file: an earlier line was imported "
                "and this one, with different data, was not"
            )
            if conflicts
            else _(
                "record id %(id)s appears twice in the file: an earlier line was imported; "
                "this one repeats it"
            )
        )
    elif conflicts:
        reason = _(
            "record id %(id)s appears twice in the file: line %(first)s was imported and "
            "this one, with different data, was not"
        )
    else:
        reason = _(
            "record id %(id)s appears twice in the file: line %(first)s was imported; this "
            "one repeats it"
        )
    return {"line": row.line, "reason": reason % values}
