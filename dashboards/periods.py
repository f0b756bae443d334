"""Reporting periods of a Japanese city hall: months, fiscal quarters and fiscal years.

The fiscal year (年度) runs from April to March: Q1 is April–June, Q4 January–March, and
fiscal year 2026 is April 2026 to March 2027. Every period is [start, end) in days.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

KINDS = {"month": _("Month"), "quarter": _("Quarter"), "year": _("Fiscal year")}


@dataclass(frozen=True, order=True)
class Period:
    start: dt.date
    end: dt.date  # exclusive
    kind: str

    @property
    def key(self) -> str:
        """A URL-safe name: 2026-04 (month), 2026-Q1 (fiscal quarter), 2026 (fiscal year)."""
        if self.kind == "month":
            return "%d-%02d" % (self.start.year, self.start.month)
        if self.kind == "quarter":
            return "%d-Q%d" % (fiscal_year(self.start), quarter_of(self.start))
        return "%d" % fiscal_year(self.start)

    @property
    def label(self) -> str:
        if self.kind == "month":
            return "%d/%02d" % (self.start.year, self.start.month)
        if self.kind == "quarter":
            return str(
                _("FY%(year)s Q%(quarter)s")
                % {"year": fiscal_year(self.start), "quarter": quarter_of(self.start)}
            )
        return str(_("FY%(year)s") % {"year": fiscal_year(self.start)})

    @property
    def short_label(self) -> str:
        """For chart axes: 26/04, 26Q1 (fiscal), FY2026."""
        if self.kind == "month":
            return "%02d/%02d" % (self.start.year % 100, self.start.month)
        if self.kind == "quarter":
            return str(
                _("%(yy)sQ%(quarter)s")
                % {
                    "yy": "%02d" % (fiscal_year(self.start) % 100),
                    "quarter": quarter_of(self.start),
                }
            )
        return self.label

    @property
    def last(self) -> dt.date:
        """The period's last day (``end`` is the day after)."""
        return self.end - dt.timedelta(days=1)

    @property
    def fiscal_year(self) -> int:
        return fiscal_year(self.start)

    @property
    def quarter(self) -> int:
        return quarter_of(self.start)

    def contains(self, day: dt.date) -> bool:
        return self.start <= day < self.end

    def previous(self) -> "Period":
        return period_containing(self.start - dt.timedelta(days=1), self.kind)

    def next(self) -> "Period":
        return period_containing(self.end, self.kind)

    def trend(self, count: int) -> list["Period"]:
        """This period and the ``count - 1`` before it, oldest first."""
        periods = [self]
        while len(periods) < count:
            periods.append(periods[-1].previous())
        return periods[::-1]


def fiscal_year(day: dt.date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def quarter_of(day: dt.date) -> int:
    return ((day.month - 4) % 12) // 3 + 1


def _month_start(year: int, month: int) -> dt.date:
    year += (month - 1) // 12
    month = (month - 1) % 12 + 1
    return dt.date(year, month, 1)


def period_containing(day: dt.date, kind: str) -> Period:
    if kind == "month":
        start = day.replace(day=1)
        return Period(start, _month_start(start.year, start.month + 1), kind)
    if kind == "quarter":
        first_month = 4 + (quarter_of(day) - 1) * 3
        start = _month_start(fiscal_year(day), first_month)
        return Period(start, _month_start(start.year, start.month + 3), kind)
    if kind == "year":
        start = dt.date(fiscal_year(day), 4, 1)
        return Period(start, dt.date(start.year + 1, 4, 1), kind)
    raise ValueError("unknown period kind %r" % kind)


def quarter(year: int, number: int) -> Period:
    """Fiscal ``year``'s quarter ``number`` (1–4)."""
    if not 1 <= number <= 4:
        raise ValueError("a quarter is 1 to 4")
    return period_containing(_month_start(year, 4 + (number - 1) * 3), "quarter")


def parse(key: str, kind: str | None = None) -> Period | None:
    """The period named by ``key`` (see ``Period.key``), or None if it names none."""
    try:
        if "-Q" in key:
            year, number = key.split("-Q")
            return quarter(int(year), int(number))
        if "-" in key:
            year, month = key.split("-")
            return period_containing(dt.date(int(year), int(month), 1), "month")
        if key.isdigit() and len(key) == 4:
            return period_containing(dt.date(int(key), 4, 1), "year")
    except ValueError:
        return None
    return None


def wareki_fiscal_year(year: int) -> str:
    """令和7年度 for fiscal year 2025: the era of the fiscal year's first day (FY2019,
    which began on 1 April 2019, is 平成31年度)."""
    if year >= 2020:
        number = year - 2018
        return "令和%s年度" % ("元" if number == 1 else number)
    return "平成%d年度" % (year - 1988)


def wareki_label(period: Period) -> str:
    """The period as a Japanese document names it: 令和7年度 第2四半期 (7月–9月)."""
    fy = wareki_fiscal_year(period.fiscal_year)
    if period.kind == "year":
        return fy
    if period.kind == "quarter":
        return "%s 第%d四半期（%d月〜%d月）" % (
            fy,
            period.quarter,
            period.start.month,
            period.last.month,
        )
    return "%s %d月" % (fy, period.start.month)


def span(first: dt.date, last: dt.date, kind: str) -> list[Period]:
    """Every period of ``kind`` from the one containing ``first`` to the one containing
    ``last``, newest first."""
    current = period_containing(last, kind)
    oldest = period_containing(min(first, last), kind)
    result = [current]
    while result[-1] > oldest:
        result.append(result[-1].previous())
    return result


def coerce(period: Period, kind: str, today: dt.date) -> Period:
    """The period of ``kind`` that best stands for ``period`` (chosen under another
    period type): the one containing its last day, or today while it is still running.
    A month chosen with 「2025年度 第2四半期」 becomes September 2025, not this month."""
    if period.kind == kind:
        return period
    return period_containing(min(period.last, today), kind)
