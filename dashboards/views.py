from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dashboards import charts, periods, rollup, selectors, services
from dashboards.forms import ActionForm, FilterForm, ReviewForm, TargetsForm
from dashboards.models import Kpi, QuarterAction, QuarterReview, Stage
from organization.csvexport import csv_response
from organization.models import Role
from organization.permissions import role_required

# The dashboards are the managers' (管理職): other staff cannot open them.
manager_required = role_required(Role.MANAGER)

TREND_LENGTH = {"month": 12, "quarter": 8, "year": 4}
CHARTED = {
    "satisfaction": [Kpi.SATISFACTION, Kpi.RESPONSE_RATE],
    "booking": [Kpi.ONLINE_SHARE, Kpi.BOOKING_COMPLETION, Kpi.NO_SHOW_RATE, Kpi.RETENTION],
    # One unit per chart: complaints per 1,000 visits (‰) apart from the shares (%).
    "complaints": [Kpi.COMPLAINTS_PER_1000],
}


def _selection(request):
    """The period and filters asked for; the current fiscal quarter by default."""
    form = FilterForm(request.GET or None)
    today = timezone.localdate()
    kind, key, department, procedure = "quarter", "", None, None
    if form.is_valid():
        kind = form.cleaned_data["kind"] or "quarter"
        key = form.cleaned_data["period"]
        department = form.cleaned_data["department"]
        procedure = form.cleaned_data["procedure"]
    period = periods.parse(key) if key else None
    if period is None or period.kind != kind:
        period = periods.period_containing(today, kind)
    form.fields["period"].widget.choices = [
        (p.key, p.label) for p in reversed(periods.period_containing(today, kind).trend(24))
    ]
    filters = selectors.Filters(
        department_id=department.pk if department else None,
        procedure_id=procedure.pk if procedure else None,
    )
    return form, period, filters


def _query(period, filters) -> str:
    from urllib.parse import urlencode

    params = {"kind": period.kind, "period": period.key}
    if filters.department_id:
        params["department"] = filters.department_id
    if filters.procedure_id:
        params["procedure"] = filters.procedure_id
    return urlencode(params)


def _trend_rows(trend: dict, codes) -> list[dict]:
    return [
        {
            "code": code,
            "label": Kpi(code).label,
            "unit": selectors.UNITS.get(code, "%"),
            "values": [trend[p][code][0] for p in trend],
        }
        for code in codes
    ]


def _overview_context(request):
    form, period, filters = _selection(request)
    trend_periods = period.trend(TREND_LENGTH[period.kind])
    trend = selectors.kpi_trend(trend_periods, filters, detailed=[period])
    table = selectors.kpis(period, filters, values=trend[period])
    labels = [p.short_label for p in trend_periods]
    city_wide = not (filters.department_id or filters.procedure_id)
    targets = selectors.targets_by_period(trend_periods) if city_wide else {}
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
        "form": form,
        "period": period,
        "filters": filters,
        "kpis": table,
        "figures": figures,
        "waiting": waiting,
        "trend_labels": [p.label for p in trend_periods],
        "query": _query(period, filters),
        "refreshed_at": rollup.last_refreshed(),
        "overdue_now": selectors.overdue_now(filters),
        "filter_names": _filter_names(form),
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
    rows = selectors.letter_batches(period, filters)
    total = sum(r["letters"] for r in rows)
    converted = sum(r["converted"] for r in rows)
    return render(
        request,
        "dashboards/letters.html",
        {
            "form": form,
            "period": period,
            "rows": rows,
            "total": total,
            "converted": converted,
            "rate": selectors.share(converted, total),
            "query": _query(period, filters),
            "filter_names": _filter_names(form),
        },
    )


@require_GET
@manager_required
def complaints(request):
    form, period, filters = _selection(request)
    table = [
        kpi
        for kpi in selectors.kpis(period, filters)
        if kpi.code in (Kpi.COMPLAINTS_PER_1000, Kpi.REPORTS_ON_TIME, Kpi.DAYS_TO_CLOSE)
    ]
    return render(
        request,
        "dashboards/complaints.html",
        {
            "form": form,
            "period": period,
            "kpis": table,
            "categories": selectors.complaint_categories(period, filters),
            "overdue_now": selectors.overdue_now(filters),
            "query": _query(period, filters),
            "filter_names": _filter_names(form),
        },
    )


