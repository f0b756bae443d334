"""Keep ``DailyFact`` true: recompute the rows of the days whose source rows changed.

Chosen over computing KPIs on each page view because the counter's tables grow by
about a million rows a year and a dashboard must answer in a constant, small time; and
over updating counters from every service because a rollup recomputed from the source
can never drift (a retried task, an admin fix or a data import simply recomputes).

A day's rows are recomputed whole, in one transaction, from the visits of that day, the
survey answers to them, the bookings due that day and the online bookings made that day.
The Celery beat job (every 5 minutes) finds the changed days from timestamps since its
last run, so its cost follows the activity, not the size of the history.
"""

import datetime as dt

from django.db import transaction
from django.db.models import (
    Count,
    Exists,
    F,
    Min,
    OuterRef,
    Q,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from complaints.models import Complaint, Report
from dashboards.models import (
    LETTER_WINDOW,
    ComplaintMonthlyFact,
    DailyFact,
    LetterBatchFact,
    LetterRuleFact,
    MonthlyFact,
    RollupState,
    hist_add,
)
from dashboards.rollup_days import FIRST_VISIT_DAYS, compute_day
from organization.calendar import day_start
from reservations.models import Reservation as Booking
from reservations.models import (
    SurveyAnswer,
    VisitStatus,
)

# Re-read a little before the last run: a transaction that committed late with an
# earlier timestamp is still seen.
OVERLAP = dt.timedelta(minutes=10)

MEASURES = [
    f.attname
    for f in DailyFact._meta.concrete_fields
    if f.attname not in ("id", "day", "procedure_id", "department_id", "kind")
]


def _month_refresh(month: dt.date) -> None:
    """Sum the month's daily rows into its monthly rows (a few hundred rows at most)."""
    end = (month + dt.timedelta(days=32)).replace(day=1)
    sums: dict[tuple, dict] = {}
    for fact in DailyFact.objects.filter(day__gte=month, day__lt=end):
        key = (fact.procedure_id, fact.department_id, fact.kind)
        target = sums.setdefault(key, {})
        for name in MEASURES:
            value = getattr(fact, name)
            if name.endswith("_hist"):
                target[name] = hist_add(target.get(name), value)
            else:
                target[name] = target.get(name, 0) + value
    with transaction.atomic():
        MonthlyFact.objects.filter(month=month).delete()
        MonthlyFact.objects.bulk_create(
            MonthlyFact(month=month, procedure_id=p, department_id=d, kind=k, **values)
            for (p, d, k), values in sums.items()
        )
        version_raise()


def facts_refresh(days) -> int:
    """Recompute the facts of ``days`` and of their months; returns the daily rows written."""
    written = 0
    days = sorted(set(days))
    for day in days:
        facts = compute_day(day)
        with transaction.atomic():
            DailyFact.objects.filter(day=day).delete()
            DailyFact.objects.bulk_create(facts)
        written += len(facts)
    for month in sorted({day.replace(day=1) for day in days}):
        _month_refresh(month)
    return written


def complaint_month_refresh(month: dt.date) -> None:
    """Recompute one month's complaint facts from the complaints tables (three grouped
    queries over that month's rows)."""
    start, end = day_start(month), day_start((month + dt.timedelta(days=32)).replace(day=1))
    facts: dict[tuple, dict] = {}

    def fact(department, procedure, category) -> dict:
        return facts.setdefault(
            (department, procedure, category),
            {
                "received": 0,
                "recurrences": 0,
                "reports_due": 0,
                "reports_on_time": 0,
                "closed": 0,
                "days_to_close": {},
            },
        )

    known = Complaint.objects.filter(
        category_id=OuterRef("category_id"),
        department_id=OuterRef("department_id"),
        closed_at__lt=OuterRef("received_at"),
    )
    received = (
        Complaint.objects.filter(received_at__gte=start, received_at__lt=end)
        .annotate(recurrence=Exists(known))
        .values_list("department_id", "procedure_id", "category_id", "recurrence")
    )
    reports = Report.objects.filter(
        submitted_at__gte=start, submitted_at__lt=end, on_time__isnull=False
    ).values_list(
        "complaint__department_id", "complaint__procedure_id", "complaint__category_id", "on_time"
    )
    # Each row counts once, and once more in the second figure where its flag is set.
    for rows, counted, flagged in (
        (received, "received", "recurrences"),
        (reports, "reports_due", "reports_on_time"),
    ):
        for department, procedure, category, flag in rows:
            f = fact(department, procedure, category)
            f[counted] += 1
            f[flagged] += flag
    closed = Complaint.objects.filter(
        closed_at__gte=start, closed_at__lt=end, days_to_close__isnull=False
    ).values_list("department_id", "procedure_id", "category_id", "days_to_close")
    for department, procedure, category, days in closed:
        f = fact(department, procedure, category)
        f["closed"] += 1
        f["days_to_close"][str(days)] = f["days_to_close"].get(str(days), 0) + 1
    with transaction.atomic():
        ComplaintMonthlyFact.objects.filter(month=month).delete()
        ComplaintMonthlyFact.objects.bulk_create(
            ComplaintMonthlyFact(
                month=month, department_id=d, procedure_id=p, category_id=c, **values
            )
            for (d, p, c), values in facts.items()
        )
        version_raise()


def changed_complaint_months(since: dt.datetime, now: dt.datetime) -> set[dt.date]:
    """This month and the last (reports and closings land there), and the months of
    complaints recorded, closed or reopened since then and of reports submitted."""
    this_month = timezone.localdate(now).replace(day=1)
    months = {this_month, (this_month - dt.timedelta(days=1)).replace(day=1)}
    changed = Complaint.objects.filter(
        Q(created_at__gte=since) | Q(closed_at__gte=since) | Q(reopened_at__gte=since)
    ).values_list("received_at", "closed_at")
    for received_at, closed_at in changed.iterator():
        for moment in (received_at, closed_at):
            if moment:
                months.add(timezone.localdate(moment).replace(day=1))
    for submitted_at in Report.objects.filter(submitted_at__gte=since).values_list(
        "submitted_at", flat=True
    ):
        months.add(timezone.localdate(submitted_at).replace(day=1))
    return months


def letter_funnel_counts(batch_ids: list[int]) -> dict[int, dict]:
    """The funnel of each batch in two queries: letters; booked with the letter's code
    from the letter's creation up to 30 days after the batch was mailed (or made, until
    it is marked mailed); of those, a visit done, a survey answer, a satisfied answer;
    and renewed (a newer certificate of the same type), with or without such a booking.

    The bookings are found by their referral code (its index) and matched to their
    letter's window in Python: as one correlated query per letter, PostgreSQL chose the
    bookings' creation-time index and read 30 days of bookings for each letter (minutes
    for a year of 10,000 letters over a million bookings)."""
    from notices.models import Certificate, Letter

    newer = Certificate.objects.filter(
        resident_id=OuterRef("resident_id"),
        certificate_type_id=OuterRef("certificate__certificate_type_id"),
        issued_on__gt=OuterRef("certificate__issued_on"),
    )
    letters = Letter.objects.filter(batch_id__in=batch_ids).order_by()
    bookings: dict[str, list[tuple]] = {}
    for code, created_at, status, overall in _referred_bookings(letters.values("code")):
        bookings.setdefault(code, []).append((created_at, status, overall))
    counts: dict[int, dict] = {}
    for batch_id, code, created_at, sent_at, renewed in letters.annotate(
        sent_at=Coalesce("batch__mailed_at", "batch__created_at"), is_renewed=Exists(newer)
    ).values_list("batch_id", "code", "created_at", "sent_at", "is_renewed"):
        row = counts.setdefault(batch_id, dict.fromkeys(FUNNEL_FIELDS, 0))
        closes_at = sent_at + LETTER_WINDOW
        found = [b for b in bookings.get(code, ()) if created_at <= b[0] < closes_at]
        row["letters"] += 1
        row["converted"] += bool(found)
        row["done"] += any(status == VisitStatus.DONE for _at, status, _o in found)
        row["answered"] += any(overall is not None for _at, _s, overall in found)
        row["satisfied"] += any(overall is not None and overall >= 4 for _a, _s, overall in found)
        row["renewed"] += bool(renewed)
        row["renewed_without_booking"] += bool(renewed) and not found
    return counts


def _referred_bookings(codes) -> list[tuple]:
    """(referral code, made at, visit status, survey answer) of the bookings made with
    ``codes``. A booking moved to another time keeps its code and is made when the first
    booking of its chain of moves was made (the move carries the code over, so the whole
    chain is among these rows): a move after the letter's window keeps the visit it
    leads to in the funnel."""
    rows = list(
        Booking.objects.filter(referral_code__in=codes)
        .order_by()
        .values_list(
            "pk",
            "rescheduled_to_id",
            "referral_code",
            "created_at",
            "visit__status",
            "visit__survey_answer__overall",
        )
    )
    moved_from = {to: pk for pk, to, *_rest in rows if to}
    made_at = {pk: created_at for pk, _to, _code, created_at, *_rest in rows}
    found = []
    for pk, _to, code, _created_at, status, overall in rows:
        first, seen = pk, {pk}
        while moved_from.get(first) not in (None, *seen):
            first = moved_from[first]
            seen.add(first)
        found.append((code, made_at[first], status, overall))
    return found


FUNNEL_FIELDS = (
    "letters",
    "converted",
    "done",
    "answered",
    "satisfied",
    "renewed",
    "renewed_without_booking",
)


def letter_facts_refresh(
    *,
    all_batches: bool = False,
    batch_ids: list[int] | None = None,
    now: dt.datetime | None = None,
    since: dt.datetime | None = None,
) -> int:
    """Recompute the funnel of the batches whose 30-day window may still be open (made
    or mailed in the last 45 days), of the batches whose residents got a certificate
    imported since ``since`` (a renewal can come later), of ``batch_ids``, or of every
    batch; and the comparison group of their rules."""
    from notices.models import Letter, LetterBatch

    now = now or timezone.now()
    batches = LetterBatch.objects.select_related("rule__procedure")
    if batch_ids is not None:
        batches = batches.filter(pk__in=batch_ids)
    elif not all_batches:
        recent = now - LETTER_WINDOW - dt.timedelta(days=15)
        changed = Q(created_at__gte=recent) | Q(mailed_at__gte=recent)
        if since is not None:
            renewed = Letter.objects.filter(
                resident__certificates__import_run__started_at__gte=since
            ).values("batch_id")
            changed |= Q(pk__in=renewed)
        batches = batches.filter(changed)
    batches = list(batches)
    counts = letter_funnel_counts([b.pk for b in batches])
    with transaction.atomic():
        for batch in batches:
            procedure = batch.rule.procedure
            LetterBatchFact.objects.update_or_create(
                batch=batch,
                defaults={
                    "made_on": timezone.localdate(batch.created_at),
                    "procedure": procedure,
                    "department_id": procedure.department_id if procedure else None,
                    **dict.fromkeys(FUNNEL_FIELDS, 0),
                    **counts.get(batch.pk, {}),
                },
            )
        letter_rule_facts_refresh({batch.rule_id for batch in batches})
        if batches:
            version_raise()
    return len(batches)


def letter_rule_facts_refresh(rule_ids) -> None:
    """Each rule's comparison group: the certificates of its type that expired in the
    year before its first letter, and how many of them were renewed (a newer
    certificate of the same type). One MIN query, then one count per rule."""
    from notices.models import Certificate, Letter, NoticeRule

    rule_ids = list(rule_ids)
    firsts = dict(
        Letter.objects.filter(rule_id__in=rule_ids)
        .order_by()
        .values("rule_id")
        .annotate(first=Min("created_at"))
        .values_list("rule_id", "first")
    )
    types = dict(
        NoticeRule.objects.filter(pk__in=rule_ids).values_list("pk", "certificate_type_id")
    )
    newer = Certificate.objects.filter(
        resident_id=OuterRef("resident_id"),
        certificate_type_id=OuterRef("certificate_type_id"),
        issued_on__gt=OuterRef("issued_on"),
    )
    for rule_id in rule_ids:
        first = firsts.get(rule_id)
        counts = {"due": 0, "renewed": 0}
        first_day = timezone.localdate(first) if first else None
        if first_day and rule_id in types:
            counts = Certificate.objects.filter(
                certificate_type_id=types[rule_id],
                expires_on__gte=first_day - dt.timedelta(days=365),
                expires_on__lt=first_day,
            ).aggregate(due=Count("pk"), renewed=Count("pk", filter=Q(Exists(newer))))
        LetterRuleFact.objects.update_or_create(
            rule_id=rule_id, defaults={"first_letter_on": first_day, **counts}
        )


def changed_days(since: dt.datetime, now: dt.datetime) -> set[dt.date]:
    """The days whose facts may differ since ``since``: today and yesterday (the
    counter), the visit days of new survey answers, and the days of bookings made or
    cancelled since then (by their time and by the day they were made)."""
    today = timezone.localdate(now)
    # Today and yesterday (the counter), and the days whose first-visit completion a
    # visit today may still change (a second visit within FIRST_VISIT_DAYS).
    days = {today - dt.timedelta(days=n) for n in range(FIRST_VISIT_DAYS + 1)}
    days.update(
        SurveyAnswer.objects.filter(answered_at__gte=since)
        .values_list("visit__day", flat=True)
        .distinct()
    )
    changed = Booking.objects.filter(Q(created_at__gte=since) | Q(cancelled_at__gte=since))
    for start_at, created_at in changed.values_list("start_at", "created_at").iterator():
        days.add(timezone.localdate(start_at))
        days.add(timezone.localdate(created_at))
    # Bookings ahead of today count only once their day has come.
    return {day for day in days if day <= today}


def facts_refresh_changed(*, now: dt.datetime | None = None) -> int:
    """The beat job: recompute the days changed since the last run. Safe to run twice
    at once (each day is recomputed whole in its own transaction)."""
    now = now or timezone.now()
    state, _ = RollupState.objects.get_or_create(pk=1)
    since = (state.changes_seen_until or now - dt.timedelta(days=2)) - OVERLAP
    written = facts_refresh(changed_days(since, now))
    for month in sorted(changed_complaint_months(since, now)):
        complaint_month_refresh(month)
    letter_facts_refresh(now=now, since=since)
    RollupState.objects.filter(pk=1).update(
        refreshed_at=timezone.now(), changes_seen_until=now, version=F("version") + 1
    )
    return written


def facts_rebuild(*, first: dt.date, last: dt.date) -> int:
    """Recompute every day from ``first`` to ``last`` (after an import, or for the demo)."""
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    written = facts_refresh(days)
    for month in sorted({day.replace(day=1) for day in days}):
        complaint_month_refresh(month)
    letter_facts_refresh(all_batches=True)
    RollupState.objects.update_or_create(
        pk=1, defaults={"refreshed_at": timezone.now(), "changes_seen_until": timezone.now()}
    )
    return written


def version_raise() -> None:
    """A new version of the dashboards' figures: call it in the transaction that writes
    the facts (or a target), after the writes, so that no page can read the new version
    with the old figures and keep them in its cache (``dashboards/figures.py``)."""
    if not RollupState.objects.filter(pk=1).update(version=F("version") + 1):
        RollupState.objects.get_or_create(pk=1)
        RollupState.objects.filter(pk=1).update(version=F("version") + 1)


def state() -> tuple[dt.datetime | None, int]:
    """When the rollup last refreshed, and the figures' version, in one query. A letter
    batch made since the job's last run gets its facts first (and so a new version): it
    shows at once, as 集計中."""
    from notices.models import LetterBatch

    unseen = LetterBatch.objects.exclude(pk__in=LetterBatchFact.objects.values("batch_id"))
    row = (
        RollupState.objects.filter(pk=1)
        .annotate(unseen=Exists(unseen))
        .values_list("refreshed_at", "version", "unseen")
        .first()
    )
    if row is None or row[2]:
        missing = list(unseen.values_list("pk", flat=True))
        if missing:
            letter_facts_refresh(batch_ids=missing)
        row = RollupState.objects.filter(pk=1).values_list("refreshed_at", "version").first()
    return (row[0], row[1]) if row else (None, 0)


def last_refreshed() -> dt.datetime | None:
    return RollupState.objects.filter(pk=1).values_list("refreshed_at", flat=True).first()
