"""KPI rollups, quarterly targets and the PDCA review records.

Why rollups: the counter KPIs are read over a million visits and reservations, and a
dashboard must answer within 300 ms whatever the period. So one row per day, procedure
and kind of visit (``DailyFact``) keeps the counts, sums and minute histograms the KPIs
need, rebuilt for the days that changed by a Celery job every few minutes, and summed
per month (``MonthlyFact``), which is what the pages read (see ``dashboards/rollup.py``).
Complaints and letters are far fewer and read live.
"""

import datetime as dt
from itertools import zip_longest

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Waiting and handling times are kept as histograms of whole minutes: bucket i counts
# the visits of i minutes, the last bucket all of HIST_MINUTES minutes or more. P50 and
# P90 are then exact to the minute for any set of days, procedures and kinds.
HIST_MINUTES = 180
# A letter counts as converted when its resident books within this window of its mailing
# (the funnel and the rollup's letter facts; 集計中 until it has passed).
LETTER_WINDOW = dt.timedelta(days=30)


def hist_add(total: list[int] | None, more: list[int]) -> list[int]:
    """The bucket-wise sum of two minute histograms; ``total`` None is an empty one."""
    return [a + b for a, b in zip_longest(total or [0] * (HIST_MINUTES + 1), more, fillvalue=0)]


class Facts(models.Model):
    """The counts, sums and histograms of one procedure and one kind of visit."""

    procedure = models.ForeignKey(
        "reservations.Procedure", on_delete=models.CASCADE, related_name="+"
    )
    department = models.ForeignKey(
        "organization.Department", on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=10)  # reservations.VisitKind
    # Visits of the day: came (not a no-show), finished, no-shows.
    visits = models.PositiveIntegerField(default=0)
    # Of the visits that came, those booked online by the citizen (web, not a telephone
    # booking a clerk entered): the online booking share.
    online_visits = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    # Done and completed on the first visit: the clerk did not mark "must come back",
    # and (where the citizen is known, from their booking's e-mail or phone) no second
    # visit for the same procedure followed within FIRST_VISIT_DAYS days.
    first_visit_done = models.PositiveIntegerField(default=0)
    no_shows = models.PositiveIntegerField(default=0)
    # Survey answers to those visits.
    answers = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)  # overall 4 or 5
    overall_sum = models.PositiveIntegerField(default=0)
    # Minutes from arrival (or the booked time, if later) to the first call; from the
    # start of service to done.
    wait_n = models.PositiveIntegerField(default=0)
    wait_sum = models.PositiveBigIntegerField(default=0)
    wait_hist = models.JSONField(default=list)
    handle_n = models.PositiveIntegerField(default=0)
    handle_sum = models.PositiveBigIntegerField(default=0)
    handle_hist = models.JSONField(default=list)
    # Bookings (kind "booked" rows only): those due this day, by their end; and the
    # online bookings made this day, by people who had booked online before or not.
    bookings = models.PositiveIntegerField(default=0)
    bookings_cancelled = models.PositiveIntegerField(default=0)
    bookings_served = models.PositiveIntegerField(default=0)
    online_bookings = models.PositiveIntegerField(default=0)
    online_repeat = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class DailyFact(Facts):
    """What happened at the counter on one day for one procedure and one kind of visit."""

    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "procedure", "kind"], name="daily_fact_key")
        ]

    def __str__(self):
        return "%s %s %s" % (self.day, self.procedure_id, self.kind)


class MonthlyFact(Facts):
    """The sum of a month's ``DailyFact`` rows. Every reporting period (month, fiscal
    quarter, fiscal year) is a union of months, so a dashboard reads at most a few
    hundred of these rows whatever the size of the history."""

    month = models.DateField()  # the first day of the month

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month", "procedure", "kind"], name="monthly_fact_key")
        ]
        indexes = [models.Index(fields=["month", "department"], name="monthly_fact_dept")]

    def __str__(self):
        return "%s %s %s" % (self.month, self.procedure_id, self.kind)


