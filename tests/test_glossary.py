"""Every citizen language uses the glossary's word for each municipal term
(docs/glossary.md): wherever the English message uses the English term, the translation
uses the term of its language."""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils.translation import to_locale

GLOSSARY = Path(settings.BASE_DIR) / "docs" / "glossary.md"
LOCALE = Path(settings.BASE_DIR) / "locale"
READING = re.compile(r"（[^）]*）|\([^)]*\)")


def glossary() -> list[dict[str, str]]:
    """The rows of the table under "## Terms", as {language code: term}."""
    text = GLOSSARY.read_text(encoding="utf-8")
    table = text.split("## Terms", 1)[1]
    lines = [line for line in table.splitlines() if line.startswith("|")]
    header = [cell.strip().split(" ")[0] for cell in lines[0].strip("|").split("|")]
    rows = []
    for line in lines[2:]:
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        row = dict(zip(header, cells, strict=True))
        # In やさしい日本語 the word is written as in Japanese; the page adds the reading.
        row["ja-easy"] = READING.sub("", row["ja-easy"])
        rows.append(row)
    return rows


def test_the_glossary_table_is_read():
    rows = glossary()

    assert len(rows) >= 15
    assert {"ja": "住民票", "ja-easy": "住民票", "en": "certificate of residence"}.items() <= (
        rows[0].items()
    )
    assert all(set(row) == {"ja", "ja-easy", "en", "zh-hans", "ko", "vi", "pt-br"} for row in rows)


@pytest.fixture(scope="module")
def citizen_scope():
    from config.i18n_scope import citizen_msgids

    return citizen_msgids()


PLACEHOLDER = re.compile(r"%\([^)]*\)[sdif]|\{[A-Za-z_]+\}")


def _uses(english_term: str, msgid: str) -> bool:
    """The English message uses the term (a whole word, or its plural in -s); a
    placeholder's name (``%(procedure)s``) is not a use."""
    text = PLACEHOLDER.sub(" ", msgid)
    return re.search(r"\b%ss?\b" % re.escape(english_term), text, re.IGNORECASE) is not None


@pytest.mark.parametrize("language", ["ja", "ja-easy", "zh-hans", "ko", "vi", "pt-br"])
def test_each_catalogue_uses_the_glossary_terms(language, citizen_scope):
    catalog = polib.pofile(str(LOCALE / to_locale(language) / "LC_MESSAGES" / "django.po"))
    wrong = []
    for entry in catalog.translated_entries():
        if (entry.msgctxt, entry.msgid) not in citizen_scope:
            continue
        texts = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for row in glossary():
            term = row[language].casefold()
            if _uses(row["en"], entry.msgid) and not all(term in t.casefold() for t in texts):
                wrong.append("%s → %s: %r = %r" % (row["en"], row[language], entry.msgid, texts))

    assert wrong == [], "Use the glossary's word (docs/glossary.md) in these translations"
