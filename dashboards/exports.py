"""The dashboards' tables as CSV: each export is a table description (the rows it
reads and its columns), written by one view. Numbers are number cells, units are in
the headers (or a unit column), results read 達成/未達成 and counts have their own
column."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from dashboards import periods, selectors, views
from dashboards.models import Kpi
from dashboards.templatetags.kpi import unit_name
from organization.csvexport import csv_response


def _number(value):
    """A figure as a number cell: whole numbers without ".0", nothing when unmeasured."""
    if value is None:
        return None
    value = float(value)
    return int(value) if value.is_integer() else round(value, 2)


def _result(met: bool | None) -> str:
    if met is None:
        return ""
    return _("met") if met else _("not met")


def _reliability(indicative: bool) -> str:
    return _("indicative (few answers)") if indicative else ""


def _with_unit(label, unit: str) -> str:
    """The indicator's name with its unit, once: a label that says it already
    (「待ち時間 P50・予約（分）」) is not given a second "(分)"."""
    label, name = str(label), unit_name(unit)
    # The times' labels end in their unit already: "(min)", 「（分）」.
    if unit == "min" or name.lower() in label.lower():
        return label
    return "%s (%s)" % (label, name)


@dataclass(frozen=True)
class Column:
    """One column: its header (with the unit when it has one, "rate (%)"), how a row
    gives its cell, and whether the cell is a figure (written as a number cell). A
    ``many`` column is several: one header per column, and the row gives their cells
    as a list (a trend's periods, a funnel's steps)."""

    header: Any
    value: Callable[[Any], Any]
    number: bool = False
    many: bool = False

    def headers(self) -> list[str]:
        return [str(header) for header in self.header] if self.many else [str(self.header)]

    def cells(self, row) -> list:
        values = self.value(row) if self.many else [self.value(row)]
        return [_number(value) for value in values] if self.number else list(values)


class Selection(NamedTuple):
    request: Any
    form: Any
    period: periods.Period
    filters: selectors.Filters


@dataclass(frozen=True)
class Table:
    """An export: its rows for a selection, and its columns (the same for every
    selection, or chosen by it: one column per period of a trend)."""

    rows: Callable[[Selection], Iterable]
    columns: Callable[[Selection], list[Column]]


def _fixed(*columns: Column) -> Callable[[Selection], list[Column]]:
    return lambda chosen: list(columns)


KPIS = Table(
    rows=lambda s: views.kpis_cached(s.request, s.period, s.filters),
    columns=_fixed(
        Column(gettext_lazy("code"), lambda k: k.code),
        Column(gettext_lazy("indicator"), lambda k: k.label),
        Column(gettext_lazy("value"), lambda k: k.value, number=True),
        Column(gettext_lazy("unit"), lambda k: unit_name(k.unit)),
        Column(gettext_lazy("based on (number)"), lambda k: getattr(k, "count", None)),
        Column(gettext_lazy("based on (what)"), lambda k: getattr(k, "count_label", "")),
        Column(gettext_lazy("target"), lambda k: k.target, number=True),
        Column(gettext_lazy("result"), lambda k: _result(k.met)),
        Column(
            gettext_lazy("reliability"),
            lambda k: _reliability(getattr(k, "indicative", False)),
        ),
    ),
)


def _trend_periods(chosen: Selection) -> list:
    return chosen.period.trend(views.TREND_LENGTH[chosen.period.kind])


def _trend_rows(chosen: Selection) -> list[dict]:
    """Per KPI its values, then (for a KPI read from survey answers) their counts."""
    trend = selectors.kpi_trend(_trend_periods(chosen), chosen.filters)
    rows = []
    for row in views.trend_rows(trend, Kpi.values):
        rows.append(
            {
                "code": row["code"],
                "indicator": _with_unit(row["label"], row["unit"]),
                "cells": [_number(value) for value in row["values"]],
            }
        )
        if row.get("answer_based"):
            rows.append(
                {
                    "code": row["code"] + "_answers",
                    "indicator": _("%(indicator)s: number of answers")
                    % {"indicator": row["label"]},
                    "cells": [cell["count"] for cell in row["cells"]],
                }
            )
    return rows


TREND = Table(
    rows=_trend_rows,
    columns=lambda s: [
        Column(gettext_lazy("code"), lambda r: r["code"]),
        Column(gettext_lazy("indicator"), lambda r: r["indicator"]),
        Column([p.label for p in _trend_periods(s)], lambda r: r["cells"], many=True),
    ],
)

LETTERS = Table(
    rows=lambda s: selectors.letter_batches(s.period, s.filters),
    columns=_fixed(
        Column(gettext_lazy("batch"), lambda r: r["batch"].pk),
        Column(gettext_lazy("notice rule"), lambda r: r["batch"].rule.name),
        Column(
            gettext_lazy("made on"),
            lambda r: timezone.localtime(r["batch"].created_at).date().isoformat(),
        ),
        Column(gettext_lazy("letters"), lambda r: r["letters"]),
        Column(gettext_lazy("booked"), lambda r: r["converted"]),
        Column(gettext_lazy("rate (%)"), lambda r: r["rate"], number=True),
        Column(gettext_lazy("status"), lambda r: _("still counting") if r.get("counting") else ""),
        Column(gettext_lazy("window closes on"), lambda r: r.get("closes_on")),
    ),
)

CATEGORIES = Table(
    rows=lambda s: selectors.complaint_categories(s.period, s.filters),
    columns=_fixed(
        Column(gettext_lazy("category"), lambda r: r["category"]),
        Column(gettext_lazy("this period"), lambda r: r["now"]),
        Column(gettext_lazy("previous period"), lambda r: r["before"]),
        Column(gettext_lazy("recurrences"), lambda r: r["recurrences"]),
        Column(gettext_lazy("recurrence (%)"), lambda r: r["rate"], number=True),
    ),
)


def _comparison_rows(chosen: Selection) -> list[dict]:
    """The booked and the walk-in group, each with the period and scope it covers."""
    scope = views.filter_names(chosen.form)
    data = selectors.booked_vs_walk_in(chosen.period, chosen.filters)
    return [
        {
            "period": chosen.period.label,
            "scope": scope,
            "label": label,
            "group": group,
            "interval": group.interval or (None, None),
        }
        for label, group in ((_("Booked"), data["booked"]), (_("Walk-in"), data["walk_in"]))
    ]


def _group(attribute: str) -> Callable[[dict], Any]:
    return lambda row: getattr(row["group"], attribute)


COMPARISON = Table(
    rows=_comparison_rows,
    columns=_fixed(
        Column(gettext_lazy("period"), lambda r: r["period"]),
        Column(gettext_lazy("department or procedure"), lambda r: r["scope"]),
        Column(gettext_lazy("group"), lambda r: r["label"]),
        Column(gettext_lazy("visits"), _group("visits")),
        Column(gettext_lazy("answers"), _group("answers")),
        Column(gettext_lazy("satisfied (4–5)"), _group("satisfied")),
        Column(gettext_lazy("satisfaction (%)"), _group("satisfaction"), number=True),
        Column(gettext_lazy("interval low (%)"), lambda r: r["interval"][0], number=True),
        Column(gettext_lazy("interval high (%)"), lambda r: r["interval"][1], number=True),
        Column(gettext_lazy("reliability"), lambda r: _reliability(r["group"].indicative)),
        Column(gettext_lazy("waiting P50 (minutes)"), _group("wait_p50"), number=True),
        Column(gettext_lazy("waiting P90 (minutes)"), _group("wait_p90"), number=True),
        Column(gettext_lazy("visits timed"), _group("waits_timed")),
        Column(gettext_lazy("handling P50 (minutes)"), _group("handle_p50"), number=True),
        Column(gettext_lazy("finished visits"), _group("done")),
        Column(gettext_lazy("completed on the first visit"), _group("first_visit_done")),
        Column(
            gettext_lazy("completed on the first visit (%)"), _group("first_visit"), number=True
        ),
    ),
)

# The funnel's steps, in the order of ``selectors.FUNNEL_STEPS``.
FUNNEL_LABELS = [
    gettext_lazy("letters mailed"),
    gettext_lazy("booked within 30 days"),
    gettext_lazy("visits done"),
    gettext_lazy("survey answers"),
    gettext_lazy("satisfied (4–5)"),
]


def _funnel_rows(chosen: Selection) -> list[dict]:
    """One row per notice rule (all its batches) followed by one per batch."""
    rows = []
    for rule in selectors.letter_funnel(chosen.period, chosen.filters)["rules"]:
        rows.append({**rule, "batch_id": _("all batches"), "made_on": None, "closes_on": None})
        rows.extend({**batch, "rule": rule["rule"]} for batch in rule["batches"])
    return rows


FUNNEL = Table(
    rows=_funnel_rows,
    columns=_fixed(
        Column(gettext_lazy("notice rule"), lambda r: r["rule"]),
        Column(gettext_lazy("batch"), lambda r: r["batch_id"]),
        Column(gettext_lazy("made on"), lambda r: r["made_on"]),
        Column(FUNNEL_LABELS, lambda r: [step["count"] for step in r["steps"]], many=True),
        Column(
            gettext_lazy("renewed without booking through the letter"),
            lambda r: r["without_booking"],
        ),
        Column(gettext_lazy("status"), lambda r: _("still counting") if r["counting"] else ""),
        Column(gettext_lazy("window closes on"), lambda r: r["closes_on"]),
    ),
)

TABLES = {
    "kpis": KPIS,
    "trend": TREND,
    "letters": LETTERS,
    "categories": CATEGORIES,
    "comparison": COMPARISON,
    "funnel": FUNNEL,
}

# The tables ``export`` writes (tests download each one).
EXPORT_TABLES = tuple(TABLES)


@require_GET
@views.manager_required
def export(request, table: str):
    """Any KPI table of the pages as CSV, with the same period and filters."""
    if table not in TABLES:
        raise Http404
    chosen = Selection(request, *views.selection(request))
    columns = TABLES[table].columns(chosen)
    rows = [
        [cell for column in columns for cell in column.cells(row)]
        for row in TABLES[table].rows(chosen)
    ]
    # The one safe writer (formula cells neutralised, UTF-8 with a BOM for Excel).
    return csv_response(
        "madoguchi-%s-%s.csv" % (table, chosen.period.key),
        rows,
        header=[header for column in columns for header in column.headers()],
    )
