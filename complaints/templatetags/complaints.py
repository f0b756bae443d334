from django import template
from django.utils.translation import get_language

register = template.Library()


@register.simple_tag
def localized(row: dict, prefix: str) -> str:
    """The English name of ``<prefix>__name_en`` on English pages where set, else the
    Japanese name: for rows read with ``.values()``."""
    english = row.get("%s__name_en" % prefix) if get_language() == "en" else ""
    return english or row.get("%s__name" % prefix) or ""