def _csv(name: str, header: list, rows: list[list]) -> HttpResponse:
    # The one safe writer (formula cells neutralised, UTF-8 with a BOM for Excel).
    return csv_response(name, rows, header=header)


def _number(value) -> str:
    return "" if value is None else ("%g" % value)


# The tables ``export`` writes (tests download each one).
EXPORT_TABLES = ("kpis", "trend", "letters", "categories")


@require_GET
@manager_required
def export(request, table: str):
    """Any KPI table of the pages as CSV, with the same period and filters."""
    if table not in EXPORT_TABLES:
        raise Http404
    _form, period, filters = _selection(request)
    stem = "madoguchi-%s-%s" % (table, period.key)
    if table == "kpis":
        rows = [
            [k.code, k.label, _number(k.value), k.unit, k.basis, _number(k.target), k.met]
            for k in selectors.kpis(period, filters)
        ]
        header = [
            _("code"),
            _("indicator"),
            _("value"),
            _("unit"),
            _("basis"),
            _("target"),
            _("met"),
        ]
        return _csv(stem + ".csv", header, rows)
    if table == "trend":
        trend_periods = period.trend(TREND_LENGTH[period.kind])
        trend = selectors.kpi_trend(trend_periods, filters)
        rows = [
            [row["code"], row["label"], *map(_number, row["values"])]
            for row in _trend_rows(trend, Kpi.values)
        ]
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
            ]
            for r in selectors.letter_batches(period, filters)
        ]
        header = [
            _("batch"),
            _("notice rule"),
            _("made on"),
            _("letters"),
            _("booked"),
            _("rate %"),
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
            _("recurrence %"),
        ]
        return _csv(stem + ".csv", header, rows)
    raise Http404


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


def review_context(period: periods.Period) -> dict:
    trend_periods = period.trend(4)
    filters = selectors.Filters()
    trend = selectors.kpi_trend(trend_periods, filters)
    table = selectors.kpis(period, filters, values=trend[period])
    for kpi in table:
        kpi.trend = [trend[p][kpi.code][0] for p in trend_periods]
    actions = QuarterAction.objects.filter(
        fiscal_year=period.fiscal_year, quarter=period.quarter
    ).select_related("created_by")
    previous = period.previous()
    carried = QuarterAction.objects.filter(
        fiscal_year=previous.fiscal_year, quarter=previous.quarter, stage=Stage.ACT
    )
    return {
        "period": period,
        "kpis": table,
        "trend_labels": [p.label for p in trend_periods],
        "do_actions": [a for a in actions if a.stage == Stage.DO],
        "act_actions": [a for a in actions if a.stage == Stage.ACT],
        "carried": carried,
        "review": QuarterReview.objects.filter(
            fiscal_year=period.fiscal_year, quarter=period.quarter
        ).first(),
        "previous": previous,
        "next": period.next(),
        "generated_at": timezone.localtime(),
    }


@require_http_methods(["GET", "POST"])
@manager_required
def review(request, key: str):
    period = _quarter_or_404(key)
    context = review_context(period)
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
    if request.method == "POST":
        which = request.POST.get("form")
        if which == "targets" and targets_form.is_valid():
            services.targets_set(**quarter, values=targets_form.cleaned_data, user=request.user)
            messages.success(request, _("Targets saved."))
            return redirect("dashboards:review", key=key)
        if which == "review" and review_form.is_valid():
            services.review_save(**quarter, **review_form.cleaned_data, user=request.user)
            messages.success(request, _("Review saved."))
            return redirect("dashboards:review", key=key)
        if which == "action" and action_form.is_valid():
            services.action_add(**quarter, **action_form.cleaned_data, user=request.user)
            messages.success(request, _("Action added."))
            return redirect("dashboards:review", key=key)
        if which not in ("targets", "review", "action"):
            raise Http404
    context.update(
        {
            "targets_form": targets_form,
            "review_form": review_form,
            "action_form": action_form,
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
    return redirect("dashboards:review", key=key)


@require_GET
@manager_required
def review_pdf(request, key: str):
    from weasyprint import HTML

    from notices.letters import safe_fetcher

    period = _quarter_or_404(key)
    html = render_to_string("dashboards/review_pdf.html", review_context(period), request=request)
    pdf = HTML(string=html, url_fetcher=safe_fetcher()).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="madoguchi-review-%s.pdf"' % key
    return response
