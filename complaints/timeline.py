"""What the system writes on a complaint's timeline, kept as parts so that each reader
reads it in their own language.

A timeline entry's ``text`` is what was written, in the language of whoever caused it;
its ``parts`` name the message and its values (levels, codes, the department's names,
and the staff's own words where the message quotes them). ``event_text`` renders the
parts in the active language, and falls back to ``text`` for entries without parts
(staff's own notes, entries recorded before parts existed). A blanked entry (the
retention job) shows nothing.
"""

from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from modeltranslation.utils import build_localized_fieldname

from complaints.models import CitizenState, EscalationRole, ReportKind


def _department(parts: dict) -> str:
    names = parts["department"]
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return names.get(language) or names.get("ja") or next(iter(names.values()), "")


# Each message: its text in the active language from its parts.
_MESSAGES = {
    "created": lambda p: (
        _("Level %(level)s by the policy (score %(points)s).")
        % {"level": p["level"], "points": p["points"]}
    ),
    "raised": lambda p: (
        _("Raised from %(old)s to %(new)s: %(reason)s")
        % {"old": p["old"], "new": p["new"], "reason": p["reason"]}
    ),
    "level": lambda p: (
        _("From %(old)s to %(new)s: %(reason)s")
        % {"old": p["old"], "new": p["new"], "reason": p["reason"]}
    ),
    "escalated": lambda p: (
        "%s — %s (%s): %s"
        % (_department(p), EscalationRole(p["role"]).label, p["due_on"], p["request"])
    ),
    "report": lambda p: "%s: %s" % (ReportKind(p["kind"]).label, p["body"]),
    "citizen_state": lambda p: (
        "%s → %s" % (CitizenState(p["old"]).label, CitizenState(p["new"]).label)
    ),
    "responded": lambda p: "%s: %s%s" % (_department(p), p["response"], _owner_answer(p)),
}


def _owner_answer(parts: dict) -> str:
    """The root cause and the countermeasure, in the answer of their owner."""
    if "root_cause" not in parts:
        return ""
    return "\n%s: %s\n%s: %s" % (
        _("Root cause"),
        parts["root_cause"],
        _("Countermeasure"),
        parts["countermeasure"],
    )


def event_parts(message: str, **values) -> tuple[str, dict]:
    """The entry's text in the active language and its parts, for ``event_add``."""
    parts = {"msg": message, **values}
    return _MESSAGES[message](parts), parts


def _department_names(department) -> dict[str, str]:
    """A department's name in each staff language, as it is now (kept with the entry)."""
    return {
        language: getattr(department, build_localized_fieldname("name", language), None)
        or department.name
        for language in settings.STAFF_LANGUAGES
    }


def escalation_parts(escalation) -> tuple[str, dict]:
    """The entry of a department asked: its name in each staff language (as it was
    then), its role, its due date and the request."""
    return event_parts(
        "escalated",
        department=_department_names(escalation.department),
        role=escalation.role,
        due_on=escalation.due_on.isoformat(),
        request=escalation.request,
    )


def response_parts(escalation) -> tuple[str, dict]:
    """The entry of a department's answer: its name, the answer, and for the owner of
    the countermeasure the root cause and the countermeasure."""
    owner = {}
    if escalation.role == EscalationRole.OWNER:
        owner = {"root_cause": escalation.root_cause, "countermeasure": escalation.countermeasure}
    return event_parts(
        "responded",
        department=_department_names(escalation.department),
        response=escalation.response,
        **owner,
    )


def event_text(event) -> str:
    """The entry's text in the active language (as recorded where it has no parts)."""
    if not event.text:
        return ""
    render = _MESSAGES.get((event.parts or {}).get("msg"))
    if render is None:
        return event.text
    try:
        return render(event.parts)
    except (KeyError, ValueError, TypeError):  # parts of an older shape: as recorded
        return event.text
