"""Knowledge search by reading and meaning.

A closed case is indexed with the morphological analyser MeCab (through ``fugashi``)
and the UniDic dictionary (``unidic-lite``): every word's dictionary form (lemma, which
also folds spelling variants: 引越し and 引っ越し are one lemma) and its reading in
katakana. A query then matches a case by what is written, by the lemma of what is
typed, or by its reading — so 「しゃしん」 finds 写真 — and each query word is widened
by the administrators' synonym groups (写真 ↔ photo ↔ 顔写真).

fugashi + unidic-lite were chosen over SudachiPy + sudachidict-core: both run offline,
unidic-lite is the smaller download (47 MB against 77 MB) and gives lemmas that fold
variants, which is what SudachiPy's normalised form is used for here.
"""

import unicodedata

from organization.furigana import tagger
from organization.kana import to_katakana

READING_MARK = "\u241e"  # separates the lemma part of the index from the reading part
TEXT_MARK = "\u241d"  # and the reading part from the text as written (folded)


def fold(text: str) -> str:
    """NFKC, lower case, katakana: the form both the index and the queries are in."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return to_katakana(text)


def _words(text: str) -> list[tuple[str, str]]:
    """(lemma, reading) of each word of ``text``."""
    result = []
    for word in tagger()(unicodedata.normalize("NFKC", text or "")):
        feature = word.feature
        lemma = getattr(feature, "lemma", None) or word.surface
        # A lemma may carry a sub-sense after a dash in UniDic (e.g. "カメラ-camera").
        lemma = lemma.split("-")[0] if "-" in lemma and not lemma.startswith("-") else lemma
        reading = getattr(feature, "kana", None) or word.surface
        if word.surface.strip():
            result.append((fold(lemma), fold(reading)))
    return result


def index_text(*texts: str) -> str:
    """The search index of a case: its lemmas (space separated, each padded), after a
    mark its readings run together (so a reading typed across words still matches), and
    after another its texts as written, folded (so any part of a word matches)."""
    lemmas, readings = [], []
    for text in texts:
        for lemma, reading in _words(text):
            lemmas.append(lemma)
            readings.append(reading)
        readings.append(" ")
    written = "\n".join(fold(text) for text in texts if text)
    return " %s %s%s%s%s" % (
        " ".join(lemmas),
        READING_MARK,
        "".join(readings).strip(),
        TEXT_MARK,
        written,
    )


def query_forms(term: str) -> set[str]:
    """What one query word may match in the index: itself folded, its lemmas run
    together, and its reading (only when it is written in kana, so that 「しゃしん」 finds
    写真 while 「写真」 does not find every シャシン)."""
    folded = fold(term)
    words = _words(term)
    forms = {folded}
    if words:
        forms.add(" ".join(lemma for lemma, _reading in words))
    if is_kana(term):
        forms.add(folded.replace(" ", ""))
    return {form for form in forms if form}


def is_kana(text: str) -> bool:
    text = unicodedata.normalize("NFKC", text)
    return bool(text) and all("\u3041" <= c <= "\u30ff" or c in "ー・ " for c in text)


# The fields of a case the knowledge base searches, and shows (the first response is what
# the citizen was told, and may name them: it is neither).
SEARCHED = ("summary", "description", "root_cause", "countermeasure")


def complaint_index(complaint) -> str:
    """The index the knowledge base searches, and the only thing it searches: made from
    the texts with the citizen's name, contact, telephone numbers and e-mail addresses
    taken out (``redaction``), so that typing a name — or its reading — finds no case by
    it, as the cases shown never show it."""
    from complaints.redaction import for_complaint

    redact = for_complaint(complaint, marker=" ")
    return index_text(*(redact(getattr(complaint, name) or "") for name in SEARCHED))
