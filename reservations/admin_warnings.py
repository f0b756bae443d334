"""What the admin says after a change of master data that reaches citizens or their
bookings: bookings left behind, translations emptied, bookings made before a rule
changed, a shift at unusual hours, a closed day or a deleted shift with bookings."""

import datetime as dt
from contextlib import contextmanager

from django.conf import settings
from django.contrib import admin, messages
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate, TruncTime
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from organization.calendar import holiday_name
from reservations.models import OPEN_STATUSES, ClosedDay, Procedure, Reservation, Shift


def bookings_left_behind(*, now: dt.datetime | None = None) -> QuerySet:
    """Open bookings still to come that can no longer be served as booked: their clerk's
    login was deactivated, the clerk is no longer qualified for the procedure, or no
    shift of theirs covers the time at the booked counter any more (a shift shortened,
    moved or deleted, the counter taken out of use, the day closed). The booking keeps
    its time: somebody must call the citizen. The admin warns with this after a change
    of shifts, counters, qualifications or staff, and lists them."""
    now = now or timezone.now()
    covered = Shift.objects.filter(
        staff_id=OuterRef("staff_id"),
        counter_id=OuterRef("counter_id"),
        counter__is_active=True,
        date=OuterRef("local_day"),
        start_time__lte=OuterRef("local_start"),
        end_time__gte=OuterRef("local_end"),
    )
    qualified = Procedure.qualified_staff.through.objects.filter(
        procedure_id=OuterRef("procedure_id"), staffmember_id=OuterRef("staff_id")
    )
    closed = ClosedDay.objects.filter(date=OuterRef("local_day"))
    return (
        Reservation.objects.filter(status__in=OPEN_STATUSES, start_at__gt=now)
        .annotate(
            local_day=TruncDate("start_at"),
            local_start=TruncTime("start_at"),
            local_end=TruncTime("end_at"),
        )
        .filter(
            ~Q(staff__user__is_active=True) | ~Exists(qualified) | ~Exists(covered) | Exists(closed)
        )
    )


def _warn_with_list(request, text: str, query: str, link_text) -> None:
    """A warning about bookings, with a link to them in the booking list (``query``:
    the list's filters)."""
    url = "%s?%s" % (reverse("admin:reservations_reservation_changelist"), query)
    messages.warning(request, format_html('{} <a href="{}">{}</a>', text, url, link_text))


@contextmanager
def warns_of_bookings_left_behind(request):
    """Around a change of shifts, counters, qualifications or logins: when it leaves
    open bookings that can no longer be served as booked
    (``bookings_left_behind``), say how many, with their list. The bookings
    keep their time; the citizens must be called."""
    before = set(bookings_left_behind().values_list("pk", flat=True))
    yield
    # Compared by booking, not by count: a change that strands one booking while
    # another is fixed still strands one.
    stranded = set(bookings_left_behind().values_list("pk", flat=True)) - before
    if not stranded:
        return
    after = len(stranded)
    _warn_with_list(
        request,
        ngettext(
            "%(count)s open booking can no longer be served as booked (its clerk's login, "
            "qualification or shift, or its counter, changed): it keeps its time; call the "
            "citizen to move or cancel it.",
            "%(count)s open bookings can no longer be served as booked (their clerk's "
            "login, qualification or shift, or their counter, changed): they keep their "
            "time; call the citizens to move or cancel them.",
            after,
        )
        % {"count": after},
        "%s=yes" % LeftBehindFilter.parameter_name,
        _("The bookings left behind"),
    )


class EmailFailedFilter(admin.SimpleListFilter):
    """Bookings whose e-mail to the citizen failed for good: the list of citizens to
    phone, for managers too (the outbox itself is the administrators')."""

    title = _("e-mail to the citizen")
    parameter_name = "email_failed"

    def lookups(self, request, model_admin):
        return [("yes", _("Failed: call the citizen"))]

    def queryset(self, request, queryset):
        if self.value() != "yes":
            return queryset
        from outbox.models import Email, EmailStatus
        from reservations.emails import BOOKING_EMAIL_KINDS

        failed = Email.objects.filter(
            status=EmailStatus.FAILED, kind__in=BOOKING_EMAIL_KINDS
        ).values("object_id")
        return queryset.filter(pk__in=failed)


