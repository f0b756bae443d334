from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import Q, prefetch_related_objects
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from complaints import policy, selectors, services
from complaints.access import Access, access_for, visible_complaints
from complaints.forms import (
    ApproveForm,
    ClosingForm,
    ComplaintForm,
    EscalateForm,
    InformationRespondForm,
    KnowledgeSearchForm,
    LevelForm,
    ReasonForm,
    ReportForm,
    RespondForm,
    TextForm,
)
from complaints.models import Complaint, EscalationRole, EventKind, Status
from complaints.redaction import for_complaint, redact_in_memory, redacted_case
from complaints.services import ComplaintError
from organization.http import id_param
from organization.permissions import staff_required
from organization.services import access_log_read


def _load(request, pk: int) -> tuple[Complaint, Access]:
    """The complaint and what this person may do with it; 404 when it is not their
    business (a direct URL reveals nothing, not even that the complaint exists)."""
    try:
        complaint = selectors.complaint_detail(pk)
    except Complaint.DoesNotExist:
        raise Http404 from None
    access = access_for(request.user, request.staff_member, complaint)
    if access is None:
        raise Http404
    return complaint, access


@require_GET
@staff_required
def complaint_list(request):
    member = request.staff_member
    today = timezone.localdate()
    status = request.GET.get("status", "")
    if status not in Status.values:
        status = ""
    overdue_only = {"1": "1", "reports": "reports"}.get(request.GET.get("overdue"), "")
    # The dashboards' "see them": a department's or a procedure's, as counted there.
    scope = Q(
        **{
            name + "_id": value
            for name in ("department", "procedure")
            if (value := id_param(request.GET.get(name))) is not None
        }
    )
    complaints = selectors.complaint_list(
        visible_complaints(request.user, member),
        member=member,
        today=today,
        status=status,
        overdue_only=overdue_only,
        scope=scope,
    )
    page = Paginator(complaints, 50).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    prefetch_related_objects(page.object_list, "escalations")
    for complaint in page.object_list:
        access = access_for(request.user, member, complaint)
        if access is None or not access.personal_data:
            complaint.summary = for_complaint(complaint)(complaint.summary)
    owed = list(selectors.escalations_owed(member=member, today=today)[:20]) if member else []
    for escalation in owed:
        if escalation.role == EscalationRole.INFORMATION:
            escalation.complaint.summary = for_complaint(escalation.complaint)(
                escalation.complaint.summary
            )
    return render(
        request,
        "complaints/list.html",
        {
            "page": page,
            "status": status,
            "overdue_only": overdue_only,
            "statuses": Status.choices,
            "owed": owed,
            "today": today,
        },
    )


@require_http_methods(["GET", "POST"])
@staff_required
def complaint_new(request):
    member = request.staff_member
    if member is None:
        raise PermissionDenied  # a complaint is recorded by a staff member, in their name
    form = ComplaintForm(request.POST if request.method == "POST" else None, member=member)
    error = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        reservation = data.pop("booking_code")
        recorded = _recorded_by_this_form(request, data["submission_key"])
        if recorded is not None:
            return recorded
        try:
            intake = services.ComplaintIntake(reservation=reservation, **data)
            complaint = services.complaint_record(actor=member, intake=intake)
        except ComplaintError as exc:
            error = exc.message
        except IntegrityError:  # the same form, sent twice at once: the other one won
            recorded = _recorded_by_this_form(request, data["submission_key"])
            if recorded is None:
                raise
            return recorded
        else:
            messages.success(
                request,
                _("Complaint %(reference)s recorded at level %(level)s.")
                % {"reference": complaint.reference, "level": complaint.level},
            )
            return redirect(complaint)
    similar = []
    if request.method == "POST":
        similar = _similar_for(request.POST)
    return render(
        request,
        "complaints/new.html",
        {"form": form, "error": error, "similar": similar},
        status=400 if request.method == "POST" else 200,
    )


def _recorded_by_this_form(request, key):
    """The page of the complaint this very form recorded already (it was sent twice),
    with a word that nothing was recorded a second time; None when there is none."""
    if key is None:
        return None
    complaint = Complaint.objects.filter(
        submission_key=key, recorded_by=request.staff_member
    ).first()
    if complaint is None:
        return None
    messages.info(
        request,
        _("This form was sent twice: complaint %(reference)s was recorded once.")
        % {"reference": complaint.reference},
    )
    return redirect(complaint)


