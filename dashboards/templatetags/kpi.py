from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def kpi_format(value, unit: str = "%") -> str:
    """85.3% · 12 min · 3.2 per 1,000 visits (3.2件/1,000件) · 4 days; — when there is
    nothing to measure."""
    if value is None or value == "":
        return "—"
    number = "%g" % round(float(value), 1)
    if unit == "%":
        return "%s%%" % number
    if unit == "min":
        return _("%(n)s min") % {"n": number}
    if unit == "days":
        return _("%(n)s days") % {"n": number}
    if unit == "per_1000":
        return _("%(n)s per 1,000 visits") % {"n": number}
    return number


@register.filter
def kpi_cell(value, unit: str = "%") -> str:
    """``kpi_format`` for a table cell under a row label that names the unit already:
    a rate per 1,000 visits is its number alone (「6.9件/1,000件」 does not fit a column
    of an A4 report; the row reads 「来庁1,000件あたりの苦情」)."""
    if unit == "per_1000":
        return kpi_format(value, "")
    return kpi_format(value, unit)


def unit_name(unit: str) -> str:
    """The unit as a reader writes it: for CSV headers and table captions."""
    return {
        "%": "%",
        "min": _("minutes"),
        "days": _("days"),
        "per_1000": _("per 1,000 visits"),
    }.get(unit, unit)


@register.filter
def kpi_unit(unit: str) -> str:
    return unit_name(unit)


@register.filter
def index(sequence, position: int):
    try:
        return sequence[position]
    except (IndexError, TypeError):
        return None
