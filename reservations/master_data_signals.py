"""The booking pages read each procedure with its document rules and questions from the
shared cache (``selectors.procedure_for_booking`` through
``availability.cached_master_data``). Every save or delete of those rows, however it is
made — the admin, a service, or an administrator's script with a plain ``save()`` —
refreshes that cache in every process when it commits, so a citizen opening the form
never agrees to wording that has just been replaced.

A cache refresh is the one job these signals have; no workflow hangs on them.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save

from reservations import availability
from reservations.models import DocumentRule, Procedure, ProcedureQuestion, QuestionChoice

MASTER_DATA = (Procedure, DocumentRule, ProcedureQuestion, QuestionChoice)


def master_data_changed(sender, **kwargs) -> None:
    availability.changed()


def connect() -> None:
    for model in MASTER_DATA:
        uid = "master-data-%s" % model._meta.label_lower
        post_save.connect(master_data_changed, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(master_data_changed, sender=model, dispatch_uid=uid + "-delete")
    m2m_changed.connect(
        master_data_changed,
        sender=DocumentRule.applies_when.through,
        dispatch_uid="master-data-rule-conditions",
    )
