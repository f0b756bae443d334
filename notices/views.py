from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from notices import letters, selectors, services
from notices.forms import ImportForm
from notices.models import ImportRun, Letter, LetterBatch, LetterChunk, NoticeRule
from organization.models import Role
from organization.permissions import role_required
from organization.services import access_log_read

certificate_staff_required = role_required(Role.DEPARTMENT_STAFF, Role.MANAGER, Role.ADMINISTRATOR)


@require_http_methods(["GET", "POST"])
@certificate_staff_required
def import_certificates(request):
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        run = services.certificates_import(
            data=upload.read(), file_name=upload.name, user=request.user
        )
        return redirect("notices:import_report", run_id=run.pk)
    return render(
        request,
        "notices/import.html",
        {
            "form": form,
            "columns": services.COLUMNS,
            "required": services.REQUIRED,
            "recent": ImportRun.objects.all()[:10],
        },
    )


@certificate_staff_required
def import_report(request, run_id: int):
    run = get_object_or_404(ImportRun, pk=run_id)
    return render(request, "notices/import_report.html", {"run": run})


@certificate_staff_required
def overview(request):
    """Each notice rule with who is due a letter now and who cannot be sent one."""
    today = timezone.localdate()
    rules = []
    for rule in NoticeRule.objects.filter(is_active=True).select_related(
        "certificate_type", "procedure"
    ):
        mailable, exceptions = selectors.split_by_address(
            selectors.due_certificates(rule=rule, today=today)
        )
        rules.append({"rule": rule, "due": mailable, "exceptions": exceptions})
    # Names and addresses of everyone listed: one access-log entry for the page.
    access_log_read(
        request,
        objects=[c.resident for item in rules for c in (*item["due"], *item["exceptions"])],
    )
    return render(
        request,
        "notices/overview.html",
        {"rules": rules, "today": today, "batches": selectors.recent_batches()},
    )


@require_POST
@certificate_staff_required
def create_letters(request, rule_id: int):
    rule = get_object_or_404(NoticeRule, pk=rule_id, is_active=True)
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
    batch = get_object_or_404(LetterBatch, pk=batch_id)
    try:
        services.letter_batch_mark(batch=batch, step=step)
    except ValueError:
        messages.error(request, _("This batch cannot be marked so now."))
    return redirect("notices:overview")


@certificate_staff_required
def chunk_pdf(request, chunk_id: int):
    """A print-ready PDF, to staff only: letters carry names and addresses."""
    chunk = get_object_or_404(LetterChunk, pk=chunk_id)
    if not chunk.pdf:
        raise Http404(_("This part is not ready yet."))
    access_log_read(request, objects=selectors.chunk_residents(chunk=chunk))
    return FileResponse(
        chunk.pdf.open("rb"),
        content_type="application/pdf",
        filename="letters-%d-%03d.pdf" % (chunk.batch_id, chunk.index + 1),
    )


@certificate_staff_required
def preview(request, rule_id: int):
    """One letter of the rule as it will be printed (the first resident due, or a sample)."""
    rule = get_object_or_404(NoticeRule.objects.select_related("procedure", "sender"), pk=rule_id)
    mailable, _exceptions = selectors.split_by_address(
        selectors.due_certificates(rule=rule, today=timezone.localdate())[:50]
    )
    certificate = mailable[0] if mailable else selectors.sample_certificate(rule)
    access_log_read(request, objects=[certificate.resident])  # none for the sample
    letter = Letter(
        rule=rule, resident=certificate.resident, certificate=certificate, code="PREVIEW"
    )
    response = HttpResponse(letters.render_pdf([letter]), content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="preview.pdf"'
    return response