def _similar_for(params) -> list[dict]:
    text = "%s %s" % (params.get("summary", ""), params.get("description", ""))

    def number(name):
        return id_param(params.get(name))

    return selectors.similar_cases(
        text=text[:2000],
        category_id=number("category"),
        procedure_id=number("procedure"),
        department_id=number("department"),
    )


@require_GET
@staff_required
def similar(request):
    """The similar past cases panel of the record form (htmx, or plain GET)."""
    return render(request, "complaints/_similar.html", {"similar": _similar_for(request.GET)})


def respond_form_class(escalation):
    """A department asked for information only answers; it is not asked for a root
    cause or a countermeasure (those are the owner's, or the joint investigators')."""
    if escalation.role == EscalationRole.INFORMATION:
        return InformationRespondForm
    return RespondForm


def _detail_context(request, complaint: Complaint, access: Access, bound=None, error=None):
    today = timezone.localdate()
    forms = {
        "note": TextForm(prefix="note"),
        "reply": TextForm(prefix="reply"),
        "escalate": EscalateForm(prefix="escalate"),
        "report": ReportForm(prefix="report"),
        "level": LevelForm(prefix="level", initial={"level": min(complaint.level + 1, 4)}),
        "pause": ReasonForm(prefix="pause"),
        "close": ClosingForm(prefix="close"),
        "approve": ApproveForm(prefix="approve"),
        "refuse": ReasonForm(prefix="refuse"),
        "reopen": ReasonForm(prefix="reopen"),
    }
    respond_forms = {}
    for escalation in complaint.escalations.all():
        if escalation.pk in access.respond_to:
            respond_forms[escalation.pk] = respond_form_class(escalation)(
                prefix="respond-%d" % escalation.pk,
                initial={
                    "response": escalation.response,
                    "root_cause": escalation.root_cause,
                    "countermeasure": escalation.countermeasure,
                },
            )
    if bound is not None:
        name, form = bound
        if name.startswith("respond-"):
            respond_forms[int(name.split("-")[1])] = form
        else:
            forms[name] = form
    events = [e for e in complaint.events.all() if access.personal_data or not e.personal]
    if not access.personal_data:
        redact_in_memory(complaint, complaint.escalations.all(), events)
    escalations = [
        {"escalation": e, "form": respond_forms.get(e.pk), "overdue": e.is_overdue(today)}
        for e in complaint.escalations.all()
    ]
    if access.personal_data:
        access_log_read(request, objects=[complaint])
    return {
        "complaint": complaint,
        "access": access,
        "forms": forms,
        "escalations": escalations,
        "events": events,
        "hidden_events": len(complaint.events.all()) - len(events),
        "reports": complaint.reports.all(),
        "pauses": complaint.pauses.all(),
        "overdue": complaint.overdue_reports(today),
        "today": today,
        "error": error,
        # A refused action's problems, summarised at the top of the page and linked to
        # their fields (on a phone the form is far below).
        "refused_form": bound[1] if bound is not None and bound[1].errors else None,
        "level_settings": policy.level_settings(complaint.level),
        "approver_label": selectors.approver_label(complaint),
        "EventKind": EventKind,
    }


@require_GET
@staff_required
def complaint_detail(request, pk: int):
    complaint, access = _load(request, pk)
    return render(request, "complaints/detail.html", _detail_context(request, complaint, access))


@dataclass(frozen=True)
class Action:
    form: type | None
    allowed: Callable[[Access], bool]
    run: Callable
    done: str


def _handle(access: Access) -> bool:
    return access.handle


def _approve(access: Access) -> bool:
    return access.approve


