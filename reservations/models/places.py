"""Where and when the counters serve: the counters, the clerks' shifts and the closed days."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from organization.models import TranslatedTextsMixin, require_unique_name


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

    def clean(self):
        require_unique_name(
            self,
            Counter.objects.filter(department_id=self.department_id),
            _("This department already has a counter named %(name)s."),
        )


class ShiftQuerySet(models.QuerySet):
    def serving(self, procedure) -> "ShiftQuerySet":
        """Shifts that can serve ``procedure``: a qualified clerk whose login is active,
        at a counter in use. The calendar, the walk-in tickets and waits, and the
        letters' capacity plan all count clerks this one way."""
        return self.filter(
            staff__qualified_procedures=procedure,
            staff__user__is_active=True,
            counter__is_active=True,
        )


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

    objects = ShiftQuerySet.as_manager()

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
        # One clerk at a counter at a time: two would be booked to the same window.
        shared = (
            Shift.objects.filter(
                counter_id=self.counter_id,
                date=self.date,
                start_time__lt=self.end_time,
                end_time__gt=self.start_time,
            )
            .exclude(pk=self.pk)
            .select_related("staff__user", "counter")
            .first()
            if self.counter_id
            else None
        )
        if shared is not None:
            raise ValidationError(
                {
                    "counter": _("%(counter)s is staffed by %(name)s at that time.")
                    % {"counter": shared.counter, "name": shared.staff.display_name}
                }
            )


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
