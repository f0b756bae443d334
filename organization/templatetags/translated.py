"""Admin-entered texts on citizen pages, marked where the translation is missing.

``{{ procedure|tr:"name" }}`` gives the text in the page's language; where that
translation is missing and the Japanese is shown instead (modeltranslation's fallback),
it comes wrapped in ``<span lang="ja">`` so that screen readers and browsers (fonts,
line breaking, furigana) treat it as Japanese. ``{% fallback_lang obj "field" %}`` gives
`` lang="ja"`` for a block element around a longer text, or nothing.
"""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from modeltranslation.utils import build_localized_fieldname

register = template.Library()

# The page's lang attribute is already "ja" for these (やさしい日本語 is Japanese).
_JAPANESE_PAGES = {"ja", "ja-easy"}


def shows_japanese_instead(obj, field: str) -> bool:
    """True where ``obj.<field>`` falls back to the Japanese on this page."""
    language = get_language() or "ja"
    if language in _JAPANESE_PAGES or obj is None:
        return False
    own = getattr(obj, build_localized_fieldname(field, language), None)
    return not own and bool(getattr(obj, build_localized_fieldname(field, "ja"), None))


@register.filter
def tr(obj, field: str):
    if obj is None or obj == "":
        return ""
    value = getattr(obj, field) or ""
    if value and shows_japanese_instead(obj, field):
        return format_html('<span lang="ja">{}</span>', value)
    return value


@register.simple_tag
def fallback_lang(obj, field: str):
    return mark_safe(' lang="ja"') if shows_japanese_instead(obj, field) else ""
