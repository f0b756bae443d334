"""The city hall's calendar: public holidays, the year-end closure, business days.

Public holidays come from the maintained ``holidays`` package; the year-end closure
(29 December to 3 January) is the custom of Japanese city halls. Counters use it for
opening days, complaints for report deadlines counted in business days.
"""

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache

import holidays
from django.utils import timezone
from django.utils.translation import gettext as _

ONE_DAY = dt.timedelta(days=1)


@lru_cache(maxsize=32)
def _japanese_holidays(year: int, language: str) -> dict[dt.date, str]:
    names = holidays.country_holidays("JP", years=year, language=language)
    return dict(names.items())


def holiday_name(day: dt.date, *, english: bool = False, language: str = "") -> str | None:
    """The public holiday or the year-end closure on ``day``, or None; the holiday's name
    in Japanese, or in English for ``english`` or a ``language`` other than Japanese
    (the ``holidays`` package names Japan's holidays in Japanese, English and Thai
    only: English is the one a reader of the other languages most likely reads)."""
    in_japanese = not english and (not language or language.startswith("ja"))
    holiday = _japanese_holidays(day.year, "ja" if in_japanese else "en_US").get(day)
    if holiday:
        return holiday
    if (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3):
        return _("Year-end and New Year closure")
    return None


def day_start(day: dt.date) -> dt.datetime:
    """Midnight at the start of ``day`` in the city hall's time zone: the bound of a day,
    a month or a period for queries on timestamps."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def is_business_day(day: dt.date) -> bool:
    return day.weekday() < 5 and holiday_name(day) is None


def business_days_add(
    start: dt.date, days: int, *, paused: Iterable[tuple[dt.date, dt.date]] = ()
) -> dt.date:
    """The date ``days`` business days after ``start``.

    ``paused`` holds (first, resumed) date pairs during which the clock stood still: a
    day from ``first`` up to the day before ``resumed`` does not count, so a pause and a
    resumption on the same day cost nothing.
    """
    paused = list(paused)
    day, counted = start, 0
    while counted < days:
        day += ONE_DAY
        if is_business_day(day) and not any(first <= day < resumed for first, resumed in paused):
            counted += 1
    return day
