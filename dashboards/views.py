import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from config.documents import html_to_pdf
from dashboards import charts, figures, periods, rollup, selectors, services
from dashboards.forms import ActionForm, FilterForm, ReviewForm, TargetsForm
from dashboards.models import Kpi, QuarterAction, QuarterReview, Stage
from dashboards.templatetags.kpi import unit_name
from notices.capacity import capacity_shortfalls_cached as letter_capacity_shortfalls
from organization.csvexport import csv_response
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


def _selection(request):
    """The period and filters asked for; the current fiscal quarter by default. A
    period chosen under another period type is converted (see ``periods.coerce``)."""
    form = FilterForm(request.GET or None)
    today = timezone.localdate()
    kind, key, department, procedure = "quarter", "", None, None
    if form.is_valid():
        kind = form.cleaned_data["kind"] or "quarter"
        key = form.cleaned_data["period"]
        department = form.cleaned_data["department"]
        procedure = form.cleaned_data["procedure"]
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
        "today": today,
        "query": _query(period, filters),
        "refreshed_at": figures.state(request).refreshed_at,
        "fragment_key": figures.fragment_key(request, period, filters),
        "filter_names": _filter_names(form),
        "min_answers": selectors.min_answers(),
        "first_visit_days": rollup.FIRST_VISIT_DAYS,
    }


@require_GET
@manager_required
def period_options(request):
    """The period list of a period type (htmx: the picker follows the type in place)."""
    form, period, _filters = _selection(request)
    return render(
        request,
        "dashboards/_period_options.html",
        {"form": form, "period": period},
    )


def _query(period, filters) -> str:
    from urllib.parse import urlencode

    params = {"kind": period.kind, "period": period.key}
    if filters.department_id:
        params["department"] = filters.department_id
    if filters.procedure_id:
        params["procedure"] = filters.procedure_id
    return urlencode(params)


def _trend_rows(trend: dict, codes) -> list[dict]:
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
        rows = _trend_rows(trend, codes)
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


def _overview_context(request):
    form, period, filters = _selection(request)
    return {
        **_page_context(request, form, period, filters),
        **figures.cached(
            "overview",
            request,
            lambda: _overview_figures(period, filters),
            *figures.scope(period, filters),
        ),
        "overdue_now": figures.overdue_now(request, filters),
        "letter_shortfalls": letter_capacity_shortfalls(today=timezone.localdate()),
    }


def _filter_names(form) -> str:
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
    return redirect(request.POST.get("next") or "dashboards:overview")


@require_GET
@manager_required
def letters(request):
    form, period, filters = _selection(request)
    return render(
        request,
        "dashboards/letters.html",
        {
            **_page_context(request, form, period, filters),
            **figures.cached(
                "letters",
                request,
                lambda: _letters_figures(period, filters),
                *figures.scope(period, filters),
            ),
        },
    )


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
    form, period, filters = _selection(request)
    table = [
        kpi
        for kpi in _kpis_cached(request, period, filters)
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
        },
    )


def _kpis_cached(request, period, filters) -> list:
    """The KPI table of one period (the complaints page and the CSV share it)."""
    return figures.cached(
        "kpis", request, lambda: selectors.kpis(period, filters), *figures.scope(period, filters)
    )


def _csv(name: str, header: list, rows: list[list]) -> HttpResponse:
    # The one safe writer (formula cells neutralised, UTF-8 with a BOM for Excel).
    return csv_response(name, rows, header=header)


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
    return "%s (%s)" % (label, unit_name(unit))


# The tables ``export`` writes (tests download each one).
EXPORT_TABLES = ("kpis", "trend", "letters", "categories", "comparison", "funnel")