class RollupState(models.Model):
    """The single row that remembers when the rollup last looked for changes, and the
    version of the figures: every write of the rollup or of a target raises it, so a
    page's cached figures (``dashboards/figures.py``) are never older than the rollup."""

    refreshed_at = models.DateTimeField(null=True, blank=True)
    changes_seen_until = models.DateTimeField(null=True, blank=True)
    version = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return str(self.refreshed_at)


class Kpi(models.TextChoices):
    """The indicators a target can be set for; their definitions are in selectors/indicators.py."""

    SATISFACTION = "satisfaction", _("Satisfaction (share of 4–5)")
    RESPONSE_RATE = "response_rate", _("Survey response rate")
    ONLINE_SHARE = "online_share", _("Online booking share")
    BOOKING_COMPLETION = "booking_completion", _("Booking completion")
    NO_SHOW_RATE = "no_show_rate", _("No-show rate")
    WAIT_P50_BOOKED = "wait_p50_booked", _("Waiting time P50, booked (min)")
    WAIT_P90_BOOKED = "wait_p90_booked", _("Waiting time P90, booked (min)")
    WAIT_P50_WALK_IN = "wait_p50_walk_in", _("Waiting time P50, walk-in (min)")
    WAIT_P90_WALK_IN = "wait_p90_walk_in", _("Waiting time P90, walk-in (min)")
    HANDLING_P50 = "handling_p50", _("Handling time P50 (min)")
    LETTER_CONVERSION = "letter_conversion", _("Letters → bookings within 30 days")
    RETENTION = "retention", _("Repeat online use")
    COMPLAINTS_PER_1000 = "complaints_per_1000", _("Complaints per 1,000 visits")
    REPORTS_ON_TIME = "reports_on_time", _("Complaint reports within deadline")
    DAYS_TO_CLOSE = "days_to_close", _("Days to close a complaint (median)")


