"""At the counter: visits (booked or walk-in) and their events, the survey answers and
the enrolled kiosk devices."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reservations.models.bookings import Reservation, TimedEvent
from reservations.models.places import Counter
from reservations.models.procedures import Procedure


class VisitKind(models.TextChoices):
    BOOKED = "booked", _("Booked")
    WALK_IN = "walk_in", _("Walk-in")


class VisitStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    CALLED = "called", _("Called")
    SERVING = "serving", _("Being served")
    DONE = "done", _("Done")
    NO_SHOW = "no_show", _("No-show")


# The counter's state machine: action → (statuses it may start from, status it leads to).
VISIT_TRANSITIONS = {
    "call": ((VisitStatus.WAITING,), VisitStatus.CALLED),
    "recall": ((VisitStatus.CALLED,), VisitStatus.CALLED),
    "serve": ((VisitStatus.CALLED,), VisitStatus.SERVING),
    "done": ((VisitStatus.SERVING,), VisitStatus.DONE),
    "no_show": ((VisitStatus.CALLED,), VisitStatus.NO_SHOW),
    "transfer": ((VisitStatus.WAITING, VisitStatus.CALLED), VisitStatus.WAITING),
    # Marked a no-show by mistake, or came after all: back in the queue, in their place.
    "back": ((VisitStatus.NO_SHOW,), VisitStatus.WAITING),
}


class Visit(models.Model):
    """A citizen at the counter today: a checked-in booking or a walk-in ticket."""

    day = models.DateField(_("day"))
    kind = models.CharField(_("kind"), max_length=10, choices=VisitKind.choices)
    reservation = models.OneToOneField(
        Reservation,
        verbose_name=_("reservation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visit",
    )
    procedure = models.ForeignKey(
        Procedure, verbose_name=_("procedure"), on_delete=models.PROTECT, related_name="visits"
    )
    # A booking's visit belongs to its prepared clerk from the start; a walk-in waits for
    # whichever qualified clerk calls them first.
    staff = models.ForeignKey(
        "organization.StaffMember",
        verbose_name=_("clerk"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visits",
    )
    counter = models.ForeignKey(
        Counter,
        verbose_name=_("counter"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visits",
    )
    ticket = models.CharField(_("number"), max_length=8)
    status = models.CharField(_("status"), max_length=10, choices=VisitStatus.choices)
    expected_at = models.DateTimeField(_("booked for"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    called_at = models.DateTimeField(_("called at"), null=True, blank=True)
    serving_at = models.DateTimeField(_("serving since"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    no_show_at = models.DateTimeField(_("marked no-show at"), null=True, blank=True)
    recall_count = models.PositiveSmallIntegerField(_("recalls"), default=0)
    # Finished, but the procedure could not be completed (a missing document, say):
    # the citizen must come back. Not "completed on the first visit" on the dashboards.
    must_return = models.BooleanField(_("must come back"), default=False, db_default=False)
    survey_token = models.CharField(max_length=32, unique=True, editable=False)

    class Meta:
        ordering = ["day", "checked_in_at", "id"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        constraints = [
            models.UniqueConstraint(fields=["day", "ticket"], name="visit_ticket_unique_per_day")
        ]
        indexes = [
            models.Index(fields=["day", "status"], name="visit_day_status"),
            models.Index(fields=["staff", "status"], name="visit_staff_status"),
        ]

    def __str__(self):
        return "%s %s" % (self.ticket, self.procedure)

    def can(self, action: str) -> bool:
        allowed_from, _to = VISIT_TRANSITIONS[action]
        return self.status in allowed_from


class VisitEvent(TimedEvent):
    """Every change of a visit, with its time: wait and handling times come from here."""

    class Kind(models.TextChoices):
        CHECKED_IN = "checked_in", _("Checked in")
        CALLED = "called", _("Called")
        RECALLED = "recalled", _("Called again")
        SERVING = "serving", _("Service started")
        DONE = "done", _("Done")
        NO_SHOW = "no_show", _("No-show")
        TRANSFERRED = "transferred", _("Transferred")

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    note = models.CharField(max_length=200, blank=True)

    class Meta(TimedEvent.Meta):
        indexes = [
            models.Index(fields=["kind", "at"], name="visit_event_kind_at"),
            # The KPI rollup reads each visit's first call.
            models.Index(fields=["visit", "kind", "at"], name="visit_event_visit_kind_at"),
        ]


SCORE_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


class SurveyAnswer(models.Model):
    """A citizen's answer to the short survey after a visit: one per visit, no login.

    Linked to the visit (procedure, booked or walk-in, counter) for the KPIs; the
    dashboards show counts and shares only, never the comment or who answered.
    """

    visit = models.OneToOneField(
        Visit, verbose_name=_("visit"), on_delete=models.PROTECT, related_name="survey_answer"
    )
    answered_at = models.DateTimeField(_("answered at"), default=timezone.now)
    overall = models.PositiveSmallIntegerField(
        _("overall satisfaction"), validators=SCORE_VALIDATORS
    )
    waiting = models.PositiveSmallIntegerField(
        _("waiting time"), null=True, blank=True, validators=SCORE_VALIDATORS
    )
    staff = models.PositiveSmallIntegerField(
        _("staff"), null=True, blank=True, validators=SCORE_VALIDATORS
    )
    clarity = models.PositiveSmallIntegerField(
        _("clarity of the explanations"), null=True, blank=True, validators=SCORE_VALIDATORS
    )
    comment = models.TextField(_("comment"), blank=True)
    language = models.CharField(_("language"), max_length=8, default="ja")

    class Meta:
        ordering = ["-answered_at"]
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [
            models.CheckConstraint(
                condition=Q(overall__gte=1, overall__lte=5), name="survey_overall_1_to_5"
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{"%s__isnull" % name: True})
                    | Q(**{"%s__gte" % name: 1, "%s__lte" % name: 5}),
                    name="survey_%s_1_to_5" % name,
                )
                for name in ("waiting", "staff", "clarity")
            ),
        ]
        indexes = [models.Index(fields=["answered_at"], name="survey_answered_at")]

    def __str__(self):
        return "%s: %s" % (self.visit_id, self.overall)


class KioskDevice(models.Model):
    """A browser enrolled as the check-in kiosk of the waiting area.

    The browser holds only a long random token in an HttpOnly cookie, never a staff
    session; the database keeps its SHA-256 (the token has 256 random bits, so a plain
    hash is enough and a stolen database row cannot be replayed). Revoking it in the
    admin ends it at the next request.
    """

    name = models.CharField(_("name"), max_length=80)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        "organization.StaffMember",
        verbose_name=_("enrolled by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("enrolled at"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("kiosk device")
        verbose_name_plural = _("kiosk devices")

    def __str__(self):
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
