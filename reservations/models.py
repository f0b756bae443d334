import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from organization.models import TranslatedTextsMixin


class Procedure(TranslatedTextsMixin, models.Model):
    code = models.SlugField(
        _("code"), max_length=40, unique=True, help_text=_("Used in the booking address.")
    )
    name = models.CharField(pgettext_lazy("title of a thing", "name"), max_length=120)
    department = models.ForeignKey(
        "organization.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="procedures",
    )
    description = models.TextField(_("description"), blank=True)
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"),
        default=30,
        validators=[MinValueValidator(5), MaxValueValidator(480)],
    )
    slot_interval_minutes = models.PositiveSmallIntegerField(
        _("start every (minutes)"),
        default=30,
        validators=[MinValueValidator(5), MaxValueValidator(240)],
        help_text=_("Bookable start times follow this step from the start of each shift."),
    )
    booking_horizon_days = models.PositiveSmallIntegerField(
        _("bookable days ahead"),
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(366)],
    )
    lead_time_minutes = models.PositiveIntegerField(
        _("book at least (minutes before)"),
        default=60,
        help_text=_("The latest a booking can be made before its start."),
    )
    change_cutoff_minutes = models.PositiveIntegerField(
        _("cancel or change until (minutes before)"),
        default=120,
        help_text=_("After this, the citizen must phone the department to change or cancel."),
    )
    requires_email_confirmation = models.BooleanField(
        _("requires e-mail confirmation"),
        default=False,
        help_text=_(
            "The booking is held for 15 minutes until the citizen confirms it from the e-mail."
        ),
    )
    qualified_staff = models.ManyToManyField(
        "organization.StaffMember",
        verbose_name=_("qualified staff"),
        related_name="qualified_procedures",
        blank=True,
    )
    is_active = models.BooleanField(_("bookable online"), default=True)
    display_order = models.PositiveSmallIntegerField(_("display order"), default=100)

    class Meta:
        ordering = ["display_order", "code"]
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")

    def __str__(self):
        return self.name

    @property
    def duration(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.duration_minutes)


MAX_QUESTIONS_PER_PROCEDURE = 3


class ProcedureQuestion(models.Model):
    """A question asked before the documents (「どなたが申請しますか」), whose answer
    decides which document rules apply to the applicant (see ``requirements.py``)."""

    procedure = models.ForeignKey(
        Procedure,
        verbose_name=_("procedure"),
        on_delete=models.CASCADE,
        related_name="questions",
    )
    label = models.CharField(_("question"), max_length=200)
    display_order = models.PositiveSmallIntegerField(_("display order"), default=100)

    class Meta:
        ordering = ["display_order", "id"]
        verbose_name = _("question before the documents")
        verbose_name_plural = _("questions before the documents")

    def __str__(self):
        return self.label

    def clean(self):
        others = ProcedureQuestion.objects.filter(procedure_id=self.procedure_id)
        if self.pk:
            others = others.exclude(pk=self.pk)
        if self.procedure_id and others.count() >= MAX_QUESTIONS_PER_PROCEDURE:
            raise ValidationError(
                _("A procedure asks at most %(count)d questions.")
                % {"count": MAX_QUESTIONS_PER_PROCEDURE}
            )