@require_GET
@manager_required
def export(request, table: str):
    """Any KPI table of the pages as CSV, with the same period and filters. Numbers are
    number cells, units are in the headers (or a unit column), results read 達成/未達成
    and counts have their own column."""
    if table not in EXPORT_TABLES:
        raise Http404
    form, period, filters = _selection(request)
    stem = "madoguchi-%s-%s" % (table, period.key)
    if table == "kpis":
        rows = [
            [
                k.code,
                k.label,
                _number(k.value),
                unit_name(k.unit),
                getattr(k, "count", None),
                getattr(k, "count_label", ""),
                _number(k.target),
                _result(k.met),
                _reliability(getattr(k, "indicative", False)),
            ]
            for k in _kpis_cached(request, period, filters)
        ]
        header = [
            _("code"),
            _("indicator"),
            _("value"),
            _("unit"),
            _("based on (number)"),
            _("based on (what)"),
            _("target"),
            _("result"),
            _("reliability"),
        ]
        return _csv(stem + ".csv", header, rows)
    if table == "trend":
        trend_periods = period.trend(TREND_LENGTH[period.kind])
        trend = selectors.kpi_trend(trend_periods, filters)
        rows = []
        for row in _trend_rows(trend, Kpi.values):
            rows.append(
                [row["code"], _with_unit(row["label"], row["unit"]), *map(_number, row["values"])]
            )
            if row.get("answer_based"):
                rows.append(
                    [
                        row["code"] + "_answers",
                        _("%(indicator)s: number of answers") % {"indicator": row["label"]},
                        *[cell["count"] for cell in row["cells"]],
                    ]
                )
        header = [_("code"), _("indicator"), *[p.label for p in trend_periods]]
        return _csv(stem + ".csv", header, rows)
    if table == "letters":
        rows = [
            [
                r["batch"].pk,
                r["batch"].rule.name,
                timezone.localtime(r["batch"].created_at).date().isoformat(),
                r["letters"],
                r["converted"],
                _number(r["rate"]),
                _("still counting") if r.get("counting") else "",
                r.get("closes_on"),
            ]
            for r in selectors.letter_batches(period, filters)
        ]
        header = [
            _("batch"),
            _("notice rule"),
            _("made on"),
            _("letters"),
            _("booked"),
            _("rate (%)"),
            _("status"),
            _("window closes on"),
        ]
        return _csv(stem + ".csv", header, rows)
    if table == "categories":
        rows = [
            [r["category"], r["now"], r["before"], r["recurrences"], _number(r["rate"])]
            for r in selectors.complaint_categories(period, filters)
        ]
        header = [
            _("category"),
            _("this period"),
            _("previous period"),
            _("recurrences"),
            _("recurrence (%)"),
        ]
        return _csv(stem + ".csv", header, rows)
    if table == "comparison":
        return _csv(stem + ".csv", *_comparison_csv(period, filters, _filter_names(form)))
    if table == "funnel":
        return _csv(stem + ".csv", *_funnel_csv(period, filters))
    raise Http404


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
    form, period, filters = _selection(request)
    return render(
        request,
        "dashboards/comparison.html",
        {
            **_page_context(request, form, period, filters),
            **figures.cached(
                "comparison",
                request,
                lambda: comparison_context(period, filters),
                *figures.scope(period, filters),
            ),
        },
    )


def _funnel_csv(period, filters) -> tuple[list, list]:
    """One row per notice rule and batch (and the rule's total): the count of each step,
    the renewals without booking, and whether the 30-day window is still open."""
    funnel = selectors.letter_funnel(period, filters)
    header = [
        _("notice rule"),
        _("batch"),
        _("made on"),
        *[label for _code, label in _funnel_labels()],
        _("renewed without booking through the letter"),
        _("status"),
        _("window closes on"),
    ]
    rows = []
    for rule in funnel["rules"]:
        rows.append(
            [
                rule["rule"],
                _("all batches"),
                None,
                *[step["count"] for step in rule["steps"]],
                rule["without_booking"],
                _("still counting") if rule["counting"] else "",
                None,
            ]
        )
        for batch in rule["batches"]:
            rows.append(
                [
                    rule["rule"],
                    batch["batch_id"],
                    batch["made_on"],
                    *[step["count"] for step in batch["steps"]],
                    batch["without_booking"],
                    _("still counting") if batch["counting"] else "",
                    batch["closes_on"],
                ]
            )
    return header, rows


def _funnel_labels():
    return [
        ("letters", _("letters mailed")),
        ("booked", _("booked within 30 days")),
        ("done", _("visits done")),
        ("answered", _("survey answers")),
        ("satisfied", _("satisfied (4–5)")),
    ]


