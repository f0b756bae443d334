"""The satisfaction survey after a visit: one answer per visit, from the receipt's QR
code or the e-mailed link, no login."""

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reservations.models import SurveyAnswer, Visit, VisitStatus


class SurveyClosed(Exception):
    """The survey of this visit cannot be answered (any more); ``message`` says why."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def survey_state(visit: Visit, *, now: dt.datetime | None = None) -> str:
    """ "open", "answered", "not_done" (the visit is not finished yet) or "expired"."""
    now = now or timezone.now()
    if hasattr(visit, "survey_answer"):
        return "answered"
    if visit.status != VisitStatus.DONE or visit.done_at is None:
        return "not_done"
    if now > visit.done_at + dt.timedelta(days=settings.SURVEY_OPEN_DAYS):
        return "expired"
    return "open"


_CLOSED_MESSAGES = {
    "answered": _("This visit's survey has already been answered. Thank you."),
    "not_done": _("The survey opens when your visit is finished."),
    "expired": _("This survey has closed: answers are taken for %(days)s days after a visit."),
}


def survey_answer_submit(
    *,
    visit: Visit,
    overall: int,
    waiting: int | None = None,
    staff: int | None = None,
    clarity: int | None = None,
    comment: str = "",
    language: str = "ja",
    now: dt.datetime | None = None,
) -> SurveyAnswer:
    """Store the answer once. A second answer (a double tap, a second tab) is refused by
    the database's one-answer-per-visit key, not only by this check."""
    now = now or timezone.now()
    state = survey_state(visit, now=now)
    if state != "open":
        raise SurveyClosed(_CLOSED_MESSAGES[state] % {"days": settings.SURVEY_OPEN_DAYS})
    answer = SurveyAnswer(
        visit=visit,
        answered_at=now,
        overall=overall,
        waiting=waiting,
        staff=staff,
        clarity=clarity,
        comment=comment.strip()[:2000],
        language=language[:8],
    )
    answer.full_clean(exclude=["visit"])
    try:
        with transaction.atomic():
            answer.save()
    except IntegrityError as exc:
        raise SurveyClosed(_CLOSED_MESSAGES["answered"]) from exc
    return answer
