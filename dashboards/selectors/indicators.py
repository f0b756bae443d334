"""The KPIs: each one's definition, computed from recorded events, never typed in.

Counter KPIs read the daily rollup (``DailyFact``); complaint and letter KPIs read their
tables live with aggregates in SQL. Every function takes the periods it needs at once,
so a page costs the same few queries whatever the period, the filters and the history.

Definitions (the tests hold each to hand-made data):
- satisfaction: answers with overall 4 or 5 ÷ answers; shown with the number of
  answers and the response rate (answers ÷ finished visits);
- online booking share: visits booked online by the citizen ÷ all visits (citizens who
  came; no-shows apart). A telephone booking a clerk entered is not online;
- booking completion: bookings served ÷ bookings due in the period (cancelled ones
  count as not completed; expired holds and bookings moved to another time do not count);
- no-show rate: booked citizens who did not come ÷ booked visits due;
- waiting time: minutes from arrival — or the booked time, when the citizen came early —
  to the first call, P50 and P90, booked and walk-in apart;
- handling time: minutes from the start of service to done, P50;
- letter conversion: letters whose code was used for a booking within 30 days of the
  batch being mailed (or made) ÷ letters, by batch;
- repeat online use (retention): online bookings by people (same e-mail or phone) who
  had booked online before ÷ online bookings. A booking and its moves to other times
  are one booking, made when it was first made: a reschedule is neither a new online
  booking nor a return;
- complaints per 1,000 visits; share of complaint reports submitted by their deadline;
  median days from received to closed; open complaints overdue now; recurrence by
  category (complaints whose category had already been closed for the same department).
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Min, Q
from django.utils.translation import gettext as _

from dashboards.models import (
    ComplaintMonthlyFact,
    Kpi,
    LetterBatchFact,
    MonthlyFact,
    Target,
    hist_add,
)
from dashboards.periods import Period
from dashboards.selectors.common import SUMMED, Filters, Totals, is_indicative, share, time_figure
from dashboards.selectors.complaints import complaint_totals
from dashboards.selectors.letters import letter_batches_by_period
from reservations.models import VisitKind


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


def _visit_values(totals: Totals) -> dict[str, tuple]:
    """The counter's KPIs: satisfaction, response rate, bookings, waiting and handling."""
    booked, walk_in = VisitKind.BOOKED, VisitKind.WALK_IN
    answers, done = totals.total("answers"), totals.total("done")
    visits = totals.total("visits")
    booked_due = totals.total("visits", booked) + totals.total("no_shows", booked)
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
            share(totals.total("online_visits", booked), visits),
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
        Kpi.WAIT_P50_BOOKED: time_figure(wait.get(booked), 0.5),
        Kpi.WAIT_P90_BOOKED: time_figure(wait.get(booked), 0.9),
        Kpi.WAIT_P50_WALK_IN: time_figure(wait.get(walk_in), 0.5),
        Kpi.WAIT_P90_WALK_IN: time_figure(wait.get(walk_in), 0.9),
        Kpi.HANDLING_P50: time_figure(totals.handle_hist, 0.5),
    }


def _letter_value(letters: list[dict]) -> tuple:
    """Letter conversion; batches whose 30-day window is still open (集計中) are left
    out of the rate."""
    final = [row for row in letters if not row.get("counting")]
    letters_sent = sum(row["letters"] for row in final)
    converted = sum(row["converted"] for row in final)
    still_counting = sum(row["letters"] for row in letters if row.get("counting"))
    letters_basis = _("%(n)s letters") % {"n": letters_sent}
    if still_counting:
        letters_basis += " " + _("(%(n)s more still counting)") % {"n": still_counting}
    return (share(converted, letters_sent), letters_basis, letters_sent, _("letters"))


def _complaint_values(complaints: dict, visits: int) -> dict[str, tuple]:
    return {
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


def _values(totals: Totals, complaints: dict, letters: list[dict]) -> dict[str, tuple]:
    """(value, basis, count, what the count counts) of every KPI for one period."""
    return {
        **_visit_values(totals),
        Kpi.LETTER_CONVERSION: _letter_value(letters),
        Kpi.RETENTION: (
            share(totals.total("online_repeat"), totals.total("online_bookings")),
            _("%(n)s online bookings") % {"n": totals.total("online_bookings")},
            totals.total("online_bookings"),
            _("online bookings"),
        ),
        **_complaint_values(complaints, totals.total("visits")),
    }


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

    firsts = [
        MonthlyFact.objects.aggregate(first=Min("month"))["first"],
        ComplaintMonthlyFact.objects.aggregate(first=Min("month"))["first"],
        LetterBatchFact.objects.aggregate(first=Min("made_on"))["first"],
    ]
    return min((day for day in firsts if day), default=None)
