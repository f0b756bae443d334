"""Personal data over time: who saw it, and blanking it after the retention period."""

import datetime as dt

from django.db import transaction

from complaints.models import Complaint, ComplaintEvent, Status
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
    retention cutoff, and the text of their timeline entries that quote the citizen
    (the only change the timeline's triggers allow). What happened, root cause,
    countermeasure and every date stay for the knowledge base and the KPIs."""
    old = Complaint.objects.filter(status=Status.CLOSED, closed_at__lt=cutoff(now)).exclude(
        citizen_name="", citizen_contact="", reservation__isnull=True
    )
    ids = list(old.values_list("pk", flat=True))
    Complaint.objects.filter(pk__in=ids).update(
        citizen_name="", citizen_contact="", reservation=None
    )
    ComplaintEvent.objects.filter(complaint_id__in=ids, personal=True).exclude(text="").update(
        text=""
    )
    return len(ids)