class LeftBehindFilter(admin.SimpleListFilter):
    title = _("served as booked")
    parameter_name = "left_behind"

    def lookups(self, request, model_admin):
        return [("yes", _("Can no longer be served as booked"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(pk__in=bookings_left_behind().values("pk"))
        return queryset


def warn_of_stale_translations(request, rule) -> None:
    """The Japanese wording changed and these translations did not: they were emptied
    (``DocumentRule._drop_stale_translations``), say so and what citizens see now."""
    if not rule.stale_translations:
        return
    names = dict(settings.LANGUAGES)
    messages.warning(
        request,
        _(
            "The Japanese wording of 「%(rule)s」 changed, so its translations (%(languages)s) "
            "said the old rule and were emptied: citizens reading those languages see the "
            "Japanese until you translate the new wording."
        )
        % {
            "rule": Truncator(rule.text_ja).chars(40),
            "languages": "、".join(str(names[code]) for code in rule.stale_translations),
        },
    )


def warn_of_bookings_made_before(request, rule) -> None:
    """A rule added or reworded does not reach the citizens booked already except
    through their booking's page and the reminder e-mail: say how many, with the list."""
    count = (
        Reservation.objects.filter(
            procedure_id=rule.procedure_id,
            status__in=OPEN_STATUSES,
            end_at__gt=timezone.now(),
        )
        .exclude(consents__rule=rule, consents__rule_version=rule.version)
        .count()
    )
    if not count:
        return
    _warn_with_list(
        request,
        ngettext(
            "%(count)s open booking was made before this rule was added or changed: its "
            "page and its reminder e-mail show the new wording; call the citizen if they "
            "gave no e-mail address.",
            "%(count)s open bookings were made before this rule was added or changed: "
            "their pages and reminder e-mails show the new wording; call the citizens "
            "who gave no e-mail address.",
            count,
        )
        % {"count": count},
        "procedure__id__exact=%d&status__exact=confirmed" % rule.procedure_id,
        _("The procedure's bookings"),
    )


# A shift outside these hours is more likely a slip (00:00 typed for 09:00) than an
# evening or early counter: saved, with a warning.
USUAL_HOURS = (dt.time(7, 0), dt.time(21, 0))


def warn_of_unusual_hours(request, shift) -> None:
    """Every shift is offered to citizens online at once: one on a weekend or a public
    holiday, or at night, is saved (a Sunday opening is a city's choice) but said."""
    unusual = []
    if shift.date.weekday() >= 5 or holiday_name(shift.date):
        unusual.append(_("on a day the city hall is usually closed"))
    if shift.start_time < USUAL_HOURS[0] or shift.end_time > USUAL_HOURS[1]:
        unusual.append(
            _("outside %(start)s–%(end)s")
            % {"start": USUAL_HOURS[0].strftime("%H:%M"), "end": USUAL_HOURS[1].strftime("%H:%M")}
        )
    if unusual:
        messages.warning(
            request,
            _(
                "This shift (%(day)s %(start)s–%(end)s) is %(what)s: citizens can book its times "
                "online now. If that is not meant, correct or delete it."
            )
            % {
                "day": shift.date.isoformat(),
                "start": shift.start_time.strftime("%H:%M"),
                "end": shift.end_time.strftime("%H:%M"),
                "what": _(", and ").join(str(part) for part in unusual),
            },
        )


def shift_bookings(shift) -> int:
    """Open bookings of the shift's clerk within its hours: left without a clerk."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(shift.date, shift.start_time, tzinfo=tz)
    end = dt.datetime.combine(shift.date, shift.end_time, tzinfo=tz)
    return Reservation.objects.filter(
        staff_id=shift.staff_id, status__in=OPEN_STATUSES, start_at__lt=end, end_at__gt=start
    ).count()


def warn_of_bookings(request, day, count: int) -> None:
    """Closing a day or removing a shift does not move the citizens booked then: say so,
    with the list of that day's bookings."""
    if not count:
        return
    _warn_with_list(
        request,
        ngettext(
            "%(count)s open booking on %(day)s keeps its time: call the citizen to move "
            "or cancel it.",
            "%(count)s open bookings on %(day)s keep their time: call the citizens to "
            "move or cancel them.",
            count,
        )
        % {"count": count, "day": day.isoformat()},
        "start_at__year=%d&start_at__month=%d&start_at__day=%d" % (day.year, day.month, day.day),
        _("The bookings of that day"),
    )
