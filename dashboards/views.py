import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from dashboards import charts, figures, periods, rollup, selectors
from dashboards.forms import FilterForm
from dashboards.models import Kpi
from notices.capacity import capacity_shortfalls_cached as letter_capacity_shortfalls
from organization.http import safe_next
from organization.models import Role
from organization.permissions import role_required

# The dashboards are the managers' (管理職): other staff cannot open them.
manager_required = role_required(Role.MANAGER)

TREND_LENGTH = {"month": 12, "quarter": 8, "year": 4}
CHARTED = {
    "satisfaction": [Kpi.SATISFACTION, Kpi.RESPONSE_RATE],
    "booking": [Kpi.ONLINE_SHARE, Kpi.BOOKING_COMPLETION, Kpi.NO_SHOW_RATE, Kpi.RETENTION],
    # One unit per chart: complaints per 1,000 visits apart from the shares (%).
    "complaints": [Kpi.COMPLAINTS_PER_1000],
}


def period_choices(
    kind: str,
    today: dt.date,
    selected: periods.Period | None = None,
    first_data_day: dt.date | None = None,
):
    """(key, label) of the periods of ``kind`` that have data (from ``first_data_day``,
    looked up when not given), newest first; the running period is marked as partial,
    and the selected one is always offered."""
    first = first_data_day or selectors.first_data_day() or today
    found = periods.span(first, today, kind)
    if selected is not None and selected not in found:
        found = sorted([*found, selected], reverse=True)
    return [(p.key, _period_label(p, today)) for p in found]


def _period_label(period: periods.Period, today: dt.date) -> str:
    if period.contains(today):
        return _("%(period)s (so far)") % {"period": period.label}
    return period.label


def selection(request):
    """The period and filters asked for; the current fiscal quarter by default. A
    period chosen under another period type is converted (see ``periods.coerce``)."""
    form = FilterForm(request.GET or None)
    today = timezone.localdate()
    # Each filter that is right is kept, each that is not is left out (and the page says
    # which): a department that does not exist does not also drop the period asked for.
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    kind = data.get("kind") or "quarter"
    key = data.get("period") or ""
    department, procedure = data.get("department"), data.get("procedure")
    period = periods.parse(key) if key else None
    period = (
        periods.coerce(period, kind, today)
        if period is not None
        else periods.period_containing(today, kind)
    )
    first_day = figures.cached(
        "first-data-day", request, selectors.first_data_day, per_language=False
    )
    form.fields["period"].widget.choices = period_choices(kind, today, period, first_day)
    figures.filter_choices(form)
    filters = selectors.Filters(
        department_id=department.pk if department else None,
        procedure_id=procedure.pk if procedure else None,
    )
    return form, period, filters


def _page_context(request, form, period, filters) -> dict:
    """What every dashboard page shows around its figures: the period (partial or
    not), the filters, and how old the numbers are (read live with the figures'
    version, never from the cache)."""
    today = timezone.localdate()
    return {
        "form": form,
        "period": period,
        "filters": filters,
        "period_partial": period.contains(today),
        "period_future": period.start > today,
        "today": today,
        "query": _query(period, filters),
        "refreshed_at": figures.state(request).refreshed_at,
        "fragment_key": figures.fragment_key(request, period, filters),
        "filter_names": filter_names(form),
        "filters_refused": [
            str(form.fields[name].label) for name in form.errors if name in form.fields
        ],
        "min_answers": selectors.min_answers(),
        "first_visit_days": rollup.FIRST_VISIT_DAYS,
    }


@require_GET
@manager_required
def period_options(request):
    """The period list of a period type (htmx: the picker follows the type in place)."""
    form, period, _filters = selection(request)
    return render(
        request,
        "dashboards/_period_options.html",
        {"form": form, "period": period},
    )


def _query(period, filters) -> str:
    params = {"kind": period.kind, "period": period.key}
    if filters.department_id:
        params["department"] = filters.department_id
    if filters.procedure_id:
        params["procedure"] = filters.procedure_id
    return urlencode(params)