class QuestionChoice(models.Model):
    """One answer a citizen can give to a question (「本人」, 「代理人」)."""

    question = models.ForeignKey(
        ProcedureQuestion,
        verbose_name=_("question"),
        on_delete=models.CASCADE,
        related_name="choices",
    )
    label = models.CharField(_("answer"), max_length=200)
    display_order = models.PositiveSmallIntegerField(_("display order"), default=100)

    class Meta:
        ordering = ["display_order", "id"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")

    def __str__(self):
        return "%s: %s" % (self.question.label, self.label)


class DocumentRule(TranslatedTextsMixin, models.Model):
    """A required-document rule the citizen must agree to before booking.

    Changing the text makes a new version, however it is saved: ``save()`` numbers it
    from the stored row, and a database trigger (migration 0008) does the same for
    writes that bypass ``save()``. Consents keep the wording and version agreed to.
    """

    procedure = models.ForeignKey(
        Procedure,
        verbose_name=_("procedure"),
        on_delete=models.CASCADE,
        related_name="document_rules",
    )
    text = models.TextField(_("rule"))
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    is_active = models.BooleanField(_("in force"), default=True)
    display_order = models.PositiveSmallIntegerField(_("display order"), default=100)
    # Empty: the rule applies to everyone. Otherwise it applies when, for each question
    # with a chosen answer here, the applicant gave one of them (see requirements.py).
    applies_when = models.ManyToManyField(
        QuestionChoice,
        verbose_name=_("applies only for these answers"),
        blank=True,
        related_name="rules",
        help_text=_(
            "Leave empty for a rule that applies to everyone. With answers chosen, the rule "
            "applies only to applicants who gave one of them (for each question concerned)."
        ),
    )

    class Meta:
        ordering = ["display_order", "id"]
        verbose_name = _("required-document rule")
        verbose_name_plural = _("required-document rules")

    def __str__(self):
        return self.text

    def save(self, *args, **kwargs):
        # The stored row, not this object, says which version is current: another
        # process may have changed the rule since this object was loaded. A change of
        # the wording in any language is a new version.
        if not self._state.adding and self.pk is not None:
            columns = rule_text_columns()
            stored = type(self).objects.filter(pk=self.pk).values_list(*columns, "version").first()
            if stored is not None:
                *texts, version = stored
                changed = tuple(texts) != tuple(getattr(self, column) for column in columns)
                self.version = version + 1 if changed else version
                update_fields = kwargs.get("update_fields")
                if update_fields is not None:
                    kwargs["update_fields"] = {*update_fields, "version"}
        super().save(*args, **kwargs)


def rule_text_columns() -> list[str]:
    """The rule's wording in each language (``text_ja``, ``text_en`` …)."""
    from modeltranslation.utils import build_localized_fieldname

    return [build_localized_fieldname("text", code) for code, _name in settings.LANGUAGES]


class Counter(TranslatedTextsMixin, models.Model):
    """A counter window where a clerk serves citizens."""

    name = models.CharField(pgettext_lazy("title of a thing", "name"), max_length=60)
    department = models.ForeignKey(
        "organization.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="counters",
    )
    location = models.CharField(
        _("location"),
        max_length=200,
        blank=True,
        help_text=_("Where citizens find it, e.g. 本庁舎1階. Empty: the department's location."),
    )
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["department__display_order", "name"]
        verbose_name = _("counter")
        verbose_name_plural = _("counters")

    def __str__(self):
        return self.name


class Shift(models.Model):
    """A staff member at a counter on one day, in local (Japan) time."""

    staff = models.ForeignKey(
        "organization.StaffMember",
        verbose_name=_("staff member"),
        on_delete=models.CASCADE,
        related_name="shifts",
    )
    counter = models.ForeignKey(
        Counter, verbose_name=_("counter"), on_delete=models.PROTECT, related_name="shifts"
    )
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("until"))

    class Meta:
        ordering = ["date", "start_time"]
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=models.F("start_time")), name="shift_ends_after_start"
            ),
            models.UniqueConstraint(
                fields=["staff", "date", "start_time"], name="shift_unique_start"
            ),
        ]
        indexes = [models.Index(fields=["date", "staff"], name="shift_date_staff")]

    def __str__(self):
        return "%s %s %s–%s" % (
            self.staff,
            self.date,
            self.start_time.strftime("%H:%M"),
            self.end_time.strftime("%H:%M"),
        )

    def clean(self):
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            raise ValidationError({"end_time": _("A shift must end after it starts.")})
        if not (self.staff_id and self.date and self.start_time and self.end_time):
            return
        overlapping = Shift.objects.filter(
            staff_id=self.staff_id,
            date=self.date,
            start_time__lt=self.end_time,
            end_time__gt=self.start_time,
        ).exclude(pk=self.pk)
        if overlapping.exists():
            raise ValidationError(_("This staff member already has a shift at that time."))


