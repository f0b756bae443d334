"""Complaints (苦情): recorded, assessed by a severity policy, escalated to departments with
a role each, reported on by deadlines in business days, approved and closed.

The process follows JIS Q 10002 / ISO 10002: receive → track → acknowledge → assess →
investigate → respond → close, then analysis (the knowledge base, the KPIs).
"""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from complaints.models.reference import (
    LEVELS,
    Category,
    Damage,
    Emotion,
    Reach,
    Repeat,
    level_validators,
)
from organization.models import AppendOnlyError


class Channel(models.TextChoices):
    COUNTER = "counter", _("At the counter")
    PHONE = "phone", _("Telephone")
    EMAIL = "email", pgettext_lazy("complaint channel", "E-mail")
    LETTER = "letter", _("Letter")
    WEB = "web", _("Web form")


class CitizenState(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied with the answer")
    CALMED = "calmed", _("Calmed down, waiting for our answer")
    DISSATISFIED = "dissatisfied", _("Still dissatisfied")
    ANGRY = "angry", _("Still angry")


class Status(models.TextChoices):
    OPEN = "open", _("Received")
    INVESTIGATING = "investigating", _("Being investigated")
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting closing approval")
    CLOSED = "closed", pgettext_lazy("complaint status", "Closed")


class Complaint(models.Model):
    # What was received, how and when.
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    # Personal data: shown only to those who need to know, every view logged.
    citizen_name = models.CharField(_("citizen's name"), max_length=100, blank=True)
    citizen_kana = models.CharField(
        _("reading of the citizen's name"),
        max_length=100,
        blank=True,
        help_text=_(
            "In kana, e.g. やまだ たろう: it is taken out of what departments without the "
            "need to know read, like the name."
        ),
    )
    citizen_contact = models.CharField(
        _("citizen's contact"),
        max_length=200,
        blank=True,
        help_text=_("Telephone, e-mail or address, as the citizen wishes to be answered."),
    )
    reservation = models.ForeignKey(
        "reservations.Reservation",
        verbose_name=_("booking"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="complaints",
    )
    # What it is about.
    department = models.ForeignKey(
        "organization.Department",
        verbose_name=_("department concerned"),
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    procedure = models.ForeignKey(
        "reservations.Procedure",
        verbose_name=_("procedure"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="complaints",
    )
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="complaints"
    )
    summary = models.CharField(_("summary"), max_length=200)
    description = models.TextField(
        _("what happened"),
        help_text=_(
            "Facts only, without the citizen's name or contact: departments asked for "
            "information read this."
        ),
    )
    first_response = models.TextField(_("first response given"), blank=True)
    citizen_state = models.CharField(
        _("citizen's state"), max_length=16, choices=CitizenState.choices
    )
    # Severity: the policy's answer from the four factors, and the level in force.
    damage = models.CharField(_("damage"), max_length=16, choices=Damage.choices)
    reach = models.CharField(_("reach"), max_length=16, choices=Reach.choices)
    emotion = models.CharField(_("citizen's emotion"), max_length=16, choices=Emotion.choices)
    repeat = models.CharField(_("repeat"), max_length=16, choices=Repeat.choices)
    policy_level = models.PositiveSmallIntegerField(
        _("level by the policy"), choices=LEVELS, validators=level_validators
    )
    level = models.PositiveSmallIntegerField(
        _("level"), choices=LEVELS, validators=level_validators
    )
    # Who and where it stands.
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    recorded_by = models.ForeignKey(
        "organization.StaffMember",
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="complaints_recorded",
    )
    handler = models.ForeignKey(
        "organization.StaffMember",
        verbose_name=_("handled by"),
        on_delete=models.PROTECT,
        related_name="complaints_handled",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    # Deadlines, kept by the services from the level, the reports and the pauses (stored
    # so that lists, the overdue job and the KPIs read them in SQL).
    initial_report_due = models.DateField(_("initial report due"), null=True, blank=True)
    next_progress_due = models.DateField(_("next progress report due"), null=True, blank=True)
    closing_report_due = models.DateField(_("closing report due"), null=True, blank=True)
    paused_since = models.DateTimeField(_("clock paused since"), null=True, blank=True)
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)
    closing_requested_by = models.ForeignKey(
        "organization.StaffMember",
        verbose_name=_("closing requested by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Calendar days from received to closed, set when the closing is approved (the KPI
    # "time to close" reads it without date arithmetic in SQL).
    days_to_close = models.PositiveIntegerField(_("days to close"), null=True, blank=True)
    # Copied from the owner's answer when the closing is approved: the knowledge base.
    root_cause = models.TextField(_("root cause"), blank=True)
    countermeasure = models.TextField(_("countermeasure"), blank=True)
    # The knowledge search's index of a closed case: lemmas and readings of its text
    # (complaints/textsearch.py), written when the closing is approved.
    search_index = models.TextField(blank=True, default="", editable=False)
    # The complaint's number, 年度-連番: the fiscal year (April–March) it was received in
    # and its serial within that year. Empty for complaints recorded before numbering by
    # fiscal year (they keep their calendar-year reference).
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"), null=True, blank=True)
    serial = models.PositiveIntegerField(_("serial number"), null=True, blank=True)
    # The key of the intake form that recorded it: the same form sent twice (a double
    # click on a slow connection) records one complaint, not two.
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        indexes = [
            models.Index(fields=["status", "received_at"], name="complaint_status_received"),
            models.Index(fields=["department", "status"], name="complaint_department_status"),
            models.Index(fields=["closed_at"], name="complaint_closed_at"),
            models.Index(fields=["received_at"], name="complaint_received_at"),
            models.Index(
                fields=["category", "department", "closed_at"], name="complaint_recurrence"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=4, policy_level__gte=1, policy_level__lte=4),
                name="complaint_level_range",
            ),
            models.CheckConstraint(
                condition=Q(status="closed", closed_at__isnull=False) | ~Q(status="closed"),
                name="complaint_closed_has_time",
            ),
            models.UniqueConstraint(
                fields=["fiscal_year", "serial"], name="complaint_number_unique"
            ),
        ]

    def __str__(self):
        return "%s %s" % (self.reference, self.summary)

    def get_absolute_url(self):
        return reverse("complaints:detail", args=[self.pk])

    @property
    def reference(self) -> str:
        """年度-連番 (2026-0012: the 12th complaint of fiscal year 2026)."""
        if self.fiscal_year and self.serial:
            return "%d-%04d" % (self.fiscal_year, self.serial)
        return "%d-%05d" % (timezone.localtime(self.received_at).year, self.pk or 0)

    @property
    def is_closed(self) -> bool:
        return self.status == Status.CLOSED

    @property
    def is_paused(self) -> bool:
        return self.paused_since is not None

    def overdue_reports(self, today) -> list[str]:
        """Names of the reports whose deadline has passed (none while the clock is paused)."""
        if self.is_closed or self.is_paused:
            return []
        due = [
            (self.initial_report_due, _("initial report")),
            (self.next_progress_due, _("progress report")),
            (self.closing_report_due, _("closing report")),
        ]
        return [str(name) for day, name in due if day and day < today]


class EscalationRole(models.TextChoices):
    INFORMATION = "information", _("Information only")
    JOINT = "joint", _("Joint investigation")
    OWNER = "owner", _("Owner of the countermeasure")


class Escalation(models.Model):
    """A department asked to take part, with its role, its due date and its answer."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="escalations")
    department = models.ForeignKey(
        "organization.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="escalations",
    )
    role = models.CharField(_("role"), max_length=16, choices=EscalationRole.choices)
    request = models.TextField(_("what is asked"))
    due_on = models.DateField(_("answer due"))
    requested_by = models.ForeignKey(
        "organization.StaffMember", on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    response = models.TextField(_("answer"), blank=True)
    root_cause = models.TextField(_("root cause"), blank=True)
    countermeasure = models.TextField(_("countermeasure"), blank=True)
    responded_by = models.ForeignKey(
        "organization.StaffMember",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "id"]
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        constraints = [
            models.UniqueConstraint(
                fields=["complaint", "department"], name="escalation_one_per_department"
            ),
            models.UniqueConstraint(
                fields=["complaint"], condition=Q(role="owner"), name="escalation_one_owner"
            ),
        ]
        indexes = [
            models.Index(fields=["department", "responded_at"], name="escalation_dept_open"),
        ]

    def __str__(self):
        return "%s → %s (%s)" % (self.complaint_id, self.department, self.get_role_display())

    @property
    def is_answered(self) -> bool:
        return self.responded_at is not None

    def is_overdue(self, today) -> bool:
        return not self.is_answered and self.due_on < today


class ReportKind(models.TextChoices):
    INITIAL = "initial", _("Initial report")
    PROGRESS = "progress", _("Progress report")
    CLOSING = "closing", _("Closing report")


class Report(models.Model):
    """A report on the complaint to those who must be told, against its deadline."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="reports")
    kind = models.CharField(_("report"), max_length=16, choices=ReportKind.choices)
    body = models.TextField(_("report"))
    due_on = models.DateField(_("due"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    # Submitted on or before its due date; None when it had no deadline.
    on_time = models.BooleanField(_("on time"), null=True, blank=True)
    author = models.ForeignKey(
        "organization.StaffMember", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["submitted_at", "id"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        indexes = [models.Index(fields=["submitted_at"], name="complaint_report_submitted")]

    def __str__(self):
        return "%s %s" % (self.get_kind_display(), self.submitted_at)

    def save(self, *args, **kwargs):
        if self.due_on is not None:
            self.on_time = timezone.localdate(self.submitted_at) <= self.due_on
        super().save(*args, **kwargs)


class Pause(models.Model):
    """The deadline clock stood still, e.g. while waiting for the citizen's documents."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="pauses")
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200)

    class Meta:
        ordering = ["started_at", "id"]
        verbose_name = _("pause")
        verbose_name_plural = _("pauses")
        constraints = [
            models.UniqueConstraint(
                fields=["complaint"],
                condition=Q(ended_at__isnull=True),
                name="complaint_one_open_pause",
            )
        ]

    def __str__(self):
        return "%s–%s" % (self.started_at, self.ended_at or "")


class EventKind(models.TextChoices):
    CREATED = "created", _("Recorded")
    NOTE = "note", _("Internal note")
    REPLY = "reply", _("Reply to the citizen")
    ESCALATED = "escalated", _("Escalated")
    RESPONDED = "responded", _("Department answered")
    REPORT = "report", _("Report submitted")
    LEVEL_CHANGED = "level_changed", _("Level changed")
    PAUSED = "paused", _("Clock paused")
    RESUMED = "resumed", _("Clock resumed")
    CLOSING_REQUESTED = "closing_requested", _("Closing requested")
    APPROVAL_REFUSED = "approval_refused", _("Closing sent back")
    APPROVED = "approved", _("Closing approved")
    REOPENED = "reopened", _("Reopened")
    CITIZEN_STATE = "citizen_state", _("Citizen's state updated")


# Entries whose text staff write about the case for their own side (notes, replies, reports,
# the reasons of a pause, a change of level, a closing, its approval or refusal, a
# reopening, the citizen's state): they may quote or name the citizen, so they are
# personal. What is written for the departments asked (the request, their answers) and
# the system's own entries are not.
QUOTING_KINDS = frozenset(
    {
        EventKind.NOTE,
        EventKind.REPLY,
        EventKind.REPORT,
        EventKind.LEVEL_CHANGED,
        EventKind.PAUSED,
        EventKind.CLOSING_REQUESTED,
        EventKind.APPROVAL_REFUSED,
        EventKind.APPROVED,
        EventKind.REOPENED,
        EventKind.CITIZEN_STATE,
    }
)


class ComplaintEvent(models.Model):
    """The append-only timeline. The database refuses updates and deletes as well
    (triggers, config/db_guards.py); ``save`` and ``delete`` refuse them first with a clear
    error."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("event"), max_length=20, choices=EventKind.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(
        "organization.StaffMember",
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    text = models.TextField(_("text"), blank=True)
    # What the system wrote, as parts (complaints/timeline.py), so that each reader reads
    # it in their own language; ``text`` keeps it as recorded. Empty for staff's own
    # texts and for entries recorded before it existed.
    parts = models.JSONField(_("parts"), default=dict, blank=True)
    # Other departments may read the timeline: entries that may quote the citizen
    # (QUOTING_KINDS) are marked personal and shown only to those who may see personal
    # data; the retention job blanks their text.
    personal = models.BooleanField(default=False)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline")
        indexes = [models.Index(fields=["kind", "at"], name="complaint_event_kind_at")]

    def __str__(self):
        return "%s %s" % (self.get_kind_display(), self.at)

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("The complaint timeline is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The complaint timeline is append-only.")


class OverdueNotice(models.Model):
    """The marker that an overdue item's e-mail went out today: never twice a day."""

    class Item(models.TextChoices):
        INITIAL = "initial", _("Initial report")
        PROGRESS = "progress", _("Progress report")
        CLOSING = "closing", _("Closing report")
        ESCALATION = "escalation", _("Department's answer")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="+")
    item = models.CharField(max_length=16, choices=Item.choices)
    object_id = models.PositiveBigIntegerField()
    day = models.DateField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["item", "object_id", "day"], name="overdue_notice_once_a_day"
            )
        ]

    def __str__(self):
        return "%s %s %s" % (self.item, self.object_id, self.day)


class ComplaintNumber(models.Model):
    """The last serial given in a fiscal year: the row is locked while a complaint takes
    the next one, so two complaints recorded at once never get the same number."""

    fiscal_year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return "%s: %s" % (self.fiscal_year, self.last)