class QuarterScoped(models.Model):
    """A record of one fiscal quarter, city-wide (no department) or for one department."""

    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    department = models.ForeignKey(
        "organization.Department",
        verbose_name=_("department"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        abstract = True


class Target(QuarterScoped):
    """Plan: the value a KPI should reach in a fiscal quarter, city-wide (no department,
    no procedure), for one department or for one procedure. A quarter without targets of
    its own shows the latest earlier quarter's as carried forward (selectors)."""

    kpi = models.CharField(_("indicator"), max_length=32, choices=Kpi.choices)
    procedure = models.ForeignKey(
        "reservations.Procedure",
        verbose_name=_("procedure"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    value = models.DecimalField(_("target"), max_digits=10, decimal_places=2)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    set_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["fiscal_year", "quarter", "kpi"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year", "quarter", "kpi"],
                condition=models.Q(department__isnull=True, procedure__isnull=True),
                name="target_one_per_kpi_quarter",
            ),
            models.UniqueConstraint(
                fields=["fiscal_year", "quarter", "kpi", "department"],
                condition=models.Q(department__isnull=False, procedure__isnull=True),
                name="target_one_per_kpi_quarter_department",
            ),
            models.UniqueConstraint(
                fields=["fiscal_year", "quarter", "kpi", "procedure"],
                condition=models.Q(procedure__isnull=False),
                name="target_one_per_kpi_quarter_procedure",
            ),
            models.CheckConstraint(
                condition=models.Q(quarter__gte=1, quarter__lte=4), name="target_quarter_1_to_4"
            ),
        ]

    def __str__(self):
        return "FY%s Q%s %s = %s" % (self.fiscal_year, self.quarter, self.kpi, self.value)


class Stage(models.TextChoices):
    DO = "do", _("Do: action taken")
    ACT = "act", _("Act: follow-up decided")


class QuarterAction(QuarterScoped):
    """Do (what was done during the quarter) and Act (what the review decided)."""

    stage = models.CharField(_("stage"), max_length=4, choices=Stage.choices)
    kpi = models.CharField(_("indicator"), max_length=32, choices=Kpi.choices, blank=True)
    text = models.TextField(_("action"))
    owner = models.CharField(_("who"), max_length=100, blank=True)
    due_on = models.DateField(_("by"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["fiscal_year", "quarter", "stage", "created_at", "id"]
        verbose_name = _("PDCA action")
        verbose_name_plural = _("PDCA actions")
        indexes = [models.Index(fields=["fiscal_year", "quarter"], name="pdca_action_quarter")]

    def __str__(self):
        return self.text[:60]


class QuarterReview(QuarterScoped):
    """Check and Act: the quarterly review's findings and decisions."""

    findings = models.TextField(_("findings (Check)"), blank=True)
    decisions = models.TextField(_("decisions (Act)"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["fiscal_year", "quarter"]
        verbose_name = _("quarterly review")
        verbose_name_plural = _("quarterly reviews")
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year", "quarter"],
                condition=models.Q(department__isnull=True),
                name="review_one_per_quarter",
            ),
            models.UniqueConstraint(
                fields=["fiscal_year", "quarter", "department"],
                condition=models.Q(department__isnull=False),
                name="review_one_per_quarter_department",
            ),
        ]

    def __str__(self):
        return "FY%s Q%s" % (self.fiscal_year, self.quarter)


class ComplaintMonthlyFact(models.Model):
    """Complaints of one month, department, procedure and category: received (and how
    many were recurrences), reports due and on time (by the month submitted), closed
    and the days they took (by the month closed). Recomputed per month from the
    complaints tables by the same job; a month is a few thousand complaints at most."""

    month = models.DateField()
    department = models.ForeignKey(
        "organization.Department", on_delete=models.CASCADE, related_name="+"
    )
    procedure = models.ForeignKey(
        "reservations.Procedure", on_delete=models.CASCADE, null=True, related_name="+"
    )
    category = models.ForeignKey("complaints.Category", on_delete=models.CASCADE, related_name="+")
    received = models.PositiveIntegerField(default=0)
    recurrences = models.PositiveIntegerField(default=0)
    reports_due = models.PositiveIntegerField(default=0)
    reports_on_time = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    days_to_close = models.JSONField(default=dict)  # {"days": number of complaints}

    class Meta:
        indexes = [models.Index(fields=["month", "department"], name="complaint_fact_month")]

    def __str__(self):
        return "%s %s %s" % (self.month, self.department_id, self.category_id)


class LetterBatchFact(models.Model):
    """A letter batch's letters and how many led to a booking within 30 days. Final 30
    days after the batch was mailed; recomputed by the job until then."""

    batch = models.OneToOneField("notices.LetterBatch", on_delete=models.CASCADE, related_name="+")
    made_on = models.DateField()
    procedure = models.ForeignKey(
        "reservations.Procedure", on_delete=models.CASCADE, null=True, related_name="+"
    )
    department = models.ForeignKey(
        "organization.Department", on_delete=models.CASCADE, null=True, related_name="+"
    )
    letters = models.PositiveIntegerField(default=0)
    converted = models.PositiveIntegerField(default=0)  # booked with the code in 30 days
    # The rest of the campaign funnel (issue 22): of the converted letters, how many led
    # to a visit done, a survey answer, a satisfied answer (4–5); and how many residents
    # renewed (a newer certificate of the type), with or without booking through it.
    done = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    renewed = models.PositiveIntegerField(default=0)
    renewed_without_booking = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["made_on"], name="letter_fact_made_on")]

    def __str__(self):
        return "%s: %s/%s" % (self.batch_id, self.converted, self.letters)


class LetterRuleFact(models.Model):
    """A notice rule's comparison group for its funnel: the certificates of its type that
    expired in the year before its first letter, and how many were renewed."""

    rule = models.OneToOneField("notices.NoticeRule", on_delete=models.CASCADE, related_name="+")
    first_letter_on = models.DateField(null=True)
    due = models.PositiveIntegerField(default=0)
    renewed = models.PositiveIntegerField(default=0)

    def __str__(self):
        return "%s: %s/%s" % (self.rule_id, self.renewed, self.due)
