"""Português (Brasil) and やさしい日本語: every message a resident can see is translated,
keeps its placeholders and markup, uses the glossary's words, and reaches the resident."""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext, ngettext

from config.i18n_scope import citizen_msgids
from reservations import services
from tests.reservations.factories import DAY, NOW, at, consents, procedure_with
from tests.reservations.factories import citizen as citizen_details

BASE = Path(settings.BASE_DIR)
# locale directory -> (Django language code, column of docs/glossary.md)
CATALOGUES = {
    "pt_BR": ("pt-br", "pt-br"),
    "ja_Easy": ("ja-easy", "ja-easy (reading)"),
}
# What must come through a translation unchanged: %(name)s, %s, {name}, HTML tags.
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|\{[a-z_]*\}|<[^>]+>")


@pytest.fixture(scope="module")
def citizen_scope():
    return citizen_msgids()


def catalogue(directory: str) -> polib.POFile:
    return polib.pofile(str(BASE / "locale" / directory / "LC_MESSAGES" / "django.po"))


def translations(entry) -> list[str]:
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


def scoped_entries(directory, scope):
    entries = {(e.msgctxt, e.msgid): e for e in catalogue(directory) if not e.obsolete}
    return [entries[key] for key in sorted(scope, key=str) if key in entries]


def glossary() -> list[dict[str, str]]:
    """The rows of the terms table in docs/glossary.md, by column heading."""
    rows, headings = [], None
    for line in (BASE / "docs" / "glossary.md").read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if headings is None:
            headings = cells
        elif not set("".join(cells)) <= set("-"):
            rows.append(dict(zip(headings, cells, strict=True)))
    return rows


@pytest.mark.parametrize("directory", CATALOGUES)
def test_every_message_a_citizen_can_see_is_translated(directory, citizen_scope):
    entries = {(e.msgctxt, e.msgid): e for e in catalogue(directory) if not e.obsolete}

    missing = [key for key in citizen_scope if key not in entries]
    untranslated = [
        e.msgid for e in scoped_entries(directory, citizen_scope) if not all(translations(e))
    ]
    fuzzy = [e.msgid for e in scoped_entries(directory, citizen_scope) if "fuzzy" in e.flags]

    assert missing == [], "Run makemessages for locale/%s" % directory
    assert untranslated == [], "Translate these in locale/%s" % directory
    assert fuzzy == [], "Review these fuzzy translations in locale/%s" % directory


@pytest.mark.parametrize("directory", CATALOGUES)
def test_translations_keep_every_placeholder_and_tag(directory, citizen_scope):
    changed = [
        (e.msgid, text)
        for e in scoped_entries(directory, citizen_scope)
        for text in translations(e)
        if text
        and sorted(set(PLACEHOLDER.findall(text))) != sorted(set(PLACEHOLDER.findall(e.msgid)))
    ]

    assert changed == []


@pytest.mark.parametrize("directory", CATALOGUES)
def test_translations_use_the_glossary_term_wherever_the_english_does(directory, citizen_scope):
    _code, column = CATALOGUES[directory]
    terms = [
        # The plain-Japanese column gives each reading in brackets; the page adds it as
        # furigana, so the catalogue holds the kanji alone.
        (row["en"].lower(), re.sub(r"（[ぁ-ゖァ-ヺー]+）", "", row[column]).lower())
        for row in glossary()
    ]

    unfollowed = [
        (english, term, e.msgid)
        for e in scoped_entries(directory, citizen_scope)
        for english, term in terms
        if english in PLACEHOLDER.sub(" ", e.msgid).lower()
        and not all(term in text.lower() for text in translations(e))
    ]

    assert unfollowed == []


def test_plain_japanese_carries_no_readings_in_brackets(citizen_scope):
    # The ja-easy pages add furigana to every kanji at render time; a reading written in
    # the catalogue as well would be read twice.
    with_readings = [
        text
        for e in scoped_entries("ja_Easy", citizen_scope)
        for text in translations(e)
        if re.search(r"[一-龯]（[ぁ-ゖ]+）", text)
    ]

    assert with_readings == []


@pytest.mark.parametrize("directory", CATALOGUES)
def test_compiled_catalogue_matches_its_source(directory):
    source = catalogue(directory)
    compiled = polib.mofile(str(BASE / "locale" / directory / "LC_MESSAGES" / "django.mo"))

    wanted = {(e.msgid, e.msgstr) for e in source.translated_entries()}
    have = {(e.msgid, e.msgstr) for e in compiled if e.msgid}

    assert wanted == have, "Run: .venv/bin/python manage.py compilemessages"


def test_portuguese_counts_one_as_singular_and_more_as_plural():
    with translation.override("pt-br"):
        one = ngettext("%(ahead)s person", "%(ahead)s people", 1) % {"ahead": 1}
        none = ngettext("%(ahead)s person", "%(ahead)s people", 0) % {"ahead": 0}
        three = ngettext("%(ahead)s person", "%(ahead)s people", 3) % {"ahead": 3}

    # Brazilian Portuguese: plural=(n > 1), so zero takes the singular.
    assert (one, none, three) == ("1 pessoa", "0 pessoa", "3 pessoas")


def test_plain_japanese_has_one_form_for_every_count_and_is_marked_japanese():
    with translation.override("ja-easy"):
        counts = [
            ngettext("%(ahead)s person", "%(ahead)s people", n) % {"ahead": n} for n in (1, 5)
        ]
        button = gettext("Find my booking")
    header = catalogue("ja_Easy").metadata

    assert counts == ["1人", "5人"]
    assert button == "予約を 探す"
    assert header["Language"] == "ja"
    assert header["Plural-Forms"] == "nplurals=1; plural=0;"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "subject", "sentence"),
    [
        (
            "pt-br",
            "Agendamento confirmado: quarta-feira, 12 de junho de 2030 9:00",
            "Seu agendamento na prefeitura está confirmado.",
        ),
        (
            "ja-easy",
            "予約が 決まりました：2030年6月12日（水） 9:00",
            "市役所の 予約が 決まりました。",
        ),
    ],
)
def test_a_booking_made_in_the_language_gets_its_email_in_it(
    language, subject, sentence, django_capture_on_commit_callbacks
):
    # given a procedure with a document rule and a clerk on shift
    procedure = procedure_with("本人確認書類", clerk_days=[DAY])

    # when a resident books on a page in that language
    with django_capture_on_commit_callbacks(execute=True), translation.override(language):
        result = services.reservation_book(
            procedure=procedure,
            start=at(DAY, 9),
            citizen=citizen_details(),
            consented_rules=consents(procedure),
            now=NOW,
        )

    # then the confirmation e-mail, sent after the page is gone, is in that language
    assert result.reservation.language == language
    message = mail.outbox[0]
    assert message.subject == subject
    # Plain Japanese e-mails carry each kanji word's reading in brackets after it.
    body = re.sub(r"（[ぁ-ゖァ-ヺー]+）", "", message.body)
    assert sentence in body
    assert result.reservation.code in message.body
