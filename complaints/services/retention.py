"""Personal data over time: who saw it, and blanking it after the retention period."""

import datetime as dt

from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from complaints.models import Complaint, ComplaintEvent, Pause, Report, Status
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
    knowledge base and the KPIs."""

    def left(rows, **blank):
        return Exists(rows.filter(complaint=OuterRef("pk")).exclude(**blank))

    old = Complaint.objects.filter(status=Status.CLOSED, closed_at__lt=cutoff(now)).filter(
        ~Q(citizen_name="")
        | ~Q(citizen_contact="")
        | Q(reservation__isnull=False)
        | ~Q(first_response="")
        | left(Report.objects, body="")
        | left(Pause.objects, reason="")
        | left(ComplaintEvent.objects.filter(personal=True), text="")
    )
    ids = list(old.values_list("pk", flat=True))
    Complaint.objects.filter(pk__in=ids).update(
        citizen_name="", citizen_contact="", reservation=None, first_response=""
    )
    Report.objects.filter(complaint_id__in=ids).exclude(body="").update(body="")
    Pause.objects.filter(complaint_id__in=ids).exclude(reason="").update(reason="")
    ComplaintEvent.objects.filter(complaint_id__in=ids, personal=True).exclude(text="").update(
        text="", parts={}
    )
    return len(ids)
