"""The KPIs: each one's definition, computed from recorded events, never typed in.

Counter KPIs read the daily rollup (``DailyFact``); complaint and letter KPIs read their
tables live with aggregates in SQL. Every function takes the periods it needs at once,
so a page costs the same few queries whatever the period, the filters and the history.

Definitions (the tests hold each to hand-made data):
- satisfaction: answers with overall 4 or 5 ÷ answers; shown with the number of
  answers and the response rate (answers ÷ finished visits);
- online booking share: booked visits ÷ all visits (citizens who came; no-shows apart);
- booking completion: bookings served ÷ bookings due in the period (cancelled ones
  count as not completed; expired holds and bookings moved to another time do not count);
- no-show rate: booked citizens who did not come ÷ booked visits due;
- waiting time: minutes from arrival — or the booked time, when the citizen came early —
  to the first call, P50 and P90, booked and walk-in apart;
- handling time: minutes from the start of service to done, P50;
- letter conversion: letters whose code was used for a booking within 30 days of the
  batch being mailed (or made) ÷ letters, by batch;
- repeat online use (retention): online bookings by people (same e-mail or phone) who
  had booked online before ÷ online bookings;
- complaints per 1,000 visits; share of complaint reports submitted by their deadline;
  median days from received to closed; open complaints overdue now; recurrence by
  category (complaints whose category had already been closed for the same department).
"""

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    Q,
    Sum,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.models import Complaint
from complaints.selectors import overdue_condition
from dashboards.models import (
    HIST_MINUTES,
    ComplaintMonthlyFact,
    Kpi,
    LetterBatchFact,
    LetterRuleFact,
    MonthlyFact,
    Target,
    hist_add,
)
from dashboards.periods import Period
from organization.calendar import day_start
from organization.translation import translated_from_row
from reservations.models import VisitKind

LETTER_WINDOW = dt.timedelta(days=30)

SUMMED = (
    "visits",
    "done",
    "first_visit_done",
    "no_shows",
    "answers",
    "satisfied",
    "overall_sum",
    "wait_n",
    "wait_sum",
    "handle_n",
    "handle_sum",
    "bookings",
    "bookings_cancelled",
    "bookings_served",
    "online_bookings",
    "online_repeat",
)


@dataclass(frozen=True)
class Filters:
    department_id: int | None = None
    procedure_id: int | None = None

    def facts(self) -> Q:
        condition = Q()
        if self.department_id:
            condition &= Q(department_id=self.department_id)
        if self.procedure_id:
            condition &= Q(procedure_id=self.procedure_id)
        return condition

    def complaints(self, prefix: str = "") -> Q:
        condition = Q()
        if self.department_id:
            condition &= Q(**{prefix + "department_id": self.department_id})
        if self.procedure_id:
            condition &= Q(**{prefix + "procedure_id": self.procedure_id})
        return condition


@dataclass
class Totals:
    """Sums of the facts of one period, booked and walk-in apart."""

    by_kind: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    wait_hist: dict = field(default_factory=dict)
    handle_hist: list = field(default_factory=lambda: [0] * (HIST_MINUTES + 1))
    handle_hist_by_kind: dict = field(default_factory=dict)

    def total(self, name: str, kind: str | None = None) -> int:
        if kind:
            return self.by_kind[kind][name]
        return sum(values[name] for values in self.by_kind.values())


def percentile(hist: list[int], share: float) -> int | None:
    """The minute at or below which ``share`` of the histogram's visits fall."""
    total = sum(hist)
    if not total:
        return None
    needed, running = share * total, 0
    for minute, count in enumerate(hist):
        running += count
        if running >= needed:
            return minute
    return len(hist) - 1


