"""简体中文, 한국어 and Tiếng Việt: every message a citizen can see is translated (issue 19).

Staff pages stay Japanese/English, so only the citizen scope (config/i18n_scope.py) must be
complete. A translation keeps the placeholders and HTML of its message id (a missing
``%(until)s`` would drop the deadline from a page; a wrong one would be a 500), and uses the
glossary's word for each municipal term (docs/glossary.md).

A few sources a citizen also reads are not in that scope yet: the refusals of a day or time
on the booking pages (availability.py), the closure reason from the calendar, and the
retention table of the privacy notice (organization/selectors.py). These three languages
translate them too, and this test holds them to it.
"""

import re
from pathlib import Path
from unittest import mock

import polib
import pytest
from django.conf import settings
from django.utils import translation

from config import i18n_scope

LOCALE = Path(settings.BASE_DIR) / "locale"
LANGUAGES = {"zh_Hans": "zh-hans", "ko": "ko", "vi": "vi"}
GLOSSARY_COLUMN = {"zh_Hans": 3, "ko": 4, "vi": 5}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")
MARKUP = re.compile(r"<[^>]+>|&\w+;")
ALSO_SEEN_BY_CITIZENS = (
    "reservations/availability.py",
    "organization/calendar.py",
    "organization/selectors.py",
)


@pytest.fixture(scope="module")
def scope():
    with mock.patch.object(i18n_scope, "CITIZEN_SOURCES", ALSO_SEEN_BY_CITIZENS):
        also_seen = i18n_scope.citizen_msgids()
    return i18n_scope.citizen_msgids() | also_seen


def catalog(directory):
    return polib.pofile(str(LOCALE / directory / "LC_MESSAGES" / "django.po"))


def translation_of(entry):
    return entry.msgstr_plural.get(0, "") if entry.msgid_plural else entry.msgstr


def citizen_entries(directory, scope):
    return [e for e in catalog(directory) if not e.obsolete and (e.msgctxt, e.msgid) in scope]


def glossary_terms(column):
    text = (Path(settings.BASE_DIR) / "docs" / "glossary.md").read_text()
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in text.splitlines()
        if line.startswith("| ") and not line.startswith("| ja ")
    ]
    return [(row[2], row[column]) for row in rows if len(row) == 7]


@pytest.mark.parametrize("directory", LANGUAGES)
def test_header_names_the_language_and_its_plural_rule(directory):
    po = catalog(directory)

    assert po.metadata["Language"] == directory
    assert po.metadata["Plural-Forms"] == "nplurals=1; plural=0;"
    assert "charset=UTF-8" in po.metadata["Content-Type"]


@pytest.mark.parametrize("directory", LANGUAGES)
def test_every_citizen_message_is_translated(directory, scope):
    entries = citizen_entries(directory, scope)

    assert {(e.msgctxt, e.msgid) for e in entries} == scope, "Run makemessages"
    assert [e.msgid for e in entries if not translation_of(e)] == []
    assert [e.msgid for e in entries if "fuzzy" in e.flags] == []


@pytest.mark.parametrize("directory", LANGUAGES)
def test_translations_keep_placeholders_markup_and_line_breaks(directory, scope):
    wrong = []
    for entry in citizen_entries(directory, scope):
        text = translation_of(entry)
        wanted = set(PLACEHOLDER.findall(entry.msgid + (entry.msgid_plural or "")))
        if set(PLACEHOLDER.findall(text)) != wanted:
            wrong.append(("placeholders", entry.msgid))
        if sorted(MARKUP.findall(text)) != sorted(MARKUP.findall(entry.msgid)):
            wrong.append(("markup", entry.msgid))
        if text.count("\n") != entry.msgid.count("\n"):
            wrong.append(("line breaks", entry.msgid))

    assert wrong == []


@pytest.mark.parametrize("directory", LANGUAGES)
def test_glossary_terms_are_used(directory, scope):
    terms = glossary_terms(GLOSSARY_COLUMN[directory])
    assert len(terms) >= 15
    missing = []
    for entry in citizen_entries(directory, scope):
        english = PLACEHOLDER.sub("", entry.msgid)  # %(procedure)s is not the word
        for term_en, term in terms:
            used = re.search(r"\b%ss?\b" % re.escape(term_en), english, re.IGNORECASE)
            if used and term.lower() not in translation_of(entry).lower():
                missing.append((entry.msgid, term))

    assert missing == []


@pytest.mark.parametrize("directory", LANGUAGES)
def test_compiled_catalog_matches_its_source(directory):
    source = catalog(directory)
    compiled = polib.mofile(str(LOCALE / directory / "LC_MESSAGES" / "django.mo"))

    wanted = {(e.msgid, translation_of(e)) for e in source.translated_entries()}
    have = {(e.msgid, translation_of(e)) for e in compiled if e.msgid}

    assert wanted == have, "Run: .venv/bin/python manage.py compilemessages"


@pytest.mark.parametrize(
    ("language", "confirmed", "deadline"),
    [
        ("zh-hans", "您在市政府的预约已确定。", "如需变更或取消预约"),
        ("ko", "시청 방문 예약이 확정되었습니다.", "예약을 변경하거나 취소하시려면"),
        ("vi", "Lịch hẹn của bạn tại tòa thị chính đã được xác nhận.", "Để thay đổi hoặc hủy"),
    ],
)
@pytest.mark.django_db
def test_a_resident_who_booked_in_the_language_gets_the_email_in_it(language, confirmed, deadline):
    from reservations.emails import _message
    from tests.reservations.factories import ProcedureFactory, add_clerk, booked_now

    procedure = ProcedureFactory()
    reservation = booked_now(
        procedure, add_clerk(procedure), email="resident@example.jp", language=language
    )

    message = _message(reservation, "booked", to=reservation.email, attach_calendar=True)

    html = message.alternatives[0][0]
    for text in (message.body, html):
        assert confirmed in text
        assert deadline in text
        assert "Your booking at the city hall is confirmed." not in text
    with translation.override(language):
        assert translation.gettext("Booking code") in message.body
