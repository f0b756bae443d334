"""The renewal letters' figures: each batch's conversion and the campaign funnel per
notice rule, read from the letter facts (``rollup`` keeps them)."""

import datetime as dt
from collections import defaultdict

from django.utils import timezone
from django.utils.translation import gettext as _

from dashboards import rollup
from dashboards.models import LETTER_WINDOW, LetterBatchFact, LetterRuleFact
from dashboards.periods import Period
from dashboards.selectors.common import Filters, share
from notices.models import LetterBatch
from organization.calendar import day_start


def letter_batches(period: Period, filters: Filters) -> list[dict]:
    """Each batch made in the period: letters, bookings made with their code within 30
    days of the batch being mailed (or made, until it is marked mailed), conversion."""
    return letter_batches_by_period([period], filters)[period]


def _batch_facts(first: dt.date, last: dt.date, filters: Filters):
    """The facts of the batches made in [first, last) within the filters' scope."""
    facts = LetterBatchFact.objects.filter(made_on__gte=first, made_on__lt=last)
    if filters.procedure_id:
        facts = facts.filter(procedure_id=filters.procedure_id)
    if filters.department_id:
        facts = facts.filter(department_id=filters.department_id)
    return facts


def letter_batches_by_period(periods: list[Period], filters: Filters) -> dict[Period, list]:
    """``letter_batches`` of several periods in one query over the batch facts."""
    first, last = min(p.start for p in periods), max(p.end for p in periods)
    _missing_letter_facts(first, last)
    facts = _batch_facts(first, last, filters)
    result: dict[Period, list] = {period: [] for period in periods}
    now = timezone.now()
    for fact in facts.select_related("batch__rule").order_by("made_on", "batch_id"):
        closes_at = (fact.batch.mailed_at or fact.batch.created_at) + LETTER_WINDOW
        counting = closes_at > now
        for period in periods:
            if period.contains(fact.made_on):
                result[period].append(
                    {
                        "batch": fact.batch,
                        "letters": fact.letters,
                        "converted": fact.converted,
                        # 集計中: the 30-day window is still open, so no rate yet
                        # (a batch mailed today is not "0 %").
                        "counting": counting,
                        "closes_on": timezone.localdate(closes_at),
                        "rate": None if counting else share(fact.converted, fact.letters),
                    }
                )
    return result


def _missing_letter_facts(first: dt.date, last: dt.date) -> None:
    """Batches made in [first, last) that the rollup job has not seen yet (made since
    its last run) get their facts now, so a new batch shows at once (as 集計中)."""
    missing = list(
        LetterBatch.objects.filter(created_at__gte=day_start(first), created_at__lt=day_start(last))
        .exclude(pk__in=LetterBatchFact.objects.values("batch_id"))
        .values_list("pk", flat=True)
    )
    if missing:
        rollup.letter_facts_refresh(batch_ids=missing)


def letter_funnel(period: Period, filters: Filters, *, now: dt.datetime | None = None) -> dict:
    """The campaign funnel of the letter batches made in the period, per notice rule and
    batch: letters → booked with the letter's code within 30 days → visit done → survey
    answered → satisfied (4–5); and, as their own row, residents who got a letter and
    renewed without booking through it (a newer certificate of the same type in the
    imported records). A batch whose 30-day window is still open is 集計中 (counting).

    Read from the rollup (``LetterBatchFact``, ``LetterRuleFact``, kept by the beat job):
    two queries whatever the number of letters."""
    now = now or timezone.now()
    _missing_letter_facts(period.start, period.end)
    facts = _batch_facts(period.start, period.end, filters)
    facts = list(facts.select_related("batch__rule").order_by("batch__created_at", "batch_id"))
    rules: dict[int, dict] = {}
    for fact in sorted(facts, key=lambda f: (f.batch.rule.name, f.batch.created_at)):
        rule = rules.setdefault(
            fact.batch.rule_id,
            {
                "rule": fact.batch.rule.name,
                "batches": [],
                "counting": False,
                "totals": defaultdict(int),
            },
        )
        _add_batch(rule, fact, now)
    comparisons = {
        fact.rule_id: fact for fact in LetterRuleFact.objects.filter(rule_id__in=list(rules))
    }
    for rule_id, rule in rules.items():
        _close_rule(rule, comparisons.get(rule_id))
    return {"rules": list(rules.values())}