def fact_totals(
    periods: list[Period], filters: Filters, detailed: list[Period] | None = None
) -> dict[Period, Totals]:
    """The monthly facts of every period summed per period in Python (months ×
    procedures × two kinds: a few hundred rows for two years). The minute histograms
    (for P50/P90) are read only for the ``detailed`` periods (all by default)."""
    if not periods:
        return {}
    detailed = periods if detailed is None else detailed
    first, last = min(p.start for p in periods), max(p.end for p in periods)
    totals = {period: Totals() for period in periods}
    facts = MonthlyFact.objects.filter(filters.facts()).order_by()
    ordered = sorted(periods, key=lambda p: p.start)
    for month, kind, *values in facts.filter(month__gte=first, month__lt=last).values_list(
        "month", "kind", *SUMMED
    ):
        for period in ordered:
            if period.contains(month):
                sums = totals[period].by_kind[kind]
                for name, value in zip(SUMMED, values, strict=True):
                    sums[name] += value
    if detailed:
        condition = Q(pk__in=[])
        for period in detailed:
            condition |= Q(month__gte=period.start, month__lt=period.end)
        for month, kind, wait_hist, handle_hist in facts.filter(condition).values_list(
            "month", "kind", "wait_hist", "handle_hist"
        ):
            for period in detailed:
                if period.contains(month):
                    t = totals[period]
                    t.wait_hist[kind] = hist_add(t.wait_hist.get(kind), wait_hist)
                    t.handle_hist = hist_add(t.handle_hist, handle_hist)
                    t.handle_hist_by_kind[kind] = hist_add(
                        t.handle_hist_by_kind.get(kind), handle_hist
                    )
    return totals


def _bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    return day_start(period.start), day_start(period.end)


def _complaint_facts(first: dt.date, last: dt.date, filters: Filters):
    return ComplaintMonthlyFact.objects.filter(
        filters.complaints(), month__gte=first, month__lt=last
    ).order_by()


def complaint_totals(
    periods: list[Period], filters: Filters, detailed: list[Period] | None = None
) -> dict[Period, dict]:
    """Complaints received, reports due and on time, closed, and (for the ``detailed``
    periods, all by default) the median days to close, per period: two queries over the
    monthly complaint facts."""
    if not periods:
        return {}
    detailed = periods if detailed is None else detailed
    first, last = min(p.start for p in periods), max(p.end for p in periods)
    totals = {
        p: {"received": 0, "reports": 0, "reports_on_time": 0, "closed": 0, "hist": {}}
        for p in periods
    }
    facts = _complaint_facts(first, last, filters)
    rows = facts.values("month").annotate(
        received=Sum("received"),
        reports=Sum("reports_due"),
        on_time=Sum("reports_on_time"),
        closed=Sum("closed"),
    )
    for row in rows:
        for period in periods:
            if period.contains(row["month"]):
                t = totals[period]
                t["received"] += row["received"]
                t["reports"] += row["reports"]
                t["reports_on_time"] += row["on_time"]
                t["closed"] += row["closed"]
    if detailed:
        condition = Q(pk__in=[])
        for period in detailed:
            condition |= Q(month__gte=period.start, month__lt=period.end)
        for month, days in facts.filter(condition, closed__gt=0).values_list(
            "month", "days_to_close"
        ):
            for period in detailed:
                if period.contains(month):
                    hist = totals[period]["hist"]
                    for value, n in days.items():
                        hist[int(value)] = hist.get(int(value), 0) + n
    for period, t in totals.items():
        hist = t.pop("hist")
        t["days_to_close"] = _median_of_counts(sorted(hist.items())) if period in detailed else None
    return totals


def _median_of_counts(pairs: list[tuple[int, int]]) -> float | None:
    total = sum(n for _, n in pairs)
    if not total:
        return None
    half, running = total / 2, 0
    for value, n in pairs:
        running += n
        if running >= half:
            return float(value)
    return float(pairs[-1][0])


def letter_batches(period: Period, filters: Filters) -> list[dict]:
    """Each batch made in the period: letters, bookings made with their code within 30
    days of the batch being mailed (or made, until it is marked mailed), conversion."""
    return letter_batches_by_period([period], filters)[period]


