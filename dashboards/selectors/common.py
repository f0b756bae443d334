"""What every dashboard selector shares: the filters, the sums of the counter's
facts, and the small statistics (shares, percentiles, confidence intervals)."""

import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _

from dashboards.models import HIST_MINUTES

SUMMED = (
    "visits",
    "online_visits",
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


def time_figure(hist: list[int] | None, share: float) -> tuple:
    """(minutes at the ``share`` percentile, basis, count, what the count counts) of a
    minute histogram; no figure when nothing was timed."""
    n = sum(hist) if hist else 0
    return (
        float(percentile(hist, share)) if n else None,
        _("%(n)s visits timed") % {"n": n},
        n,
        _("visits timed"),
    )
