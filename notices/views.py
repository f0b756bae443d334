from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from notices import services
from notices.forms import ImportForm
from notices.models import ImportRun
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
