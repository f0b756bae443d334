"""The catalogues: Japanese (the default) complete; every compiled catalogue the same as
its source; the five other citizen languages complete on what a citizen can see
(``config.i18n_scope.citizen_msgids``), with every placeholder kept."""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils.translation import to_locale

LOCALE = Path(settings.BASE_DIR) / "locale"
# The citizen languages besides Japanese and English (the message ids are English).
CITIZEN_ONLY = ["ja-easy", "zh-hans", "ko", "vi", "pt-br"]
PLACEHOLDER = re.compile(r"%\([A-Za-z_][A-Za-z0-9_]*\)[sdif]|%[sdif]|\{[A-Za-z_][A-Za-z0-9_]*\}")


def _catalog(code: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / to_locale(code) / "LC_MESSAGES" / "django.po"))


@pytest.fixture(scope="module")
def citizen_scope():
    from config.i18n_scope import citizen_msgids

    return citizen_msgids()


def test_every_message_has_a_japanese_translation():
    catalog = _catalog("ja")

    untranslated = [entry.msgid for entry in catalog.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalog.fuzzy_entries()]

    assert untranslated == [], "Translate these in locale/ja/LC_MESSAGES/django.po"
    assert fuzzy == [], "Review these fuzzy translations"


def test_every_language_has_a_catalogue():
    for code, _name in settings.LANGUAGES:
        assert (LOCALE / to_locale(code) / "LC_MESSAGES" / "django.po").exists(), code


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_compiled_catalog_matches_its_source(language):
    folder = LOCALE / to_locale(language) / "LC_MESSAGES"
    source = polib.pofile(str(folder / "django.po"))
    compiled = polib.mofile(str(folder / "django.mo"))

    wanted = {(e.msgctxt, e.msgid, e.msgstr) for e in source.translated_entries()}
    have = {(e.msgctxt, e.msgid, e.msgstr) for e in compiled if e.msgid}

    assert wanted == have, "Run: .venv/bin/python manage.py compilemessages --ignore=.venv"


@pytest.mark.parametrize("language", CITIZEN_ONLY)
def test_everything_a_citizen_sees_is_translated(language, citizen_scope):
    catalog = {(e.msgctxt, e.msgid): e for e in _catalog(language) if not e.obsolete}

    missing = sorted(
        "%s%s" % ("[%s] " % ctxt if ctxt else "", msgid)
        for ctxt, msgid in citizen_scope
        if (ctxt, msgid) not in catalog
        or not catalog[ctxt, msgid].translated()
        or "fuzzy" in catalog[ctxt, msgid].flags
    )

    assert missing == [], "Translate these in locale/%s/LC_MESSAGES/django.po" % to_locale(language)


def _translations(entry):
    if entry.msgid_plural:
        return [text for _n, text in sorted(entry.msgstr_plural.items())]
    return [entry.msgstr]


@pytest.mark.parametrize("language", ["ja", *CITIZEN_ONLY])
def test_translations_keep_every_placeholder(language, citizen_scope):
    wrong = []
    for entry in _catalog(language).translated_entries():
        if language != "ja" and (entry.msgctxt, entry.msgid) not in citizen_scope:
            continue
        wanted = set(PLACEHOLDER.findall(entry.msgid + (entry.msgid_plural or "")))
        for text in _translations(entry):
            have = set(PLACEHOLDER.findall(text))
            # A plural form for "one" may leave out the number (Portuguese "1 hora").
            if have != wanted and not (entry.msgid_plural and have < wanted):
                wrong.append((entry.msgid, text))

    assert wrong == [], "These translations lose or add a placeholder"