def letter_batches_by_period(periods: list[Period], filters: Filters) -> dict[Period, list]:
    """``letter_batches`` of several periods in one query over the batch facts."""
    first, last = min(p.start for p in periods), max(p.end for p in periods)
    _missing_letter_facts(first, last)
    facts = LetterBatchFact.objects.filter(made_on__gte=first, made_on__lt=last)
    if filters.procedure_id:
        facts = facts.filter(procedure_id=filters.procedure_id)
    if filters.department_id:
        facts = facts.filter(department_id=filters.department_id)
    result: dict[Period, list] = {period: [] for period in periods}
    now = timezone.now()
    for fact in facts.select_related("batch__rule").order_by("made_on", "batch_id"):
        closes_at = (fact.batch.mailed_at or fact.batch.created_at) + LETTER_WINDOW
        counting = closes_at > now
        for period in periods:
            if period.contains(fact.made_on):
                result[period].append(
                    {
                        "batch": fact.batch,
                        "letters": fact.letters,
                        "converted": fact.converted,
                        # 集計中: the 30-day window is still open, so no rate yet
                        # (a batch mailed today is not "0 %").
                        "counting": counting,
                        "closes_on": timezone.localdate(closes_at),
                        "rate": None if counting else share(fact.converted, fact.letters),
                    }
                )
    return result


def complaint_categories(period: Period, filters: Filters) -> list[dict]:
    """Per category: complaints in the period and the one before, and recurrences (a
    complaint of a category already closed for the same department before it came)."""
    previous = period.previous()
    rows = (
        _complaint_facts(previous.start, period.end, filters)
        .values("category__name_ja", "category__name_en")
        .annotate(
            now=Sum("received", filter=Q(month__gte=period.start)),
            before=Sum("received", filter=Q(month__lt=period.start)),
            recurrences=Sum("recurrences", filter=Q(month__gte=period.start)),
        )
    )
    result = [
        {
            "category": translated_from_row(row, "category__name"),
            "now": row["now"] or 0,
            "before": row["before"] or 0,
            "recurrences": row["recurrences"] or 0,
            "rate": share(row["recurrences"] or 0, row["now"] or 0),
        }
        for row in rows
    ]
    return sorted(
        (r for r in result if r["now"] or r["before"]), key=lambda r: (-r["now"], r["category"])
    )


def overdue_now(filters: Filters, *, today: dt.date | None = None) -> int:
    today = today or timezone.localdate()
    return Complaint.objects.filter(filters.complaints(), overdue_condition(today)).count()


def share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def min_answers() -> int:
    """Below this many survey answers a satisfaction figure is only indicative (参考値)."""
    return settings.DASHBOARD_MIN_ANSWERS


def is_indicative(answers: int | None) -> bool:
    return answers is not None and answers < min_answers()


def wilson_interval(part: int, whole: int, z: float = 1.96) -> tuple[float, float] | None:
    """The 95 % confidence interval of a share, in percent (Wilson score interval: it
    stays inside 0–100 and is honest for small samples and shares near 0 or 100)."""
    if not whole:
        return None
    p = part / whole
    denominator = 1 + z * z / whole
    centre = (p + z * z / (2 * whole)) / denominator
    half = z * math.sqrt(p * (1 - p) / whole + z * z / (4 * whole * whole)) / denominator
    return (round(100 * max(0.0, centre - half), 1), round(100 * min(1.0, centre + half), 1))


# The KPIs whose figure rests on survey answers: shown with their number of answers and
# as 参考値 below the minimum.
ANSWER_BASED = {Kpi.SATISFACTION}


