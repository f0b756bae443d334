from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from notices import letters, selectors, services
from notices.forms import ImportForm
from notices.models import ImportRun, Letter, NoticeRule
from organization.models import Role
from organization.permissions import role_required

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
    return render(request, "notices/overview.html", {"rules": rules, "today": today})


@certificate_staff_required
def preview(request, rule_id: int):
    """One letter of the rule as it will be printed (the first resident due, or a sample)."""
    rule = get_object_or_404(NoticeRule.objects.select_related("procedure", "sender"), pk=rule_id)
    mailable, _exceptions = selectors.split_by_address(
        selectors.due_certificates(rule=rule, today=timezone.localdate())[:50]
    )
    certificate = mailable[0] if mailable else selectors.sample_certificate(rule)
    letter = Letter(
        rule=rule, resident=certificate.resident, certificate=certificate, code="PREVIEW"
    )
    response = HttpResponse(letters.render_pdf([letter]), content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="preview.pdf"'
    return response
