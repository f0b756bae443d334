from django import template

from complaints import timeline
from organization.translation import translated_from_row

register = template.Library()


@register.simple_tag
def localized(row: dict, prefix: str) -> str:
    """``<prefix>__name`` in the page's language, else in Japanese: for rows read with
    ``.values()`` (``<prefix>__name_ja`` and ``<prefix>__name_en``)."""
    return translated_from_row(row, "%s__name" % prefix)


@register.filter
def event_text(event) -> str:
    """A timeline entry's text in the reader's language (complaints/timeline.py)."""
    return timeline.event_text(event)