def _comparison_csv(period, filters, scope: str) -> tuple[list, list]:
    data = selectors.booked_vs_walk_in(period, filters)
    header = [
        _("period"),
        _("department or procedure"),
        _("group"),
        _("visits"),
        _("answers"),
        _("satisfied (4–5)"),
        _("satisfaction (%)"),
        _("interval low (%)"),
        _("interval high (%)"),
        _("reliability"),
        _("waiting P50 (minutes)"),
        _("waiting P90 (minutes)"),
        _("visits timed"),
        _("handling P50 (minutes)"),
        _("finished visits"),
        _("completed on the first visit"),
        _("completed on the first visit (%)"),
    ]
    rows = []
    for label, group in ((_("Booked"), data["booked"]), (_("Walk-in"), data["walk_in"])):
        interval = group.interval or (None, None)
        rows.append(
            [
                period.label,
                scope,
                label,
                group.visits,
                group.answers,
                group.satisfied,
                _number(group.satisfaction),
                _number(interval[0]),
                _number(interval[1]),
                _reliability(group.indicative),
                _number(group.wait_p50),
                _number(group.wait_p90),
                group.waits_timed,
                _number(group.handle_p50),
                group.done,
                group.first_visit_done,
                _number(group.first_visit),
            ]
        )
    return header, rows


# --- PDCA review ---------------------------------------------------------------------


def _quarter_or_404(key: str) -> periods.Period:
    period = periods.parse(key)
    if period is None or period.kind != "quarter":
        raise Http404
    return period


@require_GET
@manager_required
def review_current(request):
    today = timezone.localdate()
    return redirect("dashboards:review", key=periods.period_containing(today, "quarter").key)


def _review_scope(request) -> tuple[selectors.Filters, str, str]:
    """The review's scope from the query string: city-wide, a department or a procedure
    (its targets; its review and actions are its department's). Returns the filters,
    their name and the query string that keeps them."""
    form = FilterForm(request.GET or None)
    if not (form.is_bound and form.is_valid()):
        return selectors.Filters(), _("Whole city hall"), ""
    department, procedure = form.cleaned_data["department"], form.cleaned_data["procedure"]
    if procedure is not None:
        department = procedure.department
    filters = selectors.Filters(
        department_id=department.pk if department else None,
        procedure_id=procedure.pk if procedure else None,
    )
    from urllib.parse import urlencode

    params = {}
    if department:
        params["department"] = department.pk
    if procedure:
        params["procedure"] = procedure.pk
    names = [str(x) for x in (department, procedure) if x is not None]
    return filters, " · ".join(names) or _("Whole city hall"), urlencode(params)


def _review_figures(period: periods.Period, filters: selectors.Filters) -> dict:
    """The review's KPI table with its four-quarter trend and the targets in force."""
    trend_periods = period.trend(4)
    trend = selectors.kpi_trend(trend_periods, filters)
    table = selectors.kpis(period, filters, values=trend[period])
    target_set = selectors.target_sets([period], filters)[period]
    for kpi in table:
        kpi.trend = [trend[p][kpi.code][0] for p in trend_periods]
        kpi.trend_cells = [
            {
                "value": trend[p][kpi.code][0],
                "count": trend[p][kpi.code][2],
                "indicative": kpi.code in selectors.ANSWER_BASED
                and trend[p][kpi.code][0] is not None
                and selectors.is_indicative(trend[p][kpi.code][2]),
            }
            for p in trend_periods
        ]
        kpi.answer_based = kpi.code in selectors.ANSWER_BASED
    return {
        "kpis": table,
        "trend_labels": [p.label for p in trend_periods],
        "target_set": target_set,
    }


def review_context(
    period: periods.Period, filters: selectors.Filters | None = None, request=None
) -> dict:
    """The review of a quarter: its figures (from the cache when a ``request`` is given)
    and, read live, its actions and the review text."""
    filters = filters or selectors.Filters()
    if request is None:
        found = _review_figures(period, filters)
    else:
        found = figures.cached(
            "review",
            request,
            lambda: _review_figures(period, filters),
            *figures.scope(period, filters),
        )
    table, target_set = found["kpis"], found["target_set"]
    department_id = filters.department_id
    actions = QuarterAction.objects.filter(
        fiscal_year=period.fiscal_year, quarter=period.quarter, department_id=department_id
    ).select_related("created_by")
    previous = period.previous()
    carried = QuarterAction.objects.filter(
        fiscal_year=previous.fiscal_year,
        quarter=previous.quarter,
        stage=Stage.ACT,
        department_id=department_id,
    )
    carried_from = None
    if target_set.carried and target_set.from_quarter:
        carried_from = periods.quarter(*target_set.from_quarter)
    return {
        "period": period,
        "wareki_label": periods.wareki_label(period),
        "kpis": table,
        "trend_labels": found["trend_labels"],
        "do_actions": [a for a in actions if a.stage == Stage.DO],
        "act_actions": [a for a in actions if a.stage == Stage.ACT],
        "carried": carried,
        "targets_carried_from": carried_from,
        "review": QuarterReview.objects.filter(
            fiscal_year=period.fiscal_year, quarter=period.quarter, department_id=department_id
        ).first(),
        "previous": previous,
        "next": period.next(),
        "generated_at": timezone.localtime(),
        "filters": filters,
    }


