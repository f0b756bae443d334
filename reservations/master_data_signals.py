"""The booking pages read master data from the shared cache: each procedure with its
document rules and questions (``selectors.procedure_for_booking``), the shifts and
closed days, and who is qualified for what (``availability.cached_master_data``). Every
save or delete of those rows, however it is made — the admin, a service, or an
administrator's script with a plain ``save()`` — refreshes that cache in every process
when it commits, so a citizen never agrees to wording that has just been replaced nor
sees a time that a changed shift no longer offers. (Bulk writes send no signals: code
that bulk-creates shifts calls ``availability.changed()`` itself.)

A cache refresh is the one job these signals have; no workflow hangs on them.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save

from reservations import availability
from reservations.models import (
    ClosedDay,
    Counter,
    DocumentRule,
    Procedure,
    ProcedureQuestion,
    QuestionChoice,
    Shift,
)

MASTER_DATA = (
    Procedure,
    DocumentRule,
    ProcedureQuestion,
    QuestionChoice,
    Shift,
    ClosedDay,
    Counter,  # a counter taken out of use takes its shifts off the calendar
)


def master_data_changed(sender, **kwargs) -> None:
    availability.changed()


def connect() -> None:
    for model in MASTER_DATA:
        uid = "master-data-%s" % model._meta.label_lower
        post_save.connect(master_data_changed, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(master_data_changed, sender=model, dispatch_uid=uid + "-delete")
    for through, uid in (
        (DocumentRule.applies_when.through, "master-data-rule-conditions"),
        (Procedure.qualified_staff.through, "master-data-qualifications"),
    ):
        m2m_changed.connect(master_data_changed, sender=through, dispatch_uid=uid)