@dataclass
class KpiValue:
    code: str
    label: str
    value: float | None
    unit: str  # "%", "min", "per_1000" (件/1,000件), "days"
    basis: str  # what it was computed from, e.g. "120 answers"
    higher_is_better: bool
    target: Decimal | None = None
    count: int | None = None  # the number behind ``basis`` (answers, visits, letters…)
    count_label: str = ""  # what ``count`` counts

    @property
    def indicative(self) -> bool:
        """参考値: a satisfaction figure from fewer answers than the minimum."""
        return self.code in ANSWER_BASED and self.value is not None and is_indicative(self.count)

    @property
    def met(self) -> bool | None:
        if self.value is None or self.target is None:
            return None
        target = float(self.target)
        return self.value >= target if self.higher_is_better else self.value <= target


HIGHER_IS_BETTER = {
    Kpi.SATISFACTION,
    Kpi.RESPONSE_RATE,
    Kpi.ONLINE_SHARE,
    Kpi.BOOKING_COMPLETION,
    Kpi.LETTER_CONVERSION,
    Kpi.RETENTION,
    Kpi.REPORTS_ON_TIME,
}
UNITS = {
    Kpi.WAIT_P50_BOOKED: "min",
    Kpi.WAIT_P90_BOOKED: "min",
    Kpi.WAIT_P50_WALK_IN: "min",
    Kpi.WAIT_P90_WALK_IN: "min",
    Kpi.HANDLING_P50: "min",
    Kpi.COMPLAINTS_PER_1000: "per_1000",
    Kpi.DAYS_TO_CLOSE: "days",
}


def _values(totals: Totals, complaints: dict, letters: list[dict]) -> dict[str, tuple]:
    """(value, basis, count, what the count counts) of every KPI for one period."""
    booked, walk_in = VisitKind.BOOKED, VisitKind.WALK_IN
    answers, done = totals.total("answers"), totals.total("done")
    visits = totals.total("visits")
    booked_due = totals.total("visits", booked) + totals.total("no_shows", booked)
    # Batches whose 30-day window is still open (集計中) are left out of the rate.
    final = [row for row in letters if not row.get("counting")]
    letters_sent = sum(row["letters"] for row in final)
    converted = sum(row["converted"] for row in final)
    still_counting = sum(row["letters"] for row in letters if row.get("counting"))
    letters_basis = _("%(n)s letters") % {"n": letters_sent}
    if still_counting:
        letters_basis += " " + _("(%(n)s more still counting)") % {"n": still_counting}
    wait = totals.wait_hist
    n = _("%(n)s answers")
    return {
        Kpi.SATISFACTION: (
            share(totals.total("satisfied"), answers),
            n % {"n": answers},
            answers,
            _("answers"),
        ),
        Kpi.RESPONSE_RATE: (
            share(answers, done),
            _("%(n)s finished visits") % {"n": done},
            done,
            _("finished visits"),
        ),
        Kpi.ONLINE_SHARE: (
            share(totals.total("visits", booked), visits),
            _("%(n)s visits") % {"n": visits},
            visits,
            _("visits"),
        ),
        Kpi.BOOKING_COMPLETION: (
            share(totals.total("bookings_served"), totals.total("bookings")),
            _("%(n)s bookings due") % {"n": totals.total("bookings")},
            totals.total("bookings"),
            _("bookings due"),
        ),
        Kpi.NO_SHOW_RATE: (
            share(totals.total("no_shows", booked), booked_due),
            _("%(n)s booked visits due") % {"n": booked_due},
            booked_due,
            _("booked visits due"),
        ),
        Kpi.WAIT_P50_BOOKED: _wait(wait.get(booked), 0.5),
        Kpi.WAIT_P90_BOOKED: _wait(wait.get(booked), 0.9),
        Kpi.WAIT_P50_WALK_IN: _wait(wait.get(walk_in), 0.5),
        Kpi.WAIT_P90_WALK_IN: _wait(wait.get(walk_in), 0.9),
        Kpi.HANDLING_P50: _wait(totals.handle_hist, 0.5),
        Kpi.LETTER_CONVERSION: (
            share(converted, letters_sent),
            letters_basis,
            letters_sent,
            _("letters"),
        ),
        Kpi.RETENTION: (
            share(totals.total("online_repeat"), totals.total("online_bookings")),
            _("%(n)s online bookings") % {"n": totals.total("online_bookings")},
            totals.total("online_bookings"),
            _("online bookings"),
        ),
        Kpi.COMPLAINTS_PER_1000: (
            round(1000 * complaints["received"] / visits, 2) if visits else None,
            _("%(complaints)s complaints, %(visits)s visits")
            % {"complaints": complaints["received"], "visits": visits},
            visits,
            _("visits"),
        ),
        Kpi.REPORTS_ON_TIME: (
            share(complaints["reports_on_time"], complaints["reports"]),
            _("%(n)s reports due") % {"n": complaints["reports"]},
            complaints["reports"],
            _("reports due"),
        ),
        Kpi.DAYS_TO_CLOSE: (
            complaints["days_to_close"],
            _("%(n)s closed") % {"n": complaints["closed"]},
            complaints["closed"],
            _("complaints closed"),
        ),
    }


