"""The dashboards' computed figures, kept in the shared cache per version of the rollup.

A dashboard page's figures (KPI tables, trends, charts, the funnel) depend only on the
rollup, the targets, the period, the filters, the language and the day; eight managers
looking at the same quarter need not sum the same facts eight times. Each page's
figures are cached under a key made of all of these and of the rollup's version
(``RollupState.version``): the rollup job, a refresh, a letter batch's first facts and a
target edit raise the version in the transaction that writes, so a page never shows
figures older than the rollup it reads, and its "data age" (read live) stays true.

Never cached here: the page's HTML (CSRF token, the user's menu, messages), anything
read live (complaints overdue now, the review's actions), and the permission check (the
views check the role before they ask for figures). Managers see every department
(need-to-know: "managers and administrators see all"); what restricts the figures a
request gets — the department and the procedure filtered — is part of the key, so one
department's figures are never served for another's.
"""

from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import get_language

from dashboards import rollup, selectors

# A ceiling only: the version changes every time the 5-minute job runs. It bounds what
# depends on the clock rather than on the data (a letter batch's 30-day window closing).
FIGURES_CACHE_SECONDS = 300


class State:
    """The rollup's state as one request sees it (read once, one indexed query)."""

    def __init__(self):
        self.refreshed_at, self.version = rollup.state()


def state(request) -> State:
    found = getattr(request, "_dashboards_state", None)
    if found is None:
        found = request._dashboards_state = State()
    return found


def key(name: str, version: int, *parts, per_language: bool = True) -> str:
    """The cache key of one page's figures: the version, the page, the language (their
    labels and bases are translated), the day, the minimum number of answers (参考値),
    and the page's period and filters."""
    scope = ":".join("" if part is None else str(part) for part in parts)
    return "dashboards:figures:%s:v%d:%s:%s:%s:%s" % (
        name,
        version,
        (get_language() or "") if per_language else "",
        timezone.localdate().isoformat(),
        settings.DASHBOARD_MIN_ANSWERS,
        scope,
    )


def cached(name: str, request, compute: Callable, *parts, per_language: bool = True):
    """``compute()``'s result for this version of the rollup and these ``parts`` (the
    period, the filters…), from the cache when another request computed it already."""
    current = state(request)
    cache_key = key(name, current.version, *parts, per_language=per_language)
    found = cache.get(cache_key)
    if found is None:
        found = compute()
        cache.set(cache_key, found, FIGURES_CACHE_SECONDS)
    return found


def fragment_key(request, period, filters) -> str:
    """What a page's cached HTML fragment of its figures varies on (``{% cache %}`` in
    the templates): the same as its figures. Never the parts with a CSRF token."""
    return key("fragment", state(request).version, *scope(period, filters))


def scope(period, filters) -> tuple:
    """The parts of a key for one period and filters."""
    return (period.kind, period.key, filters.department_id, filters.procedure_id)


# The filter lists (departments, procedures) change rarely: a renamed department shows in
# the lists within this time (the figures themselves never wait for it).
CHOICES_CACHE_SECONDS = 60


def filter_choices(form) -> None:
    """Give the filter form's department and procedure lists from the cache (per
    language: the names are translated) instead of two queries each per page."""
    cache_key = "dashboards:filter-choices:%s" % (get_language() or "")
    found = cache.get(cache_key)
    if found is None:
        found = {
            name: [
                (field.prepare_value(obj), field.label_from_instance(obj)) for obj in field.queryset
            ]
            for name, field in form.fields.items()
            if name in ("department", "procedure")
        }
        cache.set(cache_key, found, CHOICES_CACHE_SECONDS)
    for name, choices in found.items():
        field = form.fields[name]
        field.choices = [("", field.empty_label), *choices]


def overdue_now(request, filters) -> int:
    """Complaints overdue now, per filters: counted live at most once a minute per scope
    and version (fresher than any rollup figure on the page)."""
    current = state(request)
    cache_key = "dashboards:overdue:v%d:%s:%s:%s" % (
        current.version,
        timezone.localdate().isoformat(),
        filters.department_id or "",
        filters.procedure_id or "",
    )
    found = cache.get(cache_key)
    if found is None:
        found = selectors.overdue_now(filters)
        cache.set(cache_key, found, OVERDUE_CACHE_SECONDS)
    return found


OVERDUE_CACHE_SECONDS = 60
