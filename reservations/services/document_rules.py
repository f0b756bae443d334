"""Master data whose changes need care: the document rules citizens agree to."""

from django.db import transaction

from reservations.models import DocumentRule


def document_rule_save(*, rule: DocumentRule, wording_changed: bool | None = None) -> DocumentRule:
    """Save a rule; a change of wording makes a new version (past consents keep theirs).

    The model numbers the version from the stored wording (``wording_changed`` is
    accepted for callers that know it, and not needed). The booking pages' cache of
    the rules is refreshed on commit, in every process (``master_data_signals``).
    """
    with transaction.atomic():
        rule.full_clean(exclude=["version"])
        rule.save()
    return rule