def _wait(hist: list[int] | None, share: float) -> tuple:
    n = sum(hist) if hist else 0
    return (
        float(percentile(hist, share)) if n else None,
        _("%(n)s visits timed") % {"n": n},
        n,
        _("visits timed"),
    )


def kpi_trend(
    periods: list[Period], filters: Filters, detailed: list[Period] | None = None
) -> dict[Period, dict[str, tuple]]:
    """Every KPI for every period, oldest first, in a fixed number of queries. The
    percentiles and medians are computed for the ``detailed`` periods only (all by
    default; the overview charts no percentile over time)."""
    facts = fact_totals(periods, filters, detailed)
    complaints = complaint_totals(periods, filters, detailed)
    letters = letter_batches_by_period(periods, filters)
    return {
        period: _values(facts[period], complaints[period], letters[period]) for period in periods
    }


@dataclass
class TargetSet:
    """The targets in force for one period and scope, and where they come from: the
    period's own quarter, or carried forward from an earlier quarter with targets."""

    values: dict[str, Decimal]
    from_quarter: tuple[int, int] | None = None  # (fiscal year, quarter) they were set for
    carried: bool = False


def _target_scope(filters: Filters) -> Q:
    if filters.procedure_id:
        return Q(procedure_id=filters.procedure_id)
    if filters.department_id:
        return Q(department_id=filters.department_id, procedure__isnull=True)
    return Q(department__isnull=True, procedure__isnull=True)


def target_sets(periods: list[Period], filters: Filters | None = None) -> dict[Period, TargetSet]:
    """The targets of each period's fiscal quarter for the filters' scope (a procedure, a
    department, or city-wide), in one query. A quarter with no targets of its own takes
    the latest earlier quarter's, marked as carried forward. A fiscal year has none (its
    quarters have theirs)."""
    filters = filters or Filters()
    quarters = [p for p in periods if p.kind != "year"]
    result = {p: TargetSet(values={}) for p in periods}
    if not quarters:
        return result
    last = max((p.fiscal_year, p.quarter) for p in quarters)
    found: dict[tuple, dict] = defaultdict(dict)
    rows = Target.objects.filter(
        _target_scope(filters),
        Q(fiscal_year__lt=last[0]) | Q(fiscal_year=last[0], quarter__lte=last[1]),
    ).values_list("fiscal_year", "quarter", "kpi", "value")
    for year, number, kpi, value in rows:
        found[(year, number)][kpi] = value
    keys = sorted(found)
    for period in quarters:
        wanted = (period.fiscal_year, period.quarter)
        earlier = [key for key in keys if key <= wanted]
        if earlier:
            source = earlier[-1]
            result[period] = TargetSet(
                values=dict(found[source]), from_quarter=source, carried=source != wanted
            )
    return result


