"""The dashboards' selectors, by topic: ``indicators`` (the KPI table, its trend and
targets; the definitions are there), ``complaints``, ``letters`` (the batches and the
campaign funnel), ``comparison`` (booked vs walk-in) and ``common`` (filters, sums and
the small statistics). Callers use ``selectors.<name>``; every public name is here."""

from dashboards.models import LETTER_WINDOW
from dashboards.selectors.common import (
    SUMMED,
    Filters,
    Totals,
    is_indicative,
    min_answers,
    percentile,
    share,
    time_figure,
    wilson_interval,
)
from dashboards.selectors.comparison import (
    GroupFigures,
    booked_vs_walk_in,
    comparison_sentence,
    intervals_overlap,
)
from dashboards.selectors.complaints import (
    complaint_categories,
    complaint_totals,
    overdue_now,
)
from dashboards.selectors.indicators import (
    ANSWER_BASED,
    HIGHER_IS_BETTER,
    UNITS,
    KpiValue,
    TargetSet,
    fact_totals,
    first_data_day,
    kpi_trend,
    kpis,
    target_sets,
    targets_by_period,
    targets_for,
)
from dashboards.selectors.letters import (
    FUNNEL_STEPS,
    letter_batches,
    letter_batches_by_period,
    letter_funnel,
)

__all__ = [
    "ANSWER_BASED",
    "FUNNEL_STEPS",
    "HIGHER_IS_BETTER",
    "LETTER_WINDOW",
    "SUMMED",
    "UNITS",
    "Filters",
    "GroupFigures",
    "KpiValue",
    "TargetSet",
    "Totals",
    "booked_vs_walk_in",
    "comparison_sentence",
    "complaint_categories",
    "complaint_totals",
    "fact_totals",
    "first_data_day",
    "intervals_overlap",
    "is_indicative",
    "kpi_trend",
    "kpis",
    "letter_batches",
    "letter_batches_by_period",
    "letter_funnel",
    "min_answers",
    "overdue_now",
    "percentile",
    "share",
    "target_sets",
    "targets_by_period",
    "targets_for",
    "time_figure",
    "wilson_interval",
]
