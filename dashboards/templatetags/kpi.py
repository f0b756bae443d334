from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def kpi_format(value, unit: str = "%") -> str:
    """85.3 % · 12 min · 3.2 ‰ · 4 days; — when there is nothing to measure."""
    if value is None or value == "":
        return "—"
    number = "%g" % round(float(value), 1)
    if unit == "%":
        return "%s%%" % number
    if unit == "min":
        return _("%(n)s min") % {"n": number}
    if unit == "days":
        return _("%(n)s days") % {"n": number}
    if unit == "‰":
        return "%s‰" % number
    return number


@register.filter
def index(sequence, position: int):
    try:
        return sequence[position]
    except (IndexError, TypeError):
        return None
