"""Reads of the complaints app: lists, the detail page, overdue items, the knowledge base.

Every page's data comes in a constant number of queries whatever the number of
complaints, escalations and timeline entries.
"""

import datetime as dt
import unicodedata
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints import textsearch
from complaints.models import (
    Approver,
    Complaint,
    ComplaintEvent,
    Escalation,
    EscalationRole,
    KnowledgeSynonym,
    OverdueNotice,
    SeverityLevel,
    Status,
)
from complaints.policy import level_settings
from complaints.redaction import CITIZEN_FIELDS, redacted_case
from organization.models import Role, StaffMember


def overdue_condition(today: dt.date) -> Q:
    """Open complaints with a report past its deadline (a paused clock is not overdue)."""
    return (
        # Listed rather than "not closed" so that the status index serves the query.
        Q(status__in=[Status.OPEN, Status.INVESTIGATING, Status.AWAITING_APPROVAL])
        & Q(paused_since__isnull=True)
        & (
            Q(initial_report_due__lt=today)
            | Q(next_progress_due__lt=today)
            | Q(closing_report_due__lt=today)
        )
    )


def complaint_list(
    complaints: QuerySet[Complaint],
    *,
    member: StaffMember | None,
    today: dt.date,
    status: str = "",
    overdue_only: bool | str = False,
    scope: Q | None = None,
) -> QuerySet[Complaint]:
    """The visible complaints, the viewer's overdue items first (reports they handle,
    answers their department owes), then other overdue ones, then the newest.
    ``overdue_only``: true for every overdue item of the viewer's (reports and answers
    owed), "reports" for complaints with a report past its deadline (what the
    dashboards count); ``scope``: a department's or a procedure's."""
    department_id = member.department_id if member else None
    owed_here = Escalation.objects.filter(
        complaint=OuterRef("pk"),
        department_id=department_id,
        responded_at__isnull=True,
        due_on__lt=today,
    )
    overdue = overdue_condition(today)
    complaints = complaints.select_related("department", "category", "handler__user").annotate(
        overdue=Case(
            When(overdue, then=Value(True)), default=Value(False), output_field=BooleanField()
        ),
        owed_by_us=Exists(owed_here.exclude(complaint__status=Status.CLOSED)),
        mine_overdue=Case(
            When(overdue & Q(handler_id=member.pk if member else None), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )
    if status:
        complaints = complaints.filter(status=status)
    if scope is not None:
        complaints = complaints.filter(scope)
    if overdue_only == "reports":
        complaints = complaints.filter(overdue=True)
    elif overdue_only:
        complaints = complaints.filter(Q(overdue=True) | Q(owed_by_us=True))
    return complaints.order_by(
        F("mine_overdue").desc(),
        F("owed_by_us").desc(),
        F("overdue").desc(),
        "-received_at",
        "-id",
    )


def complaint_detail(pk: int) -> Complaint:
    """One complaint with everything its page shows, in a fixed number of queries."""
    return (
        Complaint.objects.select_related(
            "department__head",
            "category",
            "procedure",
            "reservation",
            "handler__user",
            "recorded_by__user",
            "closing_requested_by__user",
        )
        .prefetch_related(
            Prefetch(
                "escalations",
                queryset=Escalation.objects.select_related(
                    "department__head__user", "requested_by__user", "responded_by__user"
                ),
            ),
            Prefetch("events", queryset=ComplaintEvent.objects.select_related("actor__user")),
            "reports__author__user",
            "pauses",
        )
        .get(pk=pk)
    )


def escalations_owed(*, member: StaffMember, today: dt.date) -> QuerySet[Escalation]:
    """Questions to the member's department still unanswered, overdue first."""
    return (
        Escalation.objects.filter(department_id=member.department_id, responded_at__isnull=True)
        .exclude(complaint__status=Status.CLOSED)
        .select_related("complaint")
        .annotate(
            overdue=Case(
                When(due_on__lt=today, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("due_on", "id")
    )


@dataclass(frozen=True)
class OverdueItem:
    kind: str  # OverdueNotice.Item
    object_id: int
    complaint: Complaint
    due_on: dt.date
    escalation: Escalation | None = None


def overdue_items(*, today: dt.date) -> list[OverdueItem]:
    """Every overdue report and unanswered escalation of open complaints (paused clocks
    excepted for reports: the citizen is being waited for)."""
    items = []
    complaints = Complaint.objects.filter(overdue_condition(today)).select_related(
        "department__head__user", "handler__user"
    )
    for complaint in complaints:
        for kind, due in (
            (OverdueNotice.Item.INITIAL, complaint.initial_report_due),
            (OverdueNotice.Item.PROGRESS, complaint.next_progress_due),
            (OverdueNotice.Item.CLOSING, complaint.closing_report_due),
        ):
            if due and due < today:
                items.append(OverdueItem(kind, complaint.pk, complaint, due))
    escalations = (
        Escalation.objects.filter(responded_at__isnull=True, due_on__lt=today)
        .exclude(complaint__status=Status.CLOSED)
        .select_related("complaint", "department__head__user")
    )
    for escalation in escalations:
        items.append(
            OverdueItem(
                OverdueNotice.Item.ESCALATION,
                escalation.pk,
                escalation.complaint,
                escalation.due_on,
                escalation,
            )
        )
    return items


# --- Knowledge base ------------------------------------------------------------------

# The fields of a closed case anyone may read: never the citizen's name, contact or booking
# (their texts are redacted with the name and contact, which ``redacted_case`` drops).
KNOWLEDGE_FIELDS = (
    "id",
    "received_at",
    "closed_at",
    "summary",
    "description",
    "root_cause",
    "countermeasure",
    "level",
    # Staff pages are in Japanese or English (complaints/templatetags: localized).
    "category__name_ja",
    "category__name_en",
    "department__name_ja",
    "department__name_en",
    "procedure__name_ja",
    "procedure__name_en",
    "category_id",
    "department_id",
    "procedure_id",
)


def search_terms(text: str) -> list[str]:
    """Words of a query: split on ASCII and full-width spaces; each form as typed and
    NFKC-folded (全角ＡＢＣ１２３ → ABC123), so either spelling in the records matches."""
    return [term for term in text.replace("\u3000", " ").split() if term][:8]


def _term_condition(term: str, synonyms: list[list[str]]) -> Q:
    """A case matches a query word when its index (made without the citizen's personal
    data: ``textsearch.complaint_index``) holds the word as written (folded: width, case
    and kana do not matter), its lemma or — for a word in kana — its reading; the same
    for every synonym of the word."""
    condition = Q()
    for word in _with_synonyms(term, synonyms):
        for form in textsearch.query_forms(word):
            condition |= Q(search_index__icontains=form)
    return condition


def _with_synonyms(term: str, synonyms: list[list[str]]) -> set[str]:
    """The word and the words of every synonym group it belongs to (compared folded:
    width, case and hiragana/katakana do not matter)."""
    folded = textsearch.fold(term)
    words = {term}
    for group in synonyms:
        if any(textsearch.fold(word) == folded for word in group):
            words.update(group)
    return words


def synonym_groups() -> list[list[str]]:
    return [group.word_list for group in KnowledgeSynonym.objects.all()]


def knowledge_cases(
    *, text: str = "", category_id=None, department_id=None, procedure_id=None
) -> QuerySet:
    """Closed complaints as knowledge: what happened, root cause, countermeasure and
    whether a complaint of the same category came again to the same department later."""
    cases = Complaint.objects.filter(status=Status.CLOSED)
    terms = search_terms(text)
    synonyms = synonym_groups() if terms else []
    for term in terms:
        cases = cases.filter(_term_condition(term, synonyms))
    if category_id:
        cases = cases.filter(category_id=category_id)
    if department_id:
        cases = cases.filter(department_id=department_id)
    if procedure_id:
        cases = cases.filter(procedure_id=procedure_id)
    came_again = Complaint.objects.filter(
        category_id=OuterRef("category_id"),
        department_id=OuterRef("department_id"),
        received_at__gt=OuterRef("closed_at"),
    )
    return (
        cases.annotate(recurred=Exists(came_again))
        .values(*KNOWLEDGE_FIELDS, "recurred", *CITIZEN_FIELDS)
        .order_by("-closed_at", "-id")
    )


def knowledge_case(pk: int) -> dict:
    return redacted_case(knowledge_cases().get(pk=pk))


def _bigrams(text: str) -> set[str]:
    text = "".join(unicodedata.normalize("NFKC", text).lower().split())
    return {text[i : i + 2] for i in range(len(text) - 1)}


def similar_cases(
    *, text: str, category_id=None, procedure_id=None, department_id=None, limit: int = 5
) -> list[dict]:
    """Closed cases like the one being recorded: shared character pairs (which suits
    Japanese, written without spaces) plus the same category, procedure and department.
    Looks at the newest 500 candidates so the suggestion stays quick."""
    words = _bigrams(text)
    related = Q()
    if category_id:
        related |= Q(category_id=category_id)
    if procedure_id:
        related |= Q(procedure_id=procedure_id)
    if department_id:
        related |= Q(department_id=department_id)
    if not words and not related:
        return []
    candidates = knowledge_cases()
    if related:
        candidates = candidates.filter(related)
    scored = []
    for case in candidates[:500]:
        case = redacted_case(case)  # a name typed in the new one finds no case by it
        theirs = _bigrams(case["summary"] + case["description"])
        overlap = len(words & theirs) / len(words | theirs) if words and theirs else 0.0
        score = overlap * 10
        score += 2 * (category_id is not None and str(case["category_id"]) == str(category_id))
        score += 1 * (procedure_id is not None and str(case["procedure_id"]) == str(procedure_id))
        score += 0.5 * (
            department_id is not None and str(case["department_id"]) == str(department_id)
        )
        if score >= 1.0:
            scored.append((score, case))
    scored.sort(key=lambda pair: (-pair[0], -pair[1]["id"]))
    return [case for _, case in scored[:limit]]


def overdue_count_for(*, user, member: StaffMember | None, today: dt.date | None = None) -> int:
    """How many overdue items are this person's to act on: reports of complaints they
    handle and answers their department owes."""
    if member is None:
        return 0
    today = today or timezone.localdate()
    reports = Complaint.objects.filter(overdue_condition(today), handler=member).count()
    answers = escalations_owed(member=member, today=today).filter(due_on__lt=today).count()
    return reports + answers


def awaiting_my_approval(*, user, member: StaffMember | None) -> QuerySet[Complaint]:
    """Complaints whose closing waits for this person's approval (the same rule as
    ``access.may_approve``, in SQL): managers approve every level, the owner
    department's head the levels the policy gives to department heads; nobody approves
    a closing they asked for themselves."""
    waiting = Complaint.objects.filter(status=Status.AWAITING_APPROVAL)
    if user.is_superuser and member is None:
        return waiting.order_by("received_at", "id")
    if member is None:
        return waiting.none()
    waiting = waiting.exclude(closing_requested_by=member)
    if member.role != Role.MANAGER and not user.is_superuser:
        levels = SeverityLevel.objects.order_by("level").values_list("level", "approver")
        by_head = _levels_approved_by_heads(list(levels), Approver.DEPARTMENT_HEAD)
        heads_owner = Escalation.objects.filter(
            complaint=OuterRef("pk"), role=EscalationRole.OWNER, department__head=member
        )
        waiting = waiting.filter(Exists(heads_owner), level__in=by_head)
    return waiting.select_related("department").order_by("received_at", "id")


def _levels_approved_by_heads(levels: list[tuple[int, str]], head: str) -> list[int]:
    """The complaint levels 1–4 whose approver is a department head (a level missing
    from the policy follows the nearest lower one, as ``policy.level_settings`` does)."""
    result, current = [], levels[0][1] if levels else None
    defined = dict(levels)
    for level in range(1, 5):
        current = defined.get(level, current)
        if current == head:
            result.append(level)
    return result


def approver_label(complaint: Complaint) -> str:
    """Who may approve the closing, as the case page says it: 福祉課長 または 管理職.
    ``complaint.escalations`` (with their departments and heads) should be prefetched."""
    if level_settings(complaint.level).approver != Approver.DEPARTMENT_HEAD:
        return _("a manager")
    owner = next((e for e in complaint.escalations.all() if e.role == EscalationRole.OWNER), None)
    if owner is None:
        return _("the head of the department that owns the countermeasure, or a manager")
    head = _("head of %(department)s") % {"department": owner.department.name}
    if owner.department.head is not None:
        head = "%s (%s)" % (head, owner.department.head.display_name)
    return _("%(head)s or a manager") % {"head": head}