def targets_by_period(
    periods: list[Period], filters: Filters | None = None
) -> dict[Period, dict[str, Decimal]]:
    """The target values in force for each period (see ``target_sets``)."""
    return {period: ts.values for period, ts in target_sets(periods, filters).items()}


def targets_for(period: Period, filters: Filters | None = None) -> dict[str, Decimal]:
    """The targets of the period's fiscal quarter for the filters' scope (months inherit
    their quarter's; a year shows none, its quarters have their own)."""
    return targets_by_period([period], filters)[period]


def kpis(period: Period, filters: Filters, values: dict | None = None) -> list[KpiValue]:
    """The KPI table of one period with its targets."""
    values = values or kpi_trend([period], filters)[period]
    targets = targets_for(period, filters)
    return [
        KpiValue(
            code=code,
            label=str(Kpi(code).label),
            value=values[code][0],
            unit=UNITS.get(code, "%"),
            basis=values[code][1],
            higher_is_better=code in HIGHER_IS_BETTER,
            target=targets.get(code),
            count=values[code][2],
            count_label=values[code][3],
        )
        for code in Kpi.values
    ]


def first_data_day() -> dt.date | None:
    """The first day any dashboard has data for (counter facts, complaints, letters):
    the period picker offers nothing older. Three indexed MIN queries."""
    from django.db.models import Min

    firsts = [
        MonthlyFact.objects.aggregate(first=Min("month"))["first"],
        ComplaintMonthlyFact.objects.aggregate(first=Min("month"))["first"],
        LetterBatchFact.objects.aggregate(first=Min("made_on"))["first"],
    ]
    return min((day for day in firsts if day), default=None)


@dataclass
class GroupFigures:
    """The seed-002 figures of one group of visits (booked or walk-in)."""

    kind: str
    visits: int
    answers: int
    satisfied: int
    satisfaction: float | None
    interval: tuple[float, float] | None
    wait_p50: float | None
    wait_p90: float | None
    waits_timed: int
    handle_p50: float | None
    handles_timed: int
    done: int = 0
    first_visit_done: int = 0
    first_visit: float | None = None
    first_visit_interval: tuple[float, float] | None = None

    @property
    def indicative(self) -> bool:
        return self.satisfaction is not None and is_indicative(self.answers)


def _group(totals: Totals, kind: str) -> GroupFigures:
    answers = totals.total("answers", kind)
    satisfied = totals.total("satisfied", kind)
    wait = totals.wait_hist.get(kind)
    handle = totals.handle_hist_by_kind.get(kind)
    done = totals.total("done", kind)
    first_done = totals.total("first_visit_done", kind)
    return GroupFigures(
        kind=kind,
        visits=totals.total("visits", kind),
        answers=answers,
        satisfied=satisfied,
        satisfaction=share(satisfied, answers),
        interval=wilson_interval(satisfied, answers),
        wait_p50=_wait(wait, 0.5)[0],
        wait_p90=_wait(wait, 0.9)[0],
        waits_timed=sum(wait) if wait else 0,
        handle_p50=_wait(handle, 0.5)[0],
        handles_timed=sum(handle) if handle else 0,
        done=done,
        first_visit_done=first_done,
        first_visit=share(first_done, done),
        first_visit_interval=wilson_interval(first_done, done),
    )


def intervals_overlap(a: tuple[float, float] | None, b: tuple[float, float] | None) -> bool:
    if a is None or b is None:
        return True
    return a[0] <= b[1] and b[0] <= a[1]