def trend_rows(trend: dict, codes) -> list[dict]:
    """Per KPI its value in each period, with the count behind each value (a
    satisfaction figure is never shown without its number of answers)."""
    return [
        {
            "code": code,
            "label": Kpi(code).label,
            "unit": selectors.UNITS.get(code, "%"),
            "values": [trend[p][code][0] for p in trend],
            "answer_based": code in selectors.ANSWER_BASED,
            "cells": [
                {
                    "value": trend[p][code][0],
                    "count": trend[p][code][2],
                    "indicative": code in selectors.ANSWER_BASED
                    and trend[p][code][0] is not None
                    and selectors.is_indicative(trend[p][code][2]),
                }
                for p in trend
            ],
        }
        for code in codes
    ]


def trend_figures(trend: dict, trend_periods: list, filters) -> list[dict]:
    """The trend charts (SVG) with their rows, the same on the page and in the PDF."""
    labels = [p.short_label for p in trend_periods]
    targets = selectors.targets_by_period(trend_periods, filters)
    target_label = _("target")
    figures = []
    for chart_id, codes in CHARTED.items():
        rows = trend_rows(trend, codes)
        unit = rows[0]["unit"]
        first_targets = [targets.get(p, {}).get(codes[0]) for p in trend_periods]
        figures.append(
            {
                "id": chart_id,
                "rows": rows,
                "svg": charts.line_chart(
                    chart_id=chart_id,
                    title=" / ".join(str(r["label"]) for r in rows),
                    description=_(
                        "Trend over the last %(n)s periods; the table below has the numbers."
                    )
                    % {"n": len(labels)},
                    labels=labels,
                    series=[(str(r["label"]), r["values"]) for r in rows],
                    unit=unit,
                    targets=[float(t) if t is not None else None for t in first_targets],
                    target_label=target_label,
                ),
            }
        )
    return figures


def _overview_figures(period, filters) -> dict:
    """The overview's figures: the KPI table, the trend charts and the waiting chart."""
    trend_periods = period.trend(TREND_LENGTH[period.kind])
    trend = selectors.kpi_trend(trend_periods, filters, detailed=[period])
    table = selectors.kpis(period, filters, values=trend[period])
    wait_codes = [
        (Kpi.WAIT_P50_BOOKED, Kpi.WAIT_P50_WALK_IN),
        (Kpi.WAIT_P90_BOOKED, Kpi.WAIT_P90_WALK_IN),
    ]
    values = trend[period]
    waiting = {
        "groups": [_("P50 (half waited less)"), _("P90 (9 in 10 waited less)")],
        "booked": [values[b][0] for b, _w in wait_codes],
        "walk_in": [values[w][0] for _b, w in wait_codes],
    }
    waiting["svg"] = charts.bar_chart(
        chart_id="waiting",
        title=_("Waiting time in minutes, booked and walk-in"),
        description=_("Minutes from arrival (or the booked time) to the first call."),
        groups=waiting["groups"],
        series=[(_("Booked"), waiting["booked"]), (_("Walk-in"), waiting["walk_in"])],
        unit="min",
    )
    return {
        "kpis": table,
        "figures": trend_figures(trend, trend_periods, filters),
        "waiting": waiting,
        "trend_labels": [p.label for p in trend_periods],
    }


def figures_context(request, name: str, compute) -> tuple[dict, selectors.Filters]:
    """A dashboard page's context: the selection, what surrounds every page, and the page's
    figures, ``compute(period, filters)`` cached per version of the rollup."""
    form, period, filters = selection(request)
    context = {
        **_page_context(request, form, period, filters),
        **figures.cached(
            name, request, lambda: compute(period, filters), *figures.scope(period, filters)
        ),
    }
    return context, filters


def _overview_context(request):
    context, filters = figures_context(request, "overview", _overview_figures)
    return {
        **context,
        # Every figure "—": say why rather than show an empty page.
        "period_empty": all(kpi.value is None and not kpi.count for kpi in context["kpis"]),
        "overdue_now": figures.overdue_now(request, filters),
        "letter_shortfalls": letter_capacity_shortfalls(today=timezone.localdate()),
    }


