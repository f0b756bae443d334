"""Pages of the renewal letters: need-to-know per department.

Every object is looked up through the selectors' ``visible_*`` querysets, so the staff
of another department get 404 on its URLs and no counts on the overview; managers and
administrators see all (notices/selectors.py).
"""

import datetime as dt
import logging

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from config.checks import site_url_problem
from dashboards import charts
from notices import capacity, letters, selectors, services
from notices.forms import ImportForm
from notices.models import Letter, MoveStatus
from organization.csvexport import csv_streaming_response
from organization.http import NotFound, id_param
from organization.models import Role
from organization.permissions import role_required
from organization.services import access_log_read

logger = logging.getLogger(__name__)

certificate_staff_required = role_required(Role.DEPARTMENT_STAFF, Role.MANAGER, Role.ADMINISTRATOR)

# Rows of refused lines shown on the report page; the CSV download has them all.
REPORT_ROWS_SHOWN = 1000


def _department_without_types(user) -> bool:
    """Department staff whose department owns no certificate type: every row they could
    upload would be refused (managers and administrators import any type there is)."""
    return (
        selectors.certificate_department(user) is not None
        and not selectors.visible_certificate_types(user).exists()
    )


def _import_page(request, form, status=200):
    return render(
        request,
        "notices/import.html",
        {
            "form": form,
            "columns": services.COLUMNS,
            "required": services.REQUIRED,
            "types": selectors.visible_certificate_types(request.user),
            "nothing_to_import": _department_without_types(request.user),
            "recent": selectors.visible_import_runs(request.user)[:10],
            "max_cell_chars": settings.IMPORT_MAX_CELL_CHARS,
            "max_line_bytes": settings.IMPORT_MAX_LINE_BYTES,
            "max_megabytes": settings.IMPORT_MAX_UPLOAD_BYTES // (1024 * 1024),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@certificate_staff_required
def import_certificates(request):
    if request.method == "GET":
        return _import_page(request, ImportForm())
    # Refuse an oversize upload by its declared length, before its body is read.
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > settings.IMPORT_MAX_UPLOAD_BYTES + 64 * 1024:
        form = ImportForm(data={})
        form.full_clean()
        form.errors.clear()
        form.add_error(None, ImportForm.too_large_message())
        return _import_page(request, form, status=413)
    form = ImportForm(request.POST, request.FILES)
    if form.is_valid() and _department_without_types(request.user):
        # Every row would be refused: said before anything is read (the page says so too).
        form.add_error(
            "file",
            _("none: ask an administrator to give your department its certificate types"),
        )
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            run = services.import_run_start(
                upload=upload,
                file_name=upload.name,
                user=request.user,
                department_id=selectors.certificate_department(request.user),
            )
        except services.ImportRefused as error:
            form.add_error("file", str(error))
        else:
            return redirect("notices:import_report", run_id=run.pk)
    return _import_page(request, form)


@certificate_staff_required
def import_report(request, run_id: int):
    """The import's progress while it runs (the page polls the progress part with htmx),
    then its report."""
    run = get_object_or_404(selectors.visible_import_runs(request.user), pk=run_id)
    errors = list(run.row_errors.order_by("line", "pk")[:REPORT_ROWS_SHOWN])
    template = "notices/_import_progress.html" if request.htmx else "notices/import_report.html"
    stalled_since = timezone.now() - dt.timedelta(seconds=settings.IMPORT_RETRY_SECONDS)
    return render(
        request,
        template,
        {
            "run": run,
            "errors": errors,
            "more_errors": run.refused - len(errors),
            "warnings": list(run.row_warnings.order_by("line", "pk")[:REPORT_ROWS_SHOWN]),
            "moves": list(
                run.row_moves.select_related(
                    "old_certificate_type", "new_certificate_type"
                ).order_by("line", "pk")[:REPORT_ROWS_SHOWN]
            ),
            "moves_waiting": run.row_moves.filter(status=MoveStatus.WAITING).count(),
            "stalled": not run.is_finished
            and (run.progress_at is None or run.progress_at <= stalled_since),
        },
    )


@require_POST
@certificate_staff_required
def import_resume(request, run_id: int):
    """Resume an import that stopped making progress (see services.import_run_resume)."""
    run = get_object_or_404(selectors.visible_import_runs(request.user), pk=run_id)
    if not services.import_run_resume(run_id=run.pk):
        messages.info(request, _("This import is finished or still making progress."))
    return redirect("notices:import_report", run_id=run.pk)


@require_POST
@certificate_staff_required
def import_moves_confirm(request, run_id: int):
    """Confirm the moved record ids an import held: all waiting (``all``) or the ones
    posted as ``move``; each is checked against the certificate as it is now."""
    run = get_object_or_404(selectors.visible_import_runs(request.user), pk=run_id)
    if not run.is_finished:
        messages.error(request, _("Wait for the import to finish before confirming its moves."))
        return redirect("notices:import_report", run_id=run.pk)
    move_ids = None
    if not request.POST.get("all"):
        move_ids = [id_param(value) for value in request.POST.getlist("move")]
        move_ids = [] if None in move_ids else move_ids
        if not move_ids:
            messages.error(request, _("Choose the moves to confirm."))
            return redirect("notices:import_report", run_id=run.pk)
    applied, refused = services.import_moves_confirm(
        run=run,
        move_ids=move_ids,
        user=request.user,
        department_id=selectors.certificate_department(request.user),
    )
    if applied:
        messages.success(
            request,
            ngettext(
                "%(count)s move confirmed and applied.",
                "%(count)s moves confirmed and applied.",
                len(applied),
            )
            % {"count": len(applied)},
        )
    for move in refused:
        messages.error(
            request, _("Line %(line)s: %(reason)s") % {"line": move.line, "reason": move.outcome}
        )
    if not applied and not refused:
        messages.info(request, _("No move of this import is waiting for confirmation."))
    return redirect("notices:import_report", run_id=run.pk)


@certificate_staff_required
def import_errors_csv(request, run_id: int):
    """Every refused row of an import (line, record id, reason) as CSV, for correcting
    the source."""
    run = get_object_or_404(selectors.visible_import_runs(request.user), pk=run_id)
    rows = run.row_errors.order_by("line", "pk").values_list("line", "record_id", "reason")
    return csv_streaming_response(
        "import-%d-refused.csv" % run.pk,
        rows.iterator(),
        header=[_("Line"), _("Record id"), _("Reason")],
    )


@certificate_staff_required
def overview(request):
    """Each notice rule the user may see, with who is due a letter now and who cannot be
    sent one."""
    today = timezone.localdate()
    rules = []
    for rule in (
        selectors.visible_rules(request.user)
        .filter(is_active=True)
        .select_related("certificate_type", "procedure")
    ):
        mailable, exceptions = selectors.split_by_address(
            selectors.due_certificates(rule=rule, today=today)
        )
        plan = capacity.rule_forecast(rule=rule, today=today)
        rules.append(
            {
                "rule": rule,
                "due": mailable,
                "wave": [c for c in mailable if plan.sends_on(c.pk, today)],
                "held": [c for c in mailable if not plan.sends_on(c.pk, today)],
                "shortfall_weeks": plan.shortfall_weeks,
                "exceptions": exceptions,
                "without_barcode": [c for c in mailable if not c.has_barcode],
                "postal_warnings": [c for c in mailable if c.postal_warning],
            }
        )
    # Names and addresses of everyone listed: one access-log entry for the page.
    access_log_read(
        request,
        objects=[c.resident for item in rules for c in (*item["due"], *item["exceptions"])],
    )
    return render(
        request,
        "notices/overview.html",
        {
            "rules": rules,
            "today": today,
            "batches": selectors.recent_batches(user=request.user),
            # Letters cannot be recalled: say so before anything is printed.
            "site_url_problem": site_url_problem(),
        },
    )


@certificate_staff_required
def why_not(request, rule_id: int):
    """Everyone with a certificate expiring in the rule's window who gets no letter, and
    why; a booking matched by name and kana alone can be released from here."""
    rule = get_object_or_404(
        selectors.visible_rules(request.user).select_related("certificate_type", "procedure"),
        pk=rule_id,
    )
    today = timezone.localdate()
    items = selectors.residents_without_letter(rule=rule, today=today)
    access_log_read(request, objects=[item.certificate.resident for item in items])
    return render(request, "notices/why_not.html", {"rule": rule, "items": items, "today": today})


@certificate_staff_required
def forecast(request, rule_id: int):
    """The rule's next weeks: letters due, the waves the daily job sends, the bookings
    expected from them against the qualified clerks' free slots, and any shortfall.
    Counts only: no names (nothing for the access log)."""
    rule = get_object_or_404(
        selectors.visible_rules(request.user).select_related("certificate_type", "procedure"),
        pk=rule_id,
    )
    plan = capacity.rule_forecast(rule=rule, today=timezone.localdate())
    labels = [week.start.strftime("%m/%d") for week in plan.weeks]
    chart = charts.bar_chart(
        chart_id="forecast",
        title=_("Expected bookings and the bookings the free slots allow, per week"),
        description=_(
            "For each of the next %(n)s weeks: bookings expected from the letters sent that "
            "week, and %(share)s%% of the qualified clerks' free slots. The table below has "
            "the numbers."
        )
        % {"n": len(plan.weeks), "share": round(plan.share * 100)},
        groups=labels,
        series=[
            (_("Expected bookings"), [week.expected for week in plan.weeks]),
            (
                _("Allowed (%(share)s%% of free slots)") % {"share": round(plan.share * 100)},
                [round(week.limit, 1) for week in plan.weeks],
            ),
        ],
        unit="",
    )
    return render(
        request,
        "notices/forecast.html",
        {
            "rule": rule,
            "plan": plan,
            "chart": chart,
            "share_percent": round(plan.share * 100),
            "conversion_percent": round(plan.conversion.rate * 100, 1),
        },
    )


@require_POST
@certificate_staff_required
def release_booking_match(request, rule_id: int, certificate_id: int):
    rule = get_object_or_404(selectors.visible_rules(request.user), pk=rule_id)
    certificate = get_object_or_404(
        selectors.visible_certificates(request.user).filter(certificate_type=rule.certificate_type),
        pk=certificate_id,
    )
    services.booking_match_release(rule=rule, certificate=certificate, user=request.user)
    messages.success(
        request,
        _("Released: %(name)s gets a letter with the next run.")
        % {"name": certificate.resident.name},
    )
    return redirect("notices:why_not", rule_id=rule.pk)


@require_POST
@certificate_staff_required
def create_letters(request, rule_id: int):
    rule = get_object_or_404(selectors.visible_rules(request.user), pk=rule_id, is_active=True)
    batch = services.letters_create_due(rule=rule, today=timezone.localdate(), user=request.user)
    if batch is None:
        messages.info(request, _("Nobody is due a letter under this rule today."))
    else:
        messages.success(
            request,
            _("%(count)s letters are being prepared. The batch below shows the progress.")
            % {"count": batch.total},
        )
    return redirect("notices:overview")


@require_POST
@certificate_staff_required
def mark_batch(request, batch_id: int, step: str):
    batch = get_object_or_404(selectors.visible_batches(request.user), pk=batch_id)
    try:
        services.letter_batch_mark(batch=batch, step=step)
    except ValueError:
        messages.error(request, _("This batch cannot be marked so now."))
    return redirect("notices:overview")


@certificate_staff_required
def chunk_pdf(request, chunk_id: int):
    """A print-ready PDF, to its department's staff only: letters carry names and
    addresses."""
    chunk = get_object_or_404(selectors.visible_chunks(request.user), pk=chunk_id)
    if not chunk.pdf:
        raise NotFound(_("This part is not ready yet."))
    try:
        # Streamed from the storage (a folder or the object store) through this view, so
        # the check above and the access log hold for every download; no public URL.
        stream = chunk.pdf.open("rb")
    except FileNotFoundError:
        logger.error("Letter part %s: its PDF %s is not in the storage", chunk.pk, chunk.pdf.name)
        messages.error(
            request,
            _(
                "The PDF of this part is missing from the file storage. "
                "Ask the system administrator to check the storage settings."
            ),
        )
        return redirect("notices:overview")
    access_log_read(request, objects=selectors.chunk_residents(chunk=chunk))
    return FileResponse(
        stream,
        content_type="application/pdf",
        filename="letters-%d-%03d.pdf" % (chunk.batch_id, chunk.index + 1),
    )


@certificate_staff_required
def preview(request, rule_id: int):
    """One letter of the rule as it will be printed, to a made-up sample resident.

    A real resident only when asked for by ``?resident=<id>`` (a resident holding a
    certificate of the rule's type, visible to the user): that view is written to the
    access log. Anything else in ``resident`` is a 404, never a silent sample.
    """
    rule = get_object_or_404(
        selectors.visible_rules(request.user).select_related(
            "procedure", "sender", "certificate_type"
        ),
        pk=rule_id,
    )
    certificate = selectors.sample_certificate(rule)
    if "resident" in request.GET:
        resident_id = id_param(request.GET["resident"])
        if resident_id is None:
            raise NotFound(_("No such resident."))
        certificate = (
            selectors.visible_certificates(request.user)
            .filter(resident_id=resident_id, certificate_type=rule.certificate_type)
            .select_related("resident", "certificate_type")
            .order_by("-expires_on")
            .first()
        )
        if certificate is None:
            raise NotFound(_("No such resident."))
        access_log_read(request, objects=[certificate.resident])
    letter = Letter(
        rule=rule, resident=certificate.resident, certificate=certificate, code="PREVIEW"
    )
    response = HttpResponse(letters.render_pdf([letter]), content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="preview.pdf"'
    return response