def comparison_sentence(booked: GroupFigures, walk_in: GroupFigures) -> str:
    """The seed-002 hypothesis in plain words, from the numbers: a difference is claimed
    only when the two 95 % intervals do not overlap."""
    if booked.satisfaction is None or walk_in.satisfaction is None:
        sentence = _(
            "There are not yet survey answers from both booked and walk-in visitors in "
            "this period, so their satisfaction cannot be compared."
        )
    else:
        sentence = _satisfaction_sentence(booked, walk_in)
    if booked.first_visit is not None and walk_in.first_visit is not None:
        sentence += " " + _(
            "Completed on the first visit: %(booked)s%% of booked visits, %(walk_in)s%% of "
            "walk-in visits."
        ) % {"booked": "%g" % booked.first_visit, "walk_in": "%g" % walk_in.first_visit}
    if booked.wait_p50 is not None and walk_in.wait_p50 is not None:
        sentence += " " + _(
            "Half of the booked citizens waited %(booked)s minutes or less, half of the "
            "walk-in citizens %(walk_in)s minutes or less."
        ) % {"booked": "%g" % booked.wait_p50, "walk_in": "%g" % walk_in.wait_p50}
    return sentence


def _satisfaction_sentence(booked: GroupFigures, walk_in: GroupFigures) -> str:
    figures = {
        "booked": "%g" % booked.satisfaction,
        "booked_n": booked.answers,
        "walk_in": "%g" % walk_in.satisfaction,
        "walk_in_n": walk_in.answers,
        "points": "%g" % round(abs(booked.satisfaction - walk_in.satisfaction), 1),
    }
    if intervals_overlap(booked.interval, walk_in.interval):
        sentence = (
            _(
                "Satisfaction of citizens who booked was %(booked)s%% (%(booked_n)s answers), "
                "of citizens who came without booking %(walk_in)s%% (%(walk_in_n)s answers). "
                "The 95%% confidence intervals overlap, so we cannot say there is a "
                "difference."
            )
            % figures
        )
    elif booked.satisfaction > walk_in.satisfaction:
        sentence = (
            _(
                "Satisfaction of citizens who booked was %(booked)s%% (%(booked_n)s answers), "
                "%(points)s points higher than that of citizens who came without booking, "
                "%(walk_in)s%% (%(walk_in_n)s answers); the 95%% confidence intervals do not "
                "overlap."
            )
            % figures
        )
    else:
        sentence = (
            _(
                "Satisfaction of citizens who booked was %(booked)s%% (%(booked_n)s answers), "
                "%(points)s points lower than that of citizens who came without booking, "
                "%(walk_in)s%% (%(walk_in_n)s answers); the 95%% confidence intervals do not "
                "overlap."
            )
            % figures
        )
    if booked.indicative or walk_in.indicative:
        sentence += " " + _(
            "Fewer than %(n)s answers in a group: the figures are indicative only."
        ) % {"n": min_answers()}
    return sentence


def booked_vs_walk_in(period: Period, filters: Filters) -> dict:
    """Booked and walk-in visits of one period side by side (two queries on the monthly
    facts): satisfaction with its answers and 95 % interval, waiting P50/P90, handling
    time P50, and the plain-language sentence."""
    totals = fact_totals([period], filters)[period]
    booked = _group(totals, VisitKind.BOOKED)
    walk_in = _group(totals, VisitKind.WALK_IN)
    return {
        "booked": booked,
        "walk_in": walk_in,
        "overlap": intervals_overlap(booked.interval, walk_in.interval),
        "sentence": comparison_sentence(booked, walk_in),
    }


def _missing_letter_facts(first: dt.date, last: dt.date) -> None:
    """Batches made in [first, last) that the rollup job has not seen yet (made since
    its last run) get their facts now, so a new batch shows at once (as 集計中)."""
    from notices.models import LetterBatch

    missing = list(
        LetterBatch.objects.filter(created_at__gte=day_start(first), created_at__lt=day_start(last))
        .exclude(pk__in=LetterBatchFact.objects.values("batch_id"))
        .values_list("pk", flat=True)
    )
    if missing:
        from dashboards import rollup

        rollup.letter_facts_refresh(batch_ids=missing)


