"""The quarter's PDCA review (管理職): its figures, targets, review text and actions,
and the same review as a PDF report."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from config.documents import html_to_pdf
from dashboards import figures, periods, roles, selectors, services
from dashboards.forms import ActionForm, FilterForm, ReviewForm, TargetsForm
from dashboards.models import QuarterAction, QuarterReview, Stage
from dashboards.views import TREND_LENGTH, comparison_context, manager_required, trend_figures


def _quarter_or_404(key: str) -> periods.Period:
    """The fiscal quarter ``key`` names, among those targets and reviews are kept for
    (a page of 1999-Q1 would show forms whose saving could only fail)."""
    period = periods.parse(key)
    if period is None or period.kind != "quarter":
        raise Http404
    try:
        services.check_quarter(period.fiscal_year, period.quarter)
    except services.PdcaError:
        raise Http404 from None
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


def _review_forms(request, context: dict) -> dict:
    """The three forms of the review page; only the one posted is bound."""
    posted = request.POST.get("form")
    return {
        "targets_form": TargetsForm(
            request.POST if posted == "targets" else None,
            initial={k.code: k.target for k in context["kpis"]},
        ),
        "review_form": ReviewForm(
            request.POST if posted == "review" else None,
            initial={
                "findings": context["review"].findings if context["review"] else "",
                "decisions": context["review"].decisions if context["review"] else "",
            },
        ),
        "action_form": ActionForm(request.POST if posted == "action" else None),
    }


def _review_saved(request, forms: dict, period: periods.Period, filters) -> bool:
    """Save the posted form when it is valid; says whether it was saved (a form with
    errors is shown again)."""
    which = request.POST.get("form")
    if which not in ("targets", "review", "action"):
        raise Http404
    form = forms[which + "_form"]
    if not form.is_valid():
        return False
    quarter = {"fiscal_year": period.fiscal_year, "quarter": period.quarter}
    user, department_id = request.user, filters.department_id
    if which == "targets":
        services.targets_set(
            **quarter,
            values=form.cleaned_data,
            user=user,
            department_id=department_id,
            procedure_id=filters.procedure_id,
        )
        messages.success(request, _("Targets saved."))
    elif which == "review":
        services.review_save(**quarter, **form.cleaned_data, user=user, department_id=department_id)
        messages.success(request, _("Review saved."))
    else:
        services.action_add(**quarter, **form.cleaned_data, user=user, department_id=department_id)
        messages.success(request, _("Action added."))
    return True


@require_http_methods(["GET", "POST"])
@manager_required
def review(request, key: str):
    period = _quarter_or_404(key)
    filters, scope_name, scope_query = _review_scope(request)
    may_edit = roles.may_edit_pdca(request, filters.department_id)
    if request.method == "POST" and not may_edit:
        raise PermissionDenied(_read_only_notice(filters))
    context = review_context(period, filters, request)
    forms = _review_forms(request, context)
    if request.method == "POST" and _review_saved(request, forms, period, filters):
        here = reverse("dashboards:review", args=[key])
        return redirect(here + ("?" + scope_query if scope_query else ""))
    scope_form = FilterForm(request.GET or None)
    figures.filter_choices(scope_form)
    context.update(
        {
            **forms,
            "scope_form": scope_form,
            "fragment_key": figures.fragment_key(request, period, filters),
            "scope_name": scope_name,
            "scope_query": scope_query,
            "may_edit": may_edit,
            "read_only_notice": "" if may_edit else _read_only_notice(filters),
        }
    )
    return render(
        request,
        "dashboards/review.html",
        context,
        status=400 if request.method == "POST" else 200,
    )


def _read_only_notice(filters: selectors.Filters) -> str:
    """Why the review is shown without its forms (and why a POST to it is refused)."""
    if filters.department_id is None:
        return _(
            "Only administrators can change the city-wide targets, review and actions; "
            "you can read them."
        )
    return _(
        "Only this department's managers and administrators can change its targets, "
        "review and actions; you can read them."
    )


@require_POST
@manager_required
def action_done(request, key: str, action_id: int):
    period = _quarter_or_404(key)
    action = get_object_or_404(
        QuarterAction, pk=action_id, fiscal_year=period.fiscal_year, quarter=period.quarter
    )
    if not roles.may_edit_pdca(request, action.department_id):
        raise PermissionDenied(
            _read_only_notice(selectors.Filters(department_id=action.department_id))
        )
    services.action_mark_done(action=action, done=request.POST.get("done") != "0")
    _filters, _name, scope_query = _review_scope(request)
    here = reverse("dashboards:review", args=[key])
    return redirect(here + ("?" + scope_query if scope_query else ""))


def _pdf_svg(svg) -> str:
    """The page's SVG chart with a Japanese font named for WeasyPrint (it has no
    browser fallback for CJK text inside SVG)."""
    return mark_safe(
        str(svg).replace("<svg ", '<svg font-family="IPAexGothic, IPAGothic, sans-serif" ', 1)
    )


@require_GET
@manager_required
def review_pdf(request, key: str):
    # The report a 課長 signs is Japanese, whatever language the manager's screen is in
    # (as the letters are).
    with translation.override("ja"):
        return _review_pdf(request, key)


def _review_pdf(request, key: str):
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
