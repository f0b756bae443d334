"""Capacity-aware sending: how many letters a rule may send each week so that the
bookings they bring stay under a share of the qualified clerks' free slots.

The forecast looks ``LETTER_FORECAST_WEEKS`` calendar weeks (Monday to Sunday) ahead,
starting with the current one. For each certificate that is or becomes due within that
time it knows two dates: the first day it may be sent (the day it enters the rule's
window) and the latest (its expiry minus ``LETTER_RENEWAL_LEAD_DAYS``, which still
leaves the resident time to renew). Each week may bring ``LETTER_CAPACITY_SHARE`` of its
free slots in bookings, one letter bringing the rule's conversion (measured, or
``LETTER_DEFAULT_CONVERSION`` until there is data) in expected bookings. Letters are
given to weeks earliest-latest-date first; a letter whose latest date falls in a week is
sent that week whatever the budget, and the week's shortfall says by how many slots.

The plan is computed again from the database on every run, never stored: letters made
earlier this week count against this week's budget, so a second run on one day (a retry,
a crash mid-wave, staff pressing the button) adds nothing the first did not plan, and the
unique key of a letter keeps every case to one letter.

Model, stated on the page: the bookings a letter brings are counted in the week it is
sent; a week's free slots are counted over the whole week (the current one from its
Monday, so the budget does not shrink as the days pass); a clerk qualified for several
procedures offers each of them all their free slots.
"""

import datetime as dt
import math
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from notices.due import due_certificates
from notices.models import Letter, NoticeRule
from reservations.availability import ShiftSpan, closure_reason, slot_starts
from reservations.models import ClosedDay, Reservation, Shift

CONVERSION_DAYS = 30  # a booking this many days after the letter still counts as its
CONVERSION_LOOKBACK_DAYS = 365  # letters older than this no longer say much


@dataclass
class Conversion:
    rate: float
    measured: bool  # False: the default, too few letters are 30 days old
    letters: int  # letters it was measured on
    booked: int


@dataclass
class Week:
    start: dt.date  # Monday
    end: dt.date  # Sunday
    due: int = 0  # letters whose certificate enters the window this week (no waves)
    planned: int = 0  # letters of this week's wave, those already made included
    sent: int = 0  # letters already made this week
    free_slots: int = 0
    limit: float = 0.0  # bookings allowed: the share of the free slots
    expected: float = 0.0  # bookings expected from the wave

    @property
    def shortfall(self) -> int:
        """Slots missing for the bookings the week's wave is expected to bring."""
        return max(0, math.ceil(self.expected - self.limit - 1e-9))


@dataclass
class Forecast:
    rule: NoticeRule
    today: dt.date
    conversion: Conversion
    share: float
    lead_days: int
    weeks: list[Week]
    planned_on: dict[int, dt.date] = field(default_factory=dict)  # certificate id -> day
    later: int = 0  # held past the forecast's last week (their latest date is later)
    # False when no qualified clerk has a shift recorded in the forecast's weeks: the
    # capacity is unknown (shifts not entered yet), so every due letter is sent at once.
    limited: bool = True

    @property
    def horizon_end(self) -> dt.date:
        return self.weeks[-1].end

    @property
    def shortfall_weeks(self) -> list[Week]:
        return [week for week in self.weeks if week.shortfall] if self.limited else []

    @property
    def shortfall(self) -> int:
        return sum(week.shortfall for week in self.weeks) if self.limited else 0

    def sends_on(self, certificate_id: int, day: dt.date) -> bool:
        """Whether the certificate's letter goes in the wave of ``day`` (or an earlier
        one it missed)."""
        planned = self.planned_on.get(certificate_id)
        return planned is not None and planned <= day