def filter_names(form) -> str:
    """The department and procedure chosen, as the filter form already loaded them."""
    chosen = form.cleaned_data if form.is_bound and form.is_valid() else {}
    names = [str(chosen[name]) for name in ("department", "procedure") if chosen.get(name)]
    return " · ".join(names) or _("Whole city hall")


@require_GET
@manager_required
def overview(request):
    return render(request, "dashboards/overview.html", _overview_context(request))


@require_POST
@manager_required
def refresh(request):
    """Recompute the changed days now instead of waiting for the 5-minute job."""
    rollup.facts_refresh_changed()
    messages.success(request, _("The figures are up to date."))
    return redirect(safe_next(request, "dashboards:overview"))


@require_GET
@manager_required
def letters(request):
    context, _filters = figures_context(request, "letters", _letters_figures)
    return render(request, "dashboards/letters.html", context)


def _letters_figures(period, filters) -> dict:
    rows = selectors.letter_batches(period, filters)
    final = [r for r in rows if not r["counting"]]
    total = sum(r["letters"] for r in final)
    converted = sum(r["converted"] for r in final)
    return {
        "rows": rows,
        "total": total,
        "converted": converted,
        "rate": selectors.share(converted, total),
        "counting": [r for r in rows if r["counting"]],
        "funnel": selectors.letter_funnel(period, filters),
    }


@require_GET
@manager_required
def complaints(request):
    form, period, filters = selection(request)
    table = [
        kpi
        for kpi in kpis_cached(request, period, filters)
        if kpi.code in (Kpi.COMPLAINTS_PER_1000, Kpi.REPORTS_ON_TIME, Kpi.DAYS_TO_CLOSE)
    ]
    categories = figures.cached(
        "complaint-categories",
        request,
        lambda: selectors.complaint_categories(period, filters),
        *figures.scope(period, filters),
    )
    return render(
        request,
        "dashboards/complaints.html",
        {
            **_page_context(request, form, period, filters),
            "kpis": table,
            "categories": categories,
            "overdue_now": figures.overdue_now(request, filters),
            "overdue_query": urlencode(
                {
                    "overdue": "reports",
                    **({"department": filters.department_id} if filters.department_id else {}),
                    **({"procedure": filters.procedure_id} if filters.procedure_id else {}),
                }
            ),
        },
    )


def kpis_cached(request, period, filters) -> list:
    """The KPI table of one period (the complaints page and the CSV share it)."""
    return figures.cached(
        "kpis", request, lambda: selectors.kpis(period, filters), *figures.scope(period, filters)
    )


# --- Booked vs walk-in (seed 002) -----------------------------------------------------


def comparison_context(period, filters) -> dict:
    data = selectors.booked_vs_walk_in(period, filters)
    booked, walk_in = data["booked"], data["walk_in"]
    data["groups"] = [booked, walk_in]
    data["satisfaction_svg"] = charts.interval_chart(
        chart_id="comparison-satisfaction",
        title=_("Satisfaction (share of 4–5) with its confidence interval (95%)"),
        description=_("Booked and walk-in visitors; the table below has the numbers."),
        rows=[
            (
                _("Booked") + " (n=%d)" % booked.answers,
                booked.satisfaction,
                booked.interval,
            ),
            (
                _("Walk-in") + " (n=%d)" % walk_in.answers,
                walk_in.satisfaction,
                walk_in.interval,
            ),
        ],
    )
    data["times_svg"] = charts.bar_chart(
        chart_id="comparison-times",
        title=_("Waiting and handling time in minutes, booked and walk-in"),
        description=_("Minutes from arrival (or the booked time) to the first call."),
        groups=[_("Waiting P50"), _("Waiting P90"), _("Handling P50")],
        series=[
            (_("Booked"), [booked.wait_p50, booked.wait_p90, booked.handle_p50]),
            (_("Walk-in"), [walk_in.wait_p50, walk_in.wait_p90, walk_in.handle_p50]),
        ],
        unit="min",
    )
    return data


@require_GET
@manager_required
def comparison(request):
    context, _filters = figures_context(request, "comparison", comparison_context)
    return render(request, "dashboards/comparison.html", context)
