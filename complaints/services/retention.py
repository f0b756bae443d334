"""Personal data over time: who saw it, and blanking it after the retention period."""

import datetime as dt

from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from complaints import textsearch
from complaints.models import Complaint, ComplaintEvent, Pause, Report, Status
from complaints.redaction import CASE_TEXTS, ESCALATION_TEXTS, for_complaint
from organization.retention import cutoff
from organization.services import access_log_read


def personal_data_access_log(*, complaint: Complaint, user, view: str) -> None:
    """Write who saw this complaint's personal data to the app's access log, outside a
    request. Pages call ``organization.services.access_log_read(request, …)`` directly,
    which keeps the page's name and the client's address too."""
    access_log_read(user, objects=[complaint], view=view)


@transaction.atomic
def complaints_anonymise(*, now: dt.datetime | None = None) -> int:
    """Blank the citizen's name, contact and booking of complaints closed before the
    retention cutoff, and every text staff wrote that may name or quote the citizen: the
    first response, the reports, the pauses' reasons and the timeline entries marked
    personal (the only change the timeline's triggers allow). What happened, the
    departments' answers, root cause, countermeasure and every date stay for the
    knowledge base and the KPIs, with the name, the contact, telephone numbers and
    e-mail addresses taken out of them first (``complaints.redaction``): once the name is
    blanked, it could no longer be found in them."""

    def left(rows, **blank):
        return Exists(rows.filter(complaint=OuterRef("pk")).exclude(**blank))

    old = Complaint.objects.filter(status=Status.CLOSED, closed_at__lt=cutoff(now)).filter(
        ~Q(citizen_name="")
        | ~Q(citizen_kana="")
        | ~Q(citizen_contact="")
        | Q(reservation__isnull=False)
        | ~Q(first_response="")
        | left(Report.objects, body="")
        | left(Pause.objects, reason="")
        | left(ComplaintEvent.objects.filter(personal=True), text="")
    )
    ids = list(old.values_list("pk", flat=True))
    _redact_stored_texts(ids)
    Complaint.objects.filter(pk__in=ids).update(
        citizen_name="", citizen_kana="", citizen_contact="", reservation=None, first_response=""
    )
    Report.objects.filter(complaint_id__in=ids).exclude(body="").update(body="")
    Pause.objects.filter(complaint_id__in=ids).exclude(reason="").update(reason="")
    ComplaintEvent.objects.filter(complaint_id__in=ids, personal=True).exclude(text="").update(
        text="", parts={}
    )
    return len(ids)


def _redact_stored_texts(ids: list[int]) -> None:
    """Rewrite the kept texts of these complaints and their departments' answers without
    the citizen's name and contact, and their search index with them."""
    for complaint in Complaint.objects.filter(pk__in=ids).prefetch_related("escalations"):
        redact = for_complaint(complaint)
        for name in CASE_TEXTS:
            setattr(complaint, name, redact(getattr(complaint, name)))
        complaint.search_index = textsearch.complaint_index(complaint)
        complaint.save(update_fields=[*CASE_TEXTS, "search_index"])
        for escalation in complaint.escalations.all():
            for name in ESCALATION_TEXTS:
                setattr(escalation, name, redact(getattr(escalation, name)))
            escalation.save(update_fields=list(ESCALATION_TEXTS))