def rule_conversion(*, rule: NoticeRule, now: dt.datetime | None = None) -> Conversion:
    """The share of the rule's letters booked through (their code) within 30 days, over
    the letters of the last year that are at least 30 days old; the default until
    ``LETTER_CONVERSION_MIN_LETTERS`` such letters exist. Two queries at most."""
    now = now or timezone.now()
    window = dt.timedelta(days=CONVERSION_DAYS)
    letters_qs = Letter.objects.filter(
        rule=rule,
        created_at__lte=now - window,
        created_at__gt=now - dt.timedelta(days=CONVERSION_LOOKBACK_DAYS),
    ).order_by()
    # The bookings are found by their referral code (its index) and matched to their
    # letter's window here: as one correlated query per letter, PostgreSQL chose the
    # bookings' creation-time index and read a month of bookings for each letter.
    bookings: dict[str, list[dt.datetime]] = {}
    for code, created_at in (
        Reservation.objects.filter(referral_code__in=letters_qs.values("code"))
        .order_by()
        .values_list("referral_code", "created_at")
    ):
        bookings.setdefault(code, []).append(created_at)
    figures = {"letters": 0, "booked": 0}
    for code, created_at in letters_qs.values_list("code", "created_at"):
        figures["letters"] += 1
        figures["booked"] += any(
            created_at <= at <= created_at + window for at in bookings.get(code, ())
        )
    letters, booked_count = figures["letters"], figures["booked"]
    if letters < settings.LETTER_CONVERSION_MIN_LETTERS:
        return Conversion(settings.LETTER_DEFAULT_CONVERSION, False, letters, booked_count)
    # A rule nobody answers still brings someone now and then: never plan with zero.
    return Conversion(max(booked_count / letters, 0.01), True, letters, booked_count)


def free_slots_by_week(
    *, rule: NoticeRule, weeks: list[Week], now: dt.datetime
) -> dict[dt.date, int] | None:
    """Free slots of the rule's procedure's qualified clerks in each week: the slots of
    the procedure's duration their shifts hold on its grid (closed days left out), minus
    the time their bookings take, counted in slots too. Bookings made through this
    rule's own letters are not subtracted: they are the expected bookings the waves are
    measured by, and counting them twice would show a shortfall where there is none.
    None when no qualified clerk has a shift in those weeks. Three queries."""
    procedure = rule.procedure
    first_day, last_day = weeks[0].start, weeks[-1].end
    tz = timezone.get_current_timezone()
    range_end = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    shifts = list(
        Shift.objects.serving(procedure)
        .filter(date__gte=first_day, date__lte=last_day)
        .values_list("staff_id", "counter_id", "date", "start_time", "end_time")
    )
    if not shifts:
        return None
    closed = {
        record.date: record
        for record in ClosedDay.objects.filter(date__gte=first_day, date__lte=last_day)
    }
    slots = dict.fromkeys((week.start for week in weeks), 0)
    staff_ids = set()
    for staff_id, counter_id, day, start_time, end_time in shifts:
        if closure_reason(day, closed):
            continue
        staff_ids.add(staff_id)
        span = ShiftSpan(
            staff_id,
            counter_id,
            dt.datetime.combine(day, start_time, tzinfo=tz),
            dt.datetime.combine(day, end_time, tzinfo=tz),
        )
        slots[day - dt.timedelta(days=day.weekday())] += _slots_in(span, procedure)
    own_letters = Letter.objects.filter(rule=rule).values("code")
    busy_minutes = dict.fromkeys(slots, 0.0)
    for start_at, end_at in (
        Reservation.objects.holding(now=now)
        .filter(
            staff_id__in=sorted(staff_ids),
            start_at__gte=dt.datetime.combine(first_day, dt.time.min, tzinfo=tz),
            start_at__lt=range_end,
        )
        .exclude(referral_code__in=own_letters)
        .values_list("start_at", "end_at")
    ):
        day = start_at.astimezone(tz).date()
        busy_minutes[day - dt.timedelta(days=day.weekday())] += (
            end_at - start_at
        ).total_seconds() / 60
    return {
        week: max(0, count - math.ceil(busy_minutes[week] / procedure.duration_minutes))
        for week, count in slots.items()
    }


def _slots_in(span: ShiftSpan, procedure) -> int:
    """How many bookings of ``procedure`` one shift holds, one after the other."""
    count, taken_until = 0, None
    for start in slot_starts(span, procedure):
        if taken_until is None or start >= taken_until:
            count += 1
            taken_until = start + procedure.duration
    return count


