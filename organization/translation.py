"""Admin-entered texts translated with django-modeltranslation (issue 19).

Each field listed here has one column per citizen language (``name_ja``,
``name_ja_easy``, ``name_en``, ``name_zh_hans``, ``name_ko``, ``name_vi``,
``name_pt_br``); ``instance.name`` gives the active language's text, or the Japanese
where it is missing. The Japanese is required wherever the field itself is; an empty
translation is stored as NULL, so "missing" is one test everywhere.
"""

from django.conf import settings
from django.utils.translation import get_language
from modeltranslation.translator import TranslationOptions, register
from modeltranslation.utils import build_localized_fieldname

from organization.models import Department, SiteSettings, default_opening_hours_en


class CitizenTextOptions(TranslationOptions):
    required_languages = ("ja",)
    empty_values = None


@register(Department)
class DepartmentTranslation(CitizenTextOptions):
    fields = ("name", "location")


# modeltranslation would copy a default into every language (the Japanese hours
# "translated" into Korean): only the Japanese keeps it, and the English hours their
# own (CITY_OPENING_HOURS_EN); the other languages start empty and fall back.
_JAPANESE_DEFAULT_ONLY = {"default": {"default": None}, "ja": {}}


@register(SiteSettings)
class SiteSettingsTranslation(CitizenTextOptions):
    fields = ("city_name", "address", "opening_hours", "privacy_notice", "accessibility_statement")
    field_options = {
        "city_name": _JAPANESE_DEFAULT_ONLY,
        "address": _JAPANESE_DEFAULT_ONLY,
        "opening_hours": {**_JAPANESE_DEFAULT_ONLY, "en": {"default": default_opening_hours_en}},
    }


def translated_column(field: str, language: str | None = None) -> str:
    """The column of ``field`` in ``language`` (the active one by default): name → name_ko."""
    language = language or get_language() or "ja"
    known = {code for code, _name in settings.LANGUAGES}
    return build_localized_fieldname(field, language if language in known else "ja")


def translated_from_row(row: dict, lookup: str) -> str:
    """For rows read with ``.values()``: ``row["<lookup>_<active language>"]``, else the
    Japanese ``row["<lookup>_ja"]`` (both must have been read)."""
    prefix, _, field = lookup.rpartition("__")
    own = "__".join(filter(None, [prefix, translated_column(field)]))
    japanese = "__".join(filter(None, [prefix, translated_column(field, "ja")]))
    return row.get(own) or row.get(japanese) or ""


LANGUAGE_ORDER = ("ja", "ja-easy", "en", "zh-hans", "ko", "vi", "pt-br")


def texts(*values: str) -> dict[str, str]:
    """A text in every citizen language, in ``LANGUAGE_ORDER`` (for demo data)."""
    if len(values) != len(LANGUAGE_ORDER):
        raise ValueError("One text per language: %s" % ", ".join(LANGUAGE_ORDER))
    return dict(zip(LANGUAGE_ORDER, values, strict=True))


def text_columns(field: str, by_language: dict[str, str]) -> dict[str, str | None]:
    """``{"ja": "住民票", "en": "…"}`` → ``{"name_ja": "住民票", "name_en": "…"}``, the
    keyword arguments of a model with translated ``field``; empty means missing (NULL)."""
    return {
        translated_column(field, language): value or None for language, value in by_language.items()
    }
