"""The citizen's personal data taken out of what staff wrote, wherever a complaint's texts
reach people who do not need to know it: departments asked for information only, the
complaint list's rows they see, the notice e-mails, the knowledge base of closed cases
and the similar cases offered when a new complaint is recorded.

Staff write names into summaries and answers (「山田太郎様より…」) although the form asks
them not to; the complaint stores the citizen's name and contact, so those are found in
the texts, written with or without the space, by part, and in its readings (kana and
romaji), and so are telephone numbers and e-mail addresses of any form. Retention
blanks the name and contact after the retention period and rewrites the stored texts
with this first (``complaints_anonymise``)."""

import functools
import re

from django.utils.translation import gettext as _

from complaints.name_forms import name_patterns

# Japanese numbers: 090-1234-5678, 03(1234)5678, 03.1234.5678, 03 1234 5678,
# ０９０ー１２３４ー５６７８, +81 90 1234 5678 (\d is any decimal digit, the full-width ones too).
_DASH = r"[-‐‑–—―−ー－\s()（）.．・･]"
PHONE = re.compile(
    r"(?<!\d)(?:[+＋]\s?[8８][1１]%s*|[0０])\d{1,4}%s*\d{1,4}%s*\d{3,4}(?!\d)" % ((_DASH,) * 3)
)
EMAIL = re.compile(r"[\w.+-]+[@＠][\w-]+(?:[.．][\w-]+)+")


def _patterns(name: str, contact: str, kana: str) -> list[str]:
    patterns = name_patterns(name, kana)
    contact = (contact or "").strip()
    if len(contact) >= 4:
        patterns.append(re.escape(contact))
    return patterns


@functools.lru_cache(maxsize=256)
def _compiled(name: str, contact: str, kana: str) -> re.Pattern:
    patterns = [*_patterns(name, contact, kana), PHONE.pattern, EMAIL.pattern]
    return re.compile("|".join("(?:%s)" % p for p in patterns))


def redactor(name: str = "", contact: str = "", *, kana: str = "", marker: str | None = None):
    """A function that replaces, in a text, the citizen's ``name`` (whole in any spacing,
    and its parts), its readings (``kana`` as recorded, and as the analyser reads the
    name) in hiragana, katakana and romaji, their ``contact`` and any telephone number or
    e-mail address with a marker (「［個人情報］」 in the reader's language unless given).
    What is taken out, and what is left, is told in ``complaints.name_forms``."""
    found = _compiled(name or "", contact or "", kana or "")

    def redact(text: str) -> str:
        if not text:
            return text
        return found.sub(str(_("[personal data]")) if marker is None else marker, text)

    return redact


CITIZEN_FIELDS = ("citizen_name", "citizen_contact", "citizen_kana")


def for_complaint(complaint, *, marker: str | None = None):
    """The redactor of one complaint (a model, or a dict with its citizen fields)."""
    get = complaint.get if isinstance(complaint, dict) else complaint.__dict__.get
    name, contact, kana = (get(field) or "" for field in CITIZEN_FIELDS)
    return redactor(name, contact, kana=kana, marker=marker)


CASE_TEXTS = ("summary", "description", "root_cause", "countermeasure")
ESCALATION_TEXTS = ("request", "response", "root_cause", "countermeasure")


def redacted_case(case: dict) -> dict:
    """A knowledge-base case (a dict of ``selectors.KNOWLEDGE_FIELDS``) with its texts
    redacted and the citizen's fields dropped."""
    redact = for_complaint(case)
    case = {k: v for k, v in case.items() if k not in CITIZEN_FIELDS}
    for name in CASE_TEXTS:
        if name in case:
            case[name] = redact(case[name])
    return case


def redact_in_memory(complaint, escalations=(), events=()) -> None:
    """Redact, on the objects of this request only (never saved), the texts a viewer
    without the right to the personal data reads on the complaint's page: the case's,
    the departments' requests and answers, and the timeline entries shown."""
    redact = for_complaint(complaint)
    for name in CASE_TEXTS:
        setattr(complaint, name, redact(getattr(complaint, name)))
    for escalation in escalations:
        for name in ESCALATION_TEXTS:
            setattr(escalation, name, redact(getattr(escalation, name)))
    for event in events:
        event.text = redact(event.text)
        event.parts = {
            key: redact(value) if isinstance(value, str) and key != "msg" else value
            for key, value in (event.parts or {}).items()
        }