class ClosedDay(TranslatedTextsMixin, models.Model):
    """A day the counters are closed besides public holidays and the year-end closure."""

    date = models.DateField(_("date"), unique=True)
    reason = models.CharField(_("reason"), max_length=120)

    class Meta:
        ordering = ["date"]
        verbose_name = _("closed day")
        verbose_name_plural = _("closed days")

    def __str__(self):
        return "%s %s" % (self.date, self.reason)


class ReservationStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting e-mail confirmation")
    CONFIRMED = "confirmed", _("Booked")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Not confirmed in time")


# Statuses that no longer hold the clerk's time. Every other status holds it; the
# database refuses two holding reservations of one clerk that overlap (see migration 0002).
RELEASED_STATUSES = (ReservationStatus.CANCELLED, ReservationStatus.EXPIRED)
# Statuses that count as "an active booking" of a person for the one-per-person rule.
OPEN_STATUSES = (ReservationStatus.PENDING, ReservationStatus.CONFIRMED)


class Channel(models.TextChoices):
    WEB = "web", _("Online")
    PHONE = "phone", _("By telephone (staff)")


class ReservationQuerySet(models.QuerySet):
    def holding(self, *, now: dt.datetime):
        """Reservations that occupy their clerk's time as seen by citizens at ``now``.

        Besides holding statuses: a hold awaiting confirmation only until it lapses, and a
        cancelled slot until its delayed re-release (against slot trading).
        """
        return self.filter(
            (~Q(status__in=RELEASED_STATUSES) & ~Q(status=ReservationStatus.PENDING))
            | Q(status=ReservationStatus.PENDING, hold_expires_at__gt=now)
            | Q(status=ReservationStatus.CANCELLED, release_at__gt=now)
        )


