"""Why a start time or a day cannot be booked online, in words a citizen understands.

The checks need only the shifts and closed days (cached master data), never the
bookings: a time the calendar never offered is refused here with its reason; a time
offered and taken since is told apart by the caller.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from reservations.availability import (
    Roster,
    ShiftSpan,
    booking_window,
    closure_reason,
    static_roster,
)
from reservations.models import Procedure
from reservations.templatetags.booking import long_date


@dataclass(frozen=True)
class Refusal:
    """Why a start time cannot be booked: ``code`` for the code, ``message`` for people."""

    code: str
    message: str


def _day_text(day: dt.date) -> str:
    return long_date(day)


def _hm(moment: dt.datetime) -> str:
    moment = timezone.localtime(moment)
    return "%d:%02d" % (moment.hour, moment.minute)


def _opening_hours(spans: list[ShiftSpan]) -> str:
    """The day's hours as 9:00–12:00, 13:00–17:00 (overlapping shifts merged)."""
    merged: list[list[dt.datetime]] = []
    for span in sorted(spans, key=lambda s: s.start):
        if merged and span.start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], span.end)
        else:
            merged.append([span.start, span.end])
    return ", ".join("%s–%s" % (_hm(start), _hm(end)) for start, end in merged)


def slot_refusal(roster: Roster, start: dt.datetime, *, now: dt.datetime) -> Refusal | None:
    """Why ``start`` was never offered (closed day, outside the hours, off the grid, past,
    too soon, too far ahead), or None when it is a time the calendar offers or offered
    (free, or taken since: the caller tells "just taken" apart).

    Only the shifts and closed days are needed, which every roster holds whole.
    """
    day = timezone.localdate(start)
    return _window_refusal(roster.procedure, day, start, now) or _shift_refusal(roster, day, start)


def _window_refusal(procedure: Procedure, day: dt.date, start: dt.datetime, now) -> Refusal | None:
    """Past, too far ahead, or too soon to book online."""
    earliest, last_day = booking_window(procedure, now)
    if start < now:
        return Refusal("past", _("That time has already passed. Please choose another."))
    if day > last_day:
        return Refusal(
            "beyond_horizon",
            _(
                "%(day)s cannot be booked yet: bookings open %(days)s days ahead, so the "
                "last day you can book now is %(last)s. Please choose an earlier day."
            )
            % {
                "day": _day_text(day),
                "days": procedure.booking_horizon_days,
                "last": _day_text(last_open_day(procedure, last_day)),
            },
        )
    if start < earliest:
        return Refusal(
            "too_late",
            _(
                "That time is too soon to book online: bookings close %(minutes)s minutes "
                "before the start. Please choose a later time."
            )
            % {"minutes": procedure.lead_time_minutes},
        )
    return None


def _shift_refusal(roster: Roster, day: dt.date, start: dt.datetime) -> Refusal | None:
    """A closed day, no shift for the procedure, outside its hours, or off its grid."""
    procedure = roster.procedure
    reason = closure_reason(day, roster.closed_days)
    spans = roster.shifts_by_day.get(day, [])
    if reason or (not spans and day.weekday() >= 5):
        return Refusal(
            "closed",
            _("The city hall is closed on %(day)s (%(reason)s). Please choose another day.")
            % {"day": _day_text(day), "reason": reason or _("weekend")},
        )
    if not spans:
        return Refusal(
            "no_service",
            _("This procedure is not offered on %(day)s. Please choose another day.")
            % {"day": _day_text(day)},
        )
    end = start + procedure.duration
    containing = [span for span in spans if span.start <= start and end <= span.end]
    if not containing and any(span.start <= start < span.end for span in spans):
        # The start is within the hours; the visit would run past their end (closing
        # time, or the lunch break).
        return Refusal(
            "outside_hours",
            _(
                "A visit for this procedure takes %(minutes)s minutes: starting at %(time)s "
                "it would run past the end of the hours on %(day)s (%(hours)s). Please "
                "choose an earlier time from the list."
            )
            % {
                "minutes": procedure.duration_minutes,
                "time": _hm(start),
                "day": _day_text(day),
                "hours": _opening_hours(spans),
            },
        )
    if not containing:
        return Refusal(
            "outside_hours",
            _(
                "%(time)s is outside the hours this procedure is offered on %(day)s "
                "(%(hours)s). Please choose a time from the list."
            )
            % {"time": _hm(start), "day": _day_text(day), "hours": _opening_hours(spans)},
        )
    step = dt.timedelta(minutes=procedure.slot_interval_minutes)
    if all((start - span.start) % step for span in containing):
        return Refusal(
            "off_grid",
            _(
                "Bookings start every %(minutes)s minutes; %(time)s is not one of the "
                "offered times. Please choose a time from the list."
            )
            % {"minutes": procedure.slot_interval_minutes, "time": _hm(start)},
        )
    return None


def refusal_for(
    procedure: Procedure, start: dt.datetime, *, now: dt.datetime, static: tuple | None = None
) -> Refusal | None:
    """``slot_refusal`` from the shifts and closed days alone (cached master data; or
    ``static``, ``static_roster`` of the start's day, when the caller has it)."""
    day = timezone.localdate(start)
    shifts_by_day, closed = static or static_roster(procedure, day, day)
    return slot_refusal(Roster(procedure, day, day, shifts_by_day, {}, closed), start, now=now)


def last_open_day(procedure: Procedure, last_day: dt.date) -> dt.date:
    """The last day up to ``last_day`` the counters are open (not a weekend, a holiday
    or a closed day), for "the last day you can book": within two weeks, else
    ``last_day`` itself."""
    _shifts, closed = static_roster(procedure, last_day - dt.timedelta(days=14), last_day)
    for back in range(15):
        day = last_day - dt.timedelta(days=back)
        if day.weekday() < 5 and not closure_reason(day, closed):
            return day
    return last_day


def day_unavailable_reason(procedure: Procedure, day: dt.date, *, now: dt.datetime) -> str:
    """Why no time of ``day`` can be booked online any more (or yet), for the day page."""
    today = timezone.localdate(now)
    _earliest, last_day = booking_window(procedure, now)
    if day < today:
        return _("%(day)s has passed. Please choose another day.") % {"day": _day_text(day)}
    if day > last_day:
        return _(
            "%(day)s cannot be booked yet: bookings open %(days)s days ahead, so the "
            "last day you can book now is %(last)s. Please choose an earlier day."
        ) % {
            "day": _day_text(day),
            "days": procedure.booking_horizon_days,
            "last": _day_text(last_open_day(procedure, last_day)),
        }
    if not procedure.lead_time_minutes:
        return _(
            "No time left on %(day)s can be booked online any more. Please choose another day."
        ) % {"day": _day_text(day)}
    return _(
        "No time on %(day)s can still be booked online: bookings close %(minutes)s "
        "minutes before the start. Please choose another day."
    ) % {"day": _day_text(day), "minutes": procedure.lead_time_minutes}