def rule_forecast(*, rule: NoticeRule, today: dt.date, now: dt.datetime | None = None) -> Forecast:
    """The rule's weeks ahead: letters due, the waves planned, bookings expected, free
    slots and shortfalls, and the day each due certificate's letter is planned for.
    A constant number of queries whatever the number of residents."""
    now = now or timezone.now()
    share = settings.LETTER_CAPACITY_SHARE
    lead = dt.timedelta(days=settings.LETTER_RENEWAL_LEAD_DAYS)
    monday = today - dt.timedelta(days=today.weekday())
    weeks = [
        Week(start=monday + dt.timedelta(weeks=n), end=monday + dt.timedelta(weeks=n, days=6))
        for n in range(settings.LETTER_FORECAST_WEEKS)
    ]
    conversion = rule_conversion(rule=rule, now=now)
    free = free_slots_by_week(rule=rule, weeks=weeks, now=now)
    week_start = dt.datetime.combine(monday, dt.time.min, tzinfo=timezone.get_current_timezone())
    sent_this_week = Letter.objects.filter(rule=rule, created_at__gte=week_start).count()

    items = _due_items(rule, today, weeks[-1].end, lead)
    forecast = Forecast(rule, today, conversion, share, settings.LETTER_RENEWAL_LEAD_DAYS, weeks)
    forecast.limited = free is not None
    weeks[0].sent = sent_this_week
    weeks[0].due = sent_this_week
    for _latest, first, _pk in items:
        index = (first - monday).days // 7
        if index < len(weeks):
            weeks[index].due += 1
    pending = items
    for week in weeks:
        week.free_slots = free[week.start] if free else 0
        week.limit = share * week.free_slots
        budget = week.limit - week.sent * conversion.rate if free else math.inf
        pending, chosen = _plan_wave(forecast, week, pending, budget, max(week.start, today))
        week.planned = week.sent + chosen
        week.expected = round(week.planned * conversion.rate, 1)
    forecast.later = len(pending)
    return forecast


def _due_items(rule: NoticeRule, today: dt.date, until: dt.date, lead: dt.timedelta) -> list:
    """(latest, first, certificate id) of every mailable due certificate until
    ``until``: the first and the latest day its letter may go, earliest latest first."""
    window = dt.timedelta(days=rule.days_before_expiry)
    items = []
    for pk, expires_on in (
        due_certificates(rule=rule, today=today, until=until)
        # An incomplete address is never mailed: it takes no capacity.
        .exclude(resident__postal_code="")
        .exclude(resident__address_line1="")
        .order_by()
        .values_list("pk", "expires_on")
    ):
        first = max(today, expires_on - window)
        items.append((max(expires_on - lead, first), first, pk))
    items.sort()
    return items


def _plan_wave(forecast: "Forecast", week: "Week", pending: list, budget: float, wave_day):
    """Plan ``week``'s wave from ``pending`` within ``budget`` expected bookings: each
    letter chosen gets its day in ``forecast.planned_on``. (the items left, how many
    were chosen)."""
    rate = forecast.conversion.rate
    left = []
    chosen = 0
    for item in pending:
        latest, first, pk = item
        if first > week.end:
            left.append(item)
        elif latest <= week.end or budget >= rate - 1e-9:
            # Its latest date falls this week: it goes, budget or not.
            forecast.planned_on[pk] = max(first, wave_day)
            budget -= rate
            chosen += 1
        else:
            left.append(item)
    return left, chosen


def capacity_shortfalls(*, today: dt.date, rules=None) -> list[Forecast]:
    """The forecasts of the active rules (or ``rules``) that show a shortfall."""
    rules = (
        rules
        if rules is not None
        else NoticeRule.objects.filter(is_active=True).select_related("procedure")
    )
    found = []
    for rule in rules:
        forecast = rule_forecast(rule=rule, today=today)
        if forecast.shortfall:
            found.append(forecast)
    return found


SHORTFALLS_CACHE_SECONDS = 600


def capacity_shortfalls_cached(*, today: dt.date) -> list[Forecast]:
    """``capacity_shortfalls`` for the managers' dashboard, computed at most every ten
    minutes (a forecast reads every due certificate and the clerks' shifts: too much
    for each view of the overview; the forecast page itself is always fresh)."""
    from django.core.cache import cache

    key = "letters:capacity-shortfalls:%s" % today.isoformat()
    found = cache.get(key)
    if found is None:
        found = capacity_shortfalls(today=today)
        cache.set(key, found, SHORTFALLS_CACHE_SECONDS)
    return found