@require_http_methods(["GET", "POST"])
@manager_required
def review(request, key: str):
    period = _quarter_or_404(key)
    filters, scope_name, scope_query = _review_scope(request)
    context = review_context(period, filters, request)
    targets_form = TargetsForm(
        request.POST if request.POST.get("form") == "targets" else None,
        initial={k.code: k.target for k in context["kpis"]},
    )
    review_form = ReviewForm(
        request.POST if request.POST.get("form") == "review" else None,
        initial={
            "findings": context["review"].findings if context["review"] else "",
            "decisions": context["review"].decisions if context["review"] else "",
        },
    )
    action_form = ActionForm(request.POST if request.POST.get("form") == "action" else None)
    quarter = {"fiscal_year": period.fiscal_year, "quarter": period.quarter}
    here = reverse("dashboards:review", args=[key]) + ("?" + scope_query if scope_query else "")
    if request.method == "POST":
        which = request.POST.get("form")
        if which == "targets" and targets_form.is_valid():
            services.targets_set(
                **quarter,
                values=targets_form.cleaned_data,
                user=request.user,
                department_id=filters.department_id,
                procedure_id=filters.procedure_id,
            )
            messages.success(request, _("Targets saved."))
            return redirect(here)
        if which == "review" and review_form.is_valid():
            services.review_save(
                **quarter,
                **review_form.cleaned_data,
                user=request.user,
                department_id=filters.department_id,
            )
            messages.success(request, _("Review saved."))
            return redirect(here)
        if which == "action" and action_form.is_valid():
            services.action_add(
                **quarter,
                **action_form.cleaned_data,
                user=request.user,
                department_id=filters.department_id,
            )
            messages.success(request, _("Action added."))
            return redirect(here)
        if which not in ("targets", "review", "action"):
            raise Http404
    scope_form = FilterForm(request.GET or None)
    figures.filter_choices(scope_form)
    context.update(
        {
            "targets_form": targets_form,
            "review_form": review_form,
            "action_form": action_form,
            "scope_form": scope_form,
            "fragment_key": figures.fragment_key(request, period, filters),
            "scope_name": scope_name,
            "scope_query": scope_query,
        }
    )
    return render(
        request,
        "dashboards/review.html",
        context,
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@manager_required
def action_done(request, key: str, action_id: int):
    period = _quarter_or_404(key)
    action = get_object_or_404(
        QuarterAction, pk=action_id, fiscal_year=period.fiscal_year, quarter=period.quarter
    )
    services.action_mark_done(action=action, done=request.POST.get("done") != "0")
    _filters, _name, scope_query = _review_scope(request)
    here = reverse("dashboards:review", args=[key])
    return redirect(here + ("?" + scope_query if scope_query else ""))


def _pdf_svg(svg) -> str:
    """The page's SVG chart with a Japanese font named for WeasyPrint (it has no
    browser fallback for CJK text inside SVG)."""
    from django.utils.safestring import mark_safe

    return mark_safe(
        str(svg).replace("<svg ", '<svg font-family="IPAexGothic, IPAGothic, sans-serif" ', 1)
    )


@require_GET
@manager_required
def review_pdf(request, key: str):
    period = _quarter_or_404(key)
    filters, scope_name, _query_string = _review_scope(request)
    context = review_context(period, filters)
    trend_periods = period.trend(TREND_LENGTH["quarter"])
    trend = selectors.kpi_trend(trend_periods, filters, detailed=[])
    comparison = comparison_context(period, filters)
    pdf_svg = _pdf_svg
    context.update(
        {
            "scope_name": scope_name,
            "figures": [
                {**figure, "svg": pdf_svg(figure["svg"])}
                for figure in trend_figures(trend, trend_periods, filters)
            ],
            "chart_labels": [p.short_label for p in trend_periods],
            "comparison": {
                **comparison,
                "satisfaction_svg": pdf_svg(comparison["satisfaction_svg"]),
                "times_svg": pdf_svg(comparison["times_svg"]),
            },
            "funnel": selectors.letter_funnel(period, filters),
            "min_answers": selectors.min_answers(),
        }
    )
    html = render_to_string("dashboards/review_pdf.html", context, request=request)
    pdf = html_to_pdf(html)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="madoguchi-review-%s.pdf"' % key
    return response
