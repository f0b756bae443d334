"""Confirming the moves an import held: a record id given to another resident or
certificate type is applied only when staff confirm it."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from notices.models import (
    Certificate,
    CertificateType,
    ImportRowMove,
    ImportRun,
    MoveStatus,
    Resident,
)
from notices.services.rows import CERTIFICATE_FIELDS, RESIDENT_FIELDS
from notices.services.storing import certificate_state
from reservations.models import Procedure


def import_moves_confirm(
    *, run: ImportRun, move_ids: list[int] | None, user=None, department_id=None, now=None
) -> tuple[list[ImportRowMove], list[ImportRowMove]]:
    """Staff confirm moves of record ids held by an import (all waiting ones, or the ones
    in ``move_ids``): applied in one transaction, each checked against the certificate
    as it is now. A certificate changed since the row was held, a type or procedure of
    another department (``department_id``; None: any) or gone is refused with the
    reason and stays unapplied. Returns (applied, refused)."""
    now = now or timezone.now()
    applied, refused = [], []
    with transaction.atomic():
        waiting = ImportRowMove.objects.select_for_update().filter(
            run=run, status=MoveStatus.WAITING
        )
        if move_ids is not None:
            waiting = waiting.filter(pk__in=move_ids)
        for move in waiting.order_by("line", "pk"):
            reason = _move_apply(move, run=run, department_id=department_id, now=now)
            move.decided_by = user if user is not None and user.pk else None
            move.decided_at = now
            move.outcome = reason or ""
            move.status = MoveStatus.REFUSED if reason else MoveStatus.APPLIED
            # The row's name and address are no longer needed once it is decided.
            move.new_resident = {"resident_number": move.new_resident_number}
            move.save()
            (refused if reason else applied).append(move)
    return applied, refused


def _move_apply(move: ImportRowMove, *, run: ImportRun, department_id, now) -> str | None:
    """Apply one held move; the reason it is refused, or None when applied."""
    certificate = (
        Certificate.objects.select_for_update()
        .select_related("certificate_type", "resident")
        .get(pk=move.certificate_id)
    )
    if certificate_state(certificate) != move.before:
        return _(
            "record id %(id)s changed after this file was imported (now resident "
            "%(resident)s, %(type)s, expires %(expires)s): not applied. Import a current "
            "file to move it again."
        ) % {
            "id": move.source_id,
            "resident": certificate.resident.resident_number,
            "type": certificate.certificate_type,
            "expires": certificate.expires_on.isoformat(),
        }
    data = move.new_certificate
    new_type = CertificateType.objects.get(pk=data["certificate_type_id"])
    if department_id is not None and (
        certificate.certificate_type.department_id != department_id
        or new_type.department_id != department_id
    ):
        return _("record id %(id)s is a certificate of another department: not applied.") % {
            "id": move.source_id
        }
    procedure_id = data["procedure_id"]
    if procedure_id and not Procedure.objects.filter(pk=procedure_id).exists():
        return _(
            "record id %(id)s: its procedure no longer exists: not applied. Import a "
            "current file to move it again."
        ) % {"id": move.source_id}
    resident_data = move.new_resident
    resident = (
        Resident.objects.select_for_update()
        .filter(resident_number=move.new_resident_number)
        .first()
    )
    if resident is None:
        resident = Resident.objects.create(updated_at=now, **resident_data)
    elif resident.updated_at <= run.started_at and any(
        getattr(resident, name) != resident_data[name] for name in RESIDENT_FIELDS
    ):
        # Stored before this file was read: the file's data is the newer one.
        for name in RESIDENT_FIELDS:
            setattr(resident, name, resident_data[name])
        resident.updated_at = now
        resident.save(update_fields=[*RESIDENT_FIELDS, "updated_at"])
    certificate.resident = resident
    certificate.certificate_type = new_type
    certificate.issued_on = dt.date.fromisoformat(data["issued_on"])
    certificate.expires_on = dt.date.fromisoformat(data["expires_on"])
    certificate.procedure_id = procedure_id
    certificate.import_run = run
    certificate.save(update_fields=[*CERTIFICATE_FIELDS, "import_run"])
    return None