class Reservation(models.Model):
    procedure = models.ForeignKey(
        Procedure,
        verbose_name=_("procedure"),
        on_delete=models.PROTECT,
        related_name="reservations",
    )
    staff = models.ForeignKey(
        "organization.StaffMember",
        verbose_name=_("assigned staff member"),
        on_delete=models.PROTECT,
        related_name="reservations",
    )
    counter = models.ForeignKey(
        Counter, verbose_name=_("counter"), on_delete=models.PROTECT, related_name="reservations"
    )
    start_at = models.DateTimeField(_("starts at"))
    end_at = models.DateTimeField(_("ends at"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ReservationStatus.choices,
        default=ReservationStatus.CONFIRMED,
    )
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.WEB
    )
    code = models.CharField(_("booking code"), max_length=9, unique=True)
    manage_nonce = models.CharField(max_length=24, editable=False)
    citizen_name = models.CharField(_("name"), max_length=100)
    citizen_kana = models.CharField(_("reading in kana"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    # Normalised contact, for the one-active-booking-per-person rule.
    email_key = models.CharField(max_length=254, blank=True, db_index=True, editable=False)
    phone_key = models.CharField(max_length=20, blank=True, db_index=True, editable=False)
    language = models.CharField(
        _("language"), max_length=8, default="ja", help_text=_("E-mails are written in it.")
    )
    hold_expires_at = models.DateTimeField(_("held until"), null=True, blank=True)
    release_at = models.DateTimeField(_("slot released at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    rescheduled_to = models.OneToOneField(
        "self",
        verbose_name=_("moved to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rescheduled_from",
    )
    # One calendar event per booking across its changes: a moved booking keeps the UID of
    # the one it replaces, with a higher SEQUENCE, so the citizen's calendar moves the
    # event (RFC 5545); a cancellation raises it again. Blank on bookings made before.
    calendar_uid = models.CharField(max_length=80, blank=True, default="", editable=False)
    calendar_sequence = models.PositiveIntegerField(default=0, editable=False)
    # The code of the letter (or other invitation) the citizen booked through, if any.
    referral_code = models.CharField(_("booked through"), max_length=20, blank=True)
    # The key the booking form carried (one per form shown): the same POST sent again,
    # after a lost answer or a double click, gets this booking back instead of a second.
    idempotency_key = models.CharField(
        _("request key"), max_length=64, blank=True, default="", editable=False
    )
    booked_by = models.ForeignKey(
        "organization.StaffMember",
        verbose_name=_("booked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("booked at"), default=timezone.now, editable=False)

    objects = ReservationQuerySet.as_manager()

    class Meta:
        ordering = ["start_at"]
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_at__gt=models.F("start_at")), name="reservation_ends_after_start"
            ),
            models.CheckConstraint(
                condition=~Q(email_key="") | ~Q(phone_key=""),
                name="reservation_has_contact",
            ),
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="reservation_idempotency_key_once",
            ),
        ]
        indexes = [
            models.Index(fields=["staff", "start_at"], name="reservation_staff_start"),
            models.Index(fields=["start_at"], name="reservation_start"),
            models.Index(fields=["status", "hold_expires_at"], name="reservation_status_hold"),
            # What the KPI rollup reads to find the days that changed since its last run.
            models.Index(fields=["created_at"], name="reservation_created"),
            models.Index(fields=["cancelled_at"], name="reservation_cancelled"),
            models.Index(fields=["referral_code"], name="reservation_referral"),
        ]

    def __str__(self):
        return "%s %s" % (self.code, self.procedure)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def place(self) -> str:
        """Where to go, in the active language: department, counter and the counter's
        location (else the department's), e.g. 「福祉課 5番窓口 (本庁舎1階)」."""
        department = self.procedure.department
        location = self.counter.location or department.location
        place = "%s %s" % (department.name, self.counter.name)
        return "%s (%s)" % (place, location) if location else place

    def change_deadline(self) -> dt.datetime:
        return self.start_at - dt.timedelta(minutes=self.procedure.change_cutoff_minutes)

    def can_change(self, *, now: dt.datetime) -> bool:
        return self.is_open and now < self.change_deadline()


class ConsentRecord(models.Model):
    """The exact wording of a document rule a citizen agreed to, and when."""

    reservation = models.ForeignKey(Reservation, on_delete=models.CASCADE, related_name="consents")
    rule = models.ForeignKey(
        DocumentRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rule_text = models.TextField(_("rule as agreed"))
    rule_version = models.PositiveIntegerField(_("rule version"))
    agreed_at = models.DateTimeField(_("agreed at"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self):
        return self.rule_text


class BookingAnswer(models.Model):
    """An answer the citizen gave before the documents, as asked (wording and ids): with
    the consents it records which rules were shown to them and why."""

    reservation = models.ForeignKey(Reservation, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(
        ProcedureQuestion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    choice = models.ForeignKey(
        QuestionChoice, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    question_text = models.CharField(_("question as asked"), max_length=200)
    choice_text = models.CharField(_("answer given"), max_length=200)

    class Meta:
        ordering = ["id"]
        verbose_name = _("answer before the documents")
        verbose_name_plural = _("answers before the documents")

    def __str__(self):
        return "%s: %s" % (self.question_text, self.choice_text)


class TimedEvent(models.Model):
    """Something that happened, when, and which staff member did it (if any)."""

    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        "organization.StaffMember",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    def __str__(self):
        return "%s %s" % (self.kind, self.at)


class ReservationEvent(TimedEvent):
    """What happened to a booking and when: the record KPIs are computed from."""

    class Kind(models.TextChoices):
        BOOKED = "booked", _("Booked")
        CONFIRMED = "confirmed", _("Confirmed by e-mail")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Hold lapsed")
        RESCHEDULED = "rescheduled", _("Moved to another time")
        REMINDED = "reminded", _("Reminder sent")
        LINK_SENT = "link_sent", _("Link sent again")
        LINK_SHOWN = "link_shown", _("Found by code, phone and date")

    reservation = models.ForeignKey(Reservation, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)

    class Meta(TimedEvent.Meta):
        indexes = [models.Index(fields=["kind", "at"], name="reservation_event_kind_at")]


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
