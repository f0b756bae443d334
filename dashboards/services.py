"""Every write of the dashboards app: targets (Plan), actions (Do, Act), the review
(Check, Act). Each is one transaction; the rollup lives in ``rollup.py``."""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dashboards import rollup
from dashboards.models import Kpi, QuarterAction, QuarterReview, Stage, Target


class PdcaError(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def check_quarter(fiscal_year: int, quarter: int) -> None:
    if not (2000 <= fiscal_year <= 2100 and 1 <= quarter <= 4):
        raise PdcaError(_("There is no such fiscal quarter."))


def _scope(department_id: int | None, procedure_id: int | None) -> dict:
    """A target's scope: a procedure (its own), else a department, else city-wide."""
    if procedure_id:
        return {"procedure_id": procedure_id, "department_id": None}
    return {"procedure_id": None, "department_id": department_id or None}


@transaction.atomic
def targets_set(
    *,
    fiscal_year: int,
    quarter: int,
    values: dict[str, Decimal | None],
    user,
    department_id: int | None = None,
    procedure_id: int | None = None,
) -> int:
    """Set (or clear, with None) the quarter's target of each KPI given, city-wide or for
    one department or procedure. Returns how many targets the quarter's scope has
    afterwards. Saving the carried-forward values makes them the quarter's own."""
    check_quarter(fiscal_year, quarter)
    scope = _scope(department_id, procedure_id)
    for kpi, value in values.items():
        if kpi not in Kpi.values:
            raise PdcaError(_("Unknown indicator: %(kpi)s") % {"kpi": kpi})
        if value is None:
            Target.objects.filter(
                fiscal_year=fiscal_year, quarter=quarter, kpi=kpi, **scope
            ).delete()
            continue
        Target.objects.update_or_create(
            fiscal_year=fiscal_year,
            quarter=quarter,
            kpi=kpi,
            **scope,
            defaults={"value": value, "set_by": user, "set_at": timezone.now()},
        )
    # The pages' cached figures carry the targets: a new version shows the new ones.
    rollup.version_raise()
    return Target.objects.filter(fiscal_year=fiscal_year, quarter=quarter, **scope).count()


@transaction.atomic
def action_add(
    *,
    fiscal_year: int,
    quarter: int,
    stage: str,
    text: str,
    user,
    kpi: str = "",
    owner: str = "",
    due_on: dt.date | None = None,
    department_id: int | None = None,
) -> QuarterAction:
    check_quarter(fiscal_year, quarter)
    if stage not in Stage.values:
        raise PdcaError(_("Unknown stage."))
    if not text.strip():
        raise PdcaError(_("Describe the action."))
    return QuarterAction.objects.create(
        fiscal_year=fiscal_year,
        quarter=quarter,
        department_id=department_id or None,
        stage=stage,
        kpi=kpi,
        text=text.strip(),
        owner=owner.strip(),
        due_on=due_on,
        created_by=user,
    )


@transaction.atomic
def action_mark_done(*, action: QuarterAction, done: bool = True) -> QuarterAction:
    action.done_at = timezone.now() if done else None
    action.save(update_fields=["done_at"])
    return action


@transaction.atomic
def review_save(
    *,
    fiscal_year: int,
    quarter: int,
    findings: str,
    decisions: str,
    user,
    department_id: int | None = None,
) -> QuarterReview:
    """Record the quarter's review (Check: findings; Act: decisions). Saving again
    updates it; the follow-up actions are separate rows (``action_add``)."""
    check_quarter(fiscal_year, quarter)
    review, _created = QuarterReview.objects.update_or_create(
        fiscal_year=fiscal_year,
        quarter=quarter,
        department_id=department_id or None,
        defaults={
            "findings": findings.strip(),
            "decisions": decisions.strip(),
            "reviewed_by": user,
            "reviewed_at": timezone.now(),
        },
    )
    return review
