"""The complaint figures: totals per period and recurrence by category, from the
monthly complaint facts; open complaints overdue now, live."""

import datetime as dt

from django.db.models import Q, Sum
from django.utils import timezone

from complaints.models import Complaint
from complaints.selectors import overdue_condition
from dashboards.models import ComplaintMonthlyFact
from dashboards.periods import Period
from dashboards.selectors.common import Filters, share
from organization.translation import translated_from_row


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