def letter_funnel(period: Period, filters: Filters, *, now: dt.datetime | None = None) -> dict:
    """The campaign funnel of the letter batches made in the period, per notice rule and
    batch: letters → booked with the letter's code within 30 days → visit done → survey
    answered → satisfied (4–5); and, as their own row, residents who got a letter and
    renewed without booking through it (a newer certificate of the same type in the
    imported records). A batch whose 30-day window is still open is 集計中 (counting).

    Read from the rollup (``LetterBatchFact``, ``LetterRuleFact``, kept by the beat job):
    two queries whatever the number of letters."""
    now = now or timezone.now()
    _missing_letter_facts(period.start, period.end)
    facts = LetterBatchFact.objects.filter(made_on__gte=period.start, made_on__lt=period.end)
    if filters.procedure_id:
        facts = facts.filter(procedure_id=filters.procedure_id)
    if filters.department_id:
        facts = facts.filter(department_id=filters.department_id)
    facts = list(facts.select_related("batch__rule").order_by("batch__created_at", "batch_id"))
    rules: dict[int, dict] = {}
    for fact in sorted(facts, key=lambda f: (f.batch.rule.name, f.batch.created_at)):
        batch = fact.batch
        sent = batch.mailed_at or batch.created_at
        counting = sent + LETTER_WINDOW > now
        row = {
            "letters": fact.letters,
            "n_booked": fact.converted,
            "n_done": fact.done,
            "n_answered": fact.answered,
            "n_satisfied": fact.satisfied,
        }
        rule = rules.setdefault(
            batch.rule_id,
            {"rule": batch.rule.name, "batches": [], "counting": False, "totals": defaultdict(int)},
        )
        rule["batches"].append(
            {
                "batch_id": batch.pk,
                "made_on": timezone.localdate(batch.created_at),
                "mailed_on": timezone.localdate(batch.mailed_at) if batch.mailed_at else None,
                "closes_on": timezone.localdate(sent + LETTER_WINDOW),
                "counting": counting,
                "steps": _funnel_steps(row),
                "without_booking": fact.renewed_without_booking,
                "renewed": fact.renewed,
            }
        )
        rule["counting"] = rule["counting"] or counting
        for key, value in row.items():
            rule["totals"][key] += value
        rule["totals"]["without_booking"] += fact.renewed_without_booking
        rule["totals"]["renewed"] += fact.renewed
    comparisons = {
        fact.rule_id: fact for fact in LetterRuleFact.objects.filter(rule_id__in=list(rules))
    }
    for rule_id, rule in rules.items():
        totals = rule.pop("totals")
        rule["steps"] = _funnel_steps(totals)
        rule["without_booking"] = totals["without_booking"]
        rule["renewed"] = totals["renewed"]
        rule["renewal_rate"] = share(totals["renewed"], totals["letters"])
        comparison = comparisons.get(rule_id)
        rule["comparison"] = None
        if comparison and comparison.due and comparison.first_letter_on:
            rule["comparison"] = {
                "due": comparison.due,
                "renewed": comparison.renewed,
                "rate": share(comparison.renewed, comparison.due),
                "since": comparison.first_letter_on - dt.timedelta(days=365),
                "until": comparison.first_letter_on,
            }
    return {"rules": list(rules.values())}


FUNNEL_STEPS = [
    ("letters", "letters"),
    ("booked", "n_booked"),
    ("done", "n_done"),
    ("answered", "n_answered"),
    ("satisfied", "n_satisfied"),
]


def _funnel_steps(row: dict) -> list[dict]:
    """Each step with its count, its share of the letters and of the step before."""
    steps, previous, letters = [], None, row["letters"]
    labels = {
        "letters": _("Letters mailed"),
        "booked": _("Booked within 30 days"),
        "done": _("Visit done"),
        "answered": _("Survey answered"),
        "satisfied": _("Satisfied (4–5)"),
    }
    for code, key in FUNNEL_STEPS:
        count = row[key]
        steps.append(
            {
                "code": code,
                "label": labels[code],
                "count": count,
                "of_letters": share(count, letters),
                "of_previous": share(count, previous) if previous is not None else None,
            }
        )
        previous = count
    return steps
