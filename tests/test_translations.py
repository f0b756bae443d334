"""Japanese is the default language and English the second: both must be complete."""

from pathlib import Path

import polib
import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"


def test_every_message_has_a_japanese_translation():
    catalog = polib.pofile(str(LOCALE / "ja" / "LC_MESSAGES" / "django.po"))

    untranslated = [entry.msgid for entry in catalog.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalog.fuzzy_entries()]

    assert untranslated == [], "Translate these in locale/ja/LC_MESSAGES/django.po"
    assert fuzzy == [], "Review these fuzzy translations"


@pytest.mark.parametrize("language", ["ja", "en"])
def test_compiled_catalog_matches_its_source(language):
    source = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    compiled = polib.mofile(str(LOCALE / language / "LC_MESSAGES" / "django.mo"))

    wanted = {(e.msgid, e.msgstr) for e in source.translated_entries()}
    have = {(e.msgid, e.msgstr) for e in compiled if e.msgid}

    assert wanted == have, "Run: .venv/bin/python manage.py compilemessages"
