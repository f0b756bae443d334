"""Names in any script, as on the residence card, and how two names are compared.

A name is kept as typed but for width and spacing (NFKC turns ｊａｎｅ into Jane and
half-width ｶﾅ into カナ; runs of spaces become one); case is kept. Its reading in kana
is needed only when the name contains a kanji, whose reading cannot be guessed; a
Latin, hangul or kana name needs none.

Two records are taken for the same person when their names agree ignoring case,
width and spaces, and — when both give a reading — their readings agree ignoring
spaces and hiragana/katakana.
"""

import re
import unicodedata

from organization.kana import to_katakana

NAME_MAX_LENGTH = 100

KANA_PATTERN = re.compile(r"^[\u3041-\u3096\u30a1-\u30fa\u30fc\u30fb\u309d\u309e\u30fd\u30fe ]+$")
# CJK unified ideographs (with extensions A–F and the compatibility block) and 々〆〇.
KANJI_PATTERN = re.compile(
    "[\u3005\u3006\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef]"
)


def normalize_name(text: str) -> str:
    """Width folded (NFKC), runs of white space made one space, case kept."""
    return " ".join(unicodedata.normalize("NFKC", text or "").split())


def has_control_characters(text: str) -> bool:
    """Control, format or unassigned characters (Cc, Cf, Cn, Co, Cs) or the line and
    paragraph separators (U+2028, U+2029: a line break to a renderer): nothing a name
    has."""
    return any(unicodedata.category(c)[0] == "C" or c in "\u2028\u2029" for c in text)


def has_kanji(text: str) -> bool:
    return bool(KANJI_PATTERN.search(text or ""))


def is_kana(text: str) -> bool:
    return bool(KANA_PATTERN.match(text or ""))


def name_key(name: str) -> str:
    """What two names are compared by: NFKC, case folded, without spaces."""
    return "".join(normalize_name(name).casefold().split())


def kana_key(kana: str) -> str:
    """What two readings are compared by: NFKC, katakana, without spaces."""
    return "".join(c for c in to_katakana(normalize_name(kana)) if not c.isspace())


def same_person(name: str, kana: str, other_name: str, other_kana: str) -> bool:
    """The names agree, and the readings too where both records give one."""
    if not name_key(name) or name_key(name) != name_key(other_name):
        return False
    if kana_key(kana) and kana_key(other_kana):
        return kana_key(kana) == kana_key(other_kana)
    return True


def name_problems(name: str, kana: str) -> dict[str, str]:
    """Field → message for each problem of a normalised name and reading ({} when fine).

    Shared by the forms (a message under the field) and the booking service (which
    refuses the same input from any caller).
    """
    from django.utils.translation import gettext as _

    problems = {}
    if not name:
        problems["name"] = _("Please give your name as on your residence card or passport.")
    elif has_control_characters(name):
        problems["name"] = _("Your name contains characters that cannot be stored.")
    elif len(name) > NAME_MAX_LENGTH:
        problems["name"] = _("Please shorten your name to %(limit_value)d characters.") % {
            "limit_value": NAME_MAX_LENGTH
        }
    if kana:
        if len(kana) > NAME_MAX_LENGTH:
            problems["kana"] = _("Please shorten the reading to %(limit_value)d characters.") % {
                "limit_value": NAME_MAX_LENGTH
            }
        elif not is_kana(kana):
            problems["kana"] = _("Please write the reading in hiragana or katakana.")
    elif has_kanji(name):
        problems["kana"] = _(
            "Your name is written with kanji: please give its reading in hiragana or "
            "katakana, or write your name in Latin letters as on your residence card."
        )
    return problems
