"""Bookings: the reservation, its consents and answers, and its append-only events."""

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from reservations.models.places import Counter
from reservations.models.procedures import (
    DocumentRule,
    Procedure,
    ProcedureQuestion,
    QuestionChoice,
)


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
        location (else the department's), e.g. 「福祉課 5番窓口（本庁舎1階）」 (brackets
        as the language writes them)."""
        department = self.procedure.department
        location = self.counter.location or department.location
        place = "%s %s" % (department.name, self.counter.name)
        if not location:
            return place
        return gettext("%(place)s (%(location)s)") % {"place": place, "location": location}

    def change_deadline(self) -> dt.datetime:
        return self.procedure.change_deadline(self.start_at)

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
