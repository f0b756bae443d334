"""Dates and times as people in Japan read them, in the language of the page."""

import datetime as dt

from django import template
from django.forms import BoundField
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.formats import get_format
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()


def _local(value):
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


# The long date of each language that does not write it the Japanese way; Japanese,
# やさしい日本語 and any language without a line here get 2026年12月1日（火）.
LONG_DATE_FORMATS = {
    "en": "D j M Y",  # Tue 1 Dec 2026
    "pt-br": r"l, j \d\e F \d\e Y",  # terça-feira, 1 de dezembro de 2026
    "ko": "Y년 n월 j일 (D)",  # 2026년 12월 1일 (화)
    "vi": "l, j/n/Y",  # Thứ ba, 1/12/2026
    "zh-hans": "Y年n月j日（周D）",  # 2026年12月1日（周二）
}


@register.filter
def long_date(value) -> str:
    """2026年12月1日（火） / Tue 1 Dec 2026 / terça-feira, 1 de dezembro de 2026"""
    if not value:
        return ""
    value = _local(value)
    language = get_language()
    text = date_format(value, LONG_DATE_FORMATS.get(language, "Y年n月j日（D）"))
    # Django's Portuguese names are capitalised; Brazilians write weekdays and months in
    # lower case, and the date usually sits in the middle of a sentence.
    return text.lower() if language == "pt-br" else text


@register.filter
def month_title(value) -> str:
    """2026年12月 / December 2026 / Dezembro de 2026: Django's own month-and-year form
    of the page's language (plain Japanese falls back to Japanese)."""
    return date_format(value, get_format("YEAR_MONTH_FORMAT"))


@register.filter
def hm(value) -> str:
    """09:30 → 9:30"""
    if not value:
        return ""
    value = _local(value)
    return "%d:%02d" % (value.hour, value.minute)


@register.filter
def hhmm(value) -> str:
    """The HHMM form used in booking addresses."""
    return _local(value).strftime("%H%M")


@register.simple_tag
def time_links(slots, url_name, **kwargs):
    """The list items of the times grid: a link per free time to ``url_name`` with
    ``kwargs`` and the time's ``hhmm``, labelled 9:00–9:30.

    One ``reverse`` for the whole grid (the time is the address's last part), not one
    per time as a ``{% url %}`` in a loop would do.
    """
    if not slots:
        return ""
    prefix, _marker, suffix = reverse(url_name, kwargs={**kwargs, "hhmm": "0000"}).rpartition(
        "0000"
    )
    prefix, suffix = conditional_escape(prefix), conditional_escape(suffix)
    # The page's time zone looked up once, not twice per time (a day has up to 48).
    zone = timezone.get_current_timezone()
    items = []
    for slot in slots:
        start, end = slot.start.astimezone(zone), slot.end.astimezone(zone)
        items.append(
            '<li><a class="btn btn-outline-primary w-100" href="%s%02d%02d%s">'
            "%d:%02d–%d:%02d</a></li>"
            % (
                prefix,
                start.hour,
                start.minute,
                suffix,
                start.hour,
                start.minute,
                end.hour,
                end.minute,
            )
        )
    return mark_safe("\n  ".join(items))


@register.filter
def isodate(value) -> str:
    return _local(value).date().isoformat() if isinstance(value, dt.datetime) else value.isoformat()


@register.filter
def add_minutes(value, minutes):
    return value + dt.timedelta(minutes=int(minutes))


@register.filter
def mask_email(value: str) -> str:
    """taro.yamada@example.jp → t***@example.jp: enough to spot a typo, not to read it."""
    local, at, domain = (value or "").partition("@")
    if not at:
        return ""
    return "%s***@%s" % (local[:1], domain)


@register.filter
def mask_phone(value: str) -> str:
    """090-1234-5678 → ***-****-5678 (the last four digits)."""
    digits = "".join(ch for ch in (value or "") if ch.isdigit())
    if len(digits) < 4:
        return ""
    return "***-****-%s" % digits[-4:]


# Start of each Japanese era (the first day), newest first.
_ERAS = [
    (dt.date(2019, 5, 1), "令和", "Reiwa"),
    (dt.date(1989, 1, 8), "平成", "Heisei"),
    (dt.date(1926, 12, 25), "昭和", "Showa"),
]


@register.filter
def wareki(value) -> str:
    """The Japanese-era date: 令和8年11月30日 (元年 for the first year) / Reiwa 8."""
    if not value:
        return ""
    value = _local(value)
    day = value.date() if isinstance(value, dt.datetime) else value
    for start, name, name_en in _ERAS:
        if day >= start:
            year = day.year - start.year + 1
            if get_language() == "en":
                return "%s %d" % (name_en, year)
            return "%s%s年%d月%d日" % (name, "元" if year == 1 else year, day.month, day.day)
    return ""


@register.filter
def html_lang(code) -> str:
    """The lang attribute of a language code: ja-easy → ja, zh-hans → zh-Hans."""
    from config.languages import html_lang as to_html_lang

    return to_html_lang(code)


@register.filter
def hidden_inputs(fields) -> str:
    """The hidden inputs of these bound fields (or of one), as their widgets render them
    but without a template each: a details page's version fields and idempotency key took
    a tenth of its rendering through Django's form templates."""

    def attributes(field):
        value = field.field.widget.format_value(field.value())
        yield "" if value is None else format_html(' value="{}"', value)
        yield format_html(' id="{}"', field.auto_id) if field.auto_id else ""

    if isinstance(fields, BoundField):
        fields = [fields]
    return format_html_join(
        "",
        '<input type="hidden" name="{}"{}{}>',
        ((field.html_name, *attributes(field)) for field in fields),
    )