ACTIONS = {
    "note": Action(
        TextForm,
        lambda access: True,
        lambda c, r, d: services.complaint_note_add(
            complaint=c, actor=r.staff_member, text=d["text"]
        ),
        _("Note added."),
    ),
    "reply": Action(
        TextForm,
        _handle,
        lambda c, r, d: services.complaint_reply_add(
            complaint=c, actor=r.staff_member, text=d["text"]
        ),
        _("Reply recorded."),
    ),
    "escalate": Action(
        EscalateForm,
        _handle,
        lambda c, r, d: services.complaint_escalate(complaint=c, actor=r.staff_member, **d),
        _("The department has been asked and told by e-mail."),
    ),
    "report": Action(
        ReportForm,
        _handle,
        lambda c, r, d: services.complaint_report_submit(complaint=c, actor=r.staff_member, **d),
        _("Report submitted."),
    ),
    "level": Action(
        LevelForm,
        _handle,
        lambda c, r, d: services.complaint_level_change(complaint=c, actor=r.staff_member, **d),
        _("Level changed."),
    ),
    "pause": Action(
        ReasonForm,
        _handle,
        lambda c, r, d: services.complaint_pause(
            complaint=c, actor=r.staff_member, reason=d["reason"]
        ),
        _("The deadline clock is paused."),
    ),
    "resume": Action(
        None,
        _handle,
        lambda c, r, d: services.complaint_resume(complaint=c, actor=r.staff_member),
        _("The deadline clock runs again; the deadlines moved by the days it was paused."),
    ),
    "close": Action(
        ClosingForm,
        _handle,
        lambda c, r, d: services.complaint_closing_request(
            complaint=c,
            actor=r.staff_member,
            body=d["body"],
            citizen_state=d["citizen_state"] or None,
            close_while_unhappy=d["close_while_unhappy"],
        ),
        _("Closing report submitted; the complaint awaits approval."),
    ),
    "approve": Action(
        ApproveForm,
        _approve,
        lambda c, r, d: services.complaint_approve(
            complaint=c, actor=r.staff_member, user=r.user, comment=d["comment"]
        ),
        _("Approved: the complaint is closed and in the knowledge base."),
    ),
    "refuse": Action(
        ReasonForm,
        _approve,
        lambda c, r, d: services.complaint_approval_refuse(
            complaint=c, actor=r.staff_member, user=r.user, reason=d["reason"]
        ),
        _("The closing was sent back."),
    ),
    "reopen": Action(
        ReasonForm,
        _handle,
        lambda c, r, d: services.complaint_reopen(
            complaint=c, actor=r.staff_member, reason=d["reason"]
        ),
        _("The complaint is open again."),
    ),
}


def _run(request, complaint, access, name, form, run, done):
    error = None
    if form is None or form.is_valid():
        try:
            run(form.cleaned_data if form is not None else {})
        except ComplaintError as exc:
            error = exc.message
        else:
            messages.success(request, done)
            return redirect(complaint)
    context = _detail_context(
        request, complaint, access, bound=(name, form) if form is not None else None, error=error
    )
    return render(request, "complaints/detail.html", context, status=400)


@require_POST
@staff_required
def complaint_action(request, pk: int, action: str):
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    complaint, access = _load(request, pk)
    if not spec.allowed(access) or (
        request.staff_member is None and action not in ("approve", "refuse")
    ):
        raise PermissionDenied
    form = spec.form(request.POST, prefix=action) if spec.form else None
    return _run(
        request,
        complaint,
        access,
        action,
        form,
        lambda data: spec.run(complaint, request, data),
        spec.done,
    )


@require_POST
@staff_required
def escalation_respond(request, pk: int, escalation_id: int):
    complaint, access = _load(request, pk)
    if escalation_id not in access.respond_to or request.staff_member is None:
        raise PermissionDenied
    escalation = next(e for e in complaint.escalations.all() if e.pk == escalation_id)
    prefix = "respond-%d" % escalation_id
    form = respond_form_class(escalation)(request.POST, prefix=prefix)
    return _run(
        request,
        complaint,
        access,
        prefix,
        form,
        lambda data: services.escalation_respond(
            escalation=escalation, actor=request.staff_member, **data
        ),
        _("Your department's answer is recorded."),
    )


@require_GET
@staff_required
def knowledge(request):
    form = KnowledgeSearchForm(request.GET or None)
    filters = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "text": data["q"],
            "category_id": data["category"] and data["category"].pk,
            "department_id": data["department"] and data["department"].pk,
            "procedure_id": data["procedure"] and data["procedure"].pk,
        }
    # A search refused (a query too long, an unknown category) lists nothing: the whole
    # knowledge base under the error would read as its result.
    cases = selectors.knowledge_cases(**filters) if not form.errors else Complaint.objects.none()
    page = Paginator(cases, 20).get_page(request.GET.get("page"))
    page.object_list = [redacted_case(case) for case in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "complaints/knowledge.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@require_GET
@staff_required
def knowledge_case(request, pk: int):
    try:
        case = selectors.knowledge_case(pk)
    except Complaint.DoesNotExist:
        raise Http404 from None
    return render(request, "complaints/knowledge_case.html", {"case": case})
