"""Booked and walk-in visits side by side (the seed-002 hypothesis), with the sentence
that says in plain words what the numbers allow."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from dashboards.periods import Period
from dashboards.selectors.common import (
    Filters,
    Totals,
    is_indicative,
    min_answers,
    share,
    time_figure,
    wilson_interval,
)
from dashboards.selectors.indicators import fact_totals
from reservations.models import VisitKind


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
        wait_p50=time_figure(wait, 0.5)[0],
        wait_p90=time_figure(wait, 0.9)[0],
        waits_timed=sum(wait) if wait else 0,
        handle_p50=time_figure(handle, 0.5)[0],
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