def _add_batch(rule: dict, fact: LetterBatchFact, now: dt.datetime) -> None:
    """One batch's row of the funnel, added to its rule's batches and totals."""
    batch = fact.batch
    sent = batch.mailed_at or batch.created_at
    counting = sent + LETTER_WINDOW > now
    row = {
        "letters": fact.letters,
        "n_booked": fact.converted,
        "n_done": fact.done,
        "n_answered": fact.answered,
        "n_satisfied": fact.satisfied,
    }
    rule["batches"].append(
        {
            "batch_id": batch.pk,
            "made_on": timezone.localdate(batch.created_at),
            "mailed_on": timezone.localdate(batch.mailed_at) if batch.mailed_at else None,
            "closes_on": timezone.localdate(sent + LETTER_WINDOW),
            "counting": counting,
            "steps": _funnel_steps(row, rates_of=row),
            "without_booking": fact.renewed_without_booking,
            "renewed": fact.renewed,
        }
    )
    rule["counting"] = rule["counting"] or counting
    for key, value in row.items():
        rule["totals"][key] += value
    rule["totals"]["without_booking"] += fact.renewed_without_booking
    rule["totals"]["renewed"] += fact.renewed


def _close_rule(rule: dict, comparison: LetterRuleFact | None) -> None:
    """A rule's own steps from its batches' totals, and its comparison group. The counts
    are of every batch; the rates only of the batches whose 30-day window has closed
    (None while every batch is still counting: not "0 %")."""
    totals = rule.pop("totals")
    closed = [batch for batch in rule["batches"] if not batch["counting"]]
    closed_row = {
        key: sum(batch["steps"][index]["count"] for batch in closed)
        for index, (_code, key) in enumerate(FUNNEL_STEPS)
    }
    rule["steps"] = _funnel_steps(totals, rates_of=closed_row if closed else None)
    rule["rates_of_closed_only"] = bool(closed) and rule["counting"]
    rule["without_booking"] = totals["without_booking"]
    rule["renewed"] = totals["renewed"]
    closed_renewed = sum(batch["renewed"] for batch in closed)
    rule["renewal_rate"] = share(closed_renewed, closed_row["letters"]) if closed else None
    rule["comparison"] = None
    if comparison and comparison.due and comparison.first_letter_on:
        rule["comparison"] = {
            "due": comparison.due,
            "renewed": comparison.renewed,
            "rate": share(comparison.renewed, comparison.due),
            "since": comparison.first_letter_on - dt.timedelta(days=365),
            "until": comparison.first_letter_on,
        }


FUNNEL_STEPS = [
    ("letters", "letters"),
    ("booked", "n_booked"),
    ("done", "n_done"),
    ("answered", "n_answered"),
    ("satisfied", "n_satisfied"),
]


def _funnel_steps(row: dict, *, rates_of: dict | None) -> list[dict]:
    """Each step with its count in ``row``, and its share of the letters and of the step
    before in ``rates_of`` (the counts whose window has closed; None: no shares yet)."""
    steps, previous, letters = [], None, rates_of["letters"] if rates_of else None
    labels = {
        # A batch not yet marked mailed counts too, from the day it was made: the
        # funnel's column of such a batch says so.
        "letters": _("Letters mailed"),
        "booked": _("Booked within 30 days"),
        "done": _("Visit done"),
        "answered": _("Survey answered"),
        "satisfied": _("Satisfied (4–5)"),
    }
    for code, key in FUNNEL_STEPS:
        measured = rates_of[key] if rates_of else None
        steps.append(
            {
                "code": code,
                "label": labels[code],
                "count": row[key],
                "of_letters": share(measured, letters) if rates_of else None,
                "of_previous": share(measured, previous) if previous is not None else None,
            }
        )
        previous = measured
    return steps
