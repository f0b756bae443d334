"""Every CSV the app produces goes through the one safe writer (organization/csvexport).

The first test walks the URL configuration: every route that serves a ``.csv`` must be
listed in ``EXPORTS`` with how to reach it, so a new export cannot be added untested. Each
one is then downloaded with hostile text in the data and checked cell by cell.
"""

import csv
import io
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from dashboards import exports as dashboard_exports
from dashboards import views as dashboard_views
from organization.models import Role
from tests.organization.factories import make_staff_member

HOSTILE = [
    '=HYPERLINK("http://x","click")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
]
FORMULA = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def _routes(resolver=None, prefix="", namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = namespace + entry.namespace + ":" if entry.namespace else namespace
            yield from _routes(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            yield namespace + (entry.name or ""), prefix + str(entry.pattern)


def _hostile_kpi(hostile) -> SimpleNamespace:
    return SimpleNamespace(
        code=next(hostile),
        label=next(hostile),
        value=-0.25,
        unit=next(hostile),
        basis=next(hostile),
        target=-5,
        met=next(hostile),
    )


def _visit_group() -> SimpleNamespace:
    """One side of "booked vs walk-in", with negative figures and a missing one."""
    return SimpleNamespace(
        visits=2,
        answers=2,
        satisfied=1,
        satisfaction=-50.0,
        interval=(-1.0, 90.0),
        indicative=True,
        wait_p50=-3,
        wait_p90=None,
        waits_timed=2,
        handle_p50=4,
        done=2,
        first_visit_done=1,
        first_visit=50.0,
    )


def _hostile_funnel(hostile) -> dict:
    """The letter funnel of one rule with a hostile name, and its one batch."""
    steps = [
        {"code": c, "count": -1} for c in ("letters", "booked", "done", "answered", "satisfied")
    ]
    batch = {
        "batch_id": 1,
        "made_on": timezone.localdate(),
        "steps": steps,
        "without_booking": 0,
        "counting": False,
        "closes_on": timezone.localdate(),
    }
    rule = {
        "rule": next(hostile),
        "steps": steps,
        "without_booking": -2,
        "counting": True,
        "batches": [batch],
    }
    return {"rules": [rule]}


def _dashboard_hostile_data(monkeypatch):
    hostile = iter(HOSTILE * 10)
    kpi = _hostile_kpi(hostile)
    batch = SimpleNamespace(
        pk=1, rule=SimpleNamespace(name=next(hostile)), created_at=timezone.now()
    )
    group = _visit_group()
    selectors = {
        "kpis": lambda period, filters: [kpi],
        "letter_batches": lambda period, filters: [
            {"batch": batch, "letters": 3, "converted": -1, "rate": -2.5}
        ],
        "complaint_categories": lambda period, filters: [
            {"category": c, "now": 1, "before": 0, "recurrences": 0, "rate": 0} for c in HOSTILE
        ],
        "booked_vs_walk_in": lambda period, filters: {"booked": group, "walk_in": group},
        "letter_funnel": lambda period, filters: _hostile_funnel(hostile),
    }
    for name, replacement in selectors.items():
        monkeypatch.setattr(dashboard_views.selectors, name, replacement)
    scope = next(hostile)
    monkeypatch.setattr(dashboard_views, "filter_names", lambda form: scope)
    monkeypatch.setattr(
        dashboard_views,
        "trend_rows",
        lambda trend, codes: [
            {"code": c, "label": c, "unit": "%", "values": [-1, None, -3.5]} for c in HOSTILE
        ],
    )


def _manager(client):
    client.force_login(make_staff_member(role=Role.MANAGER).user)


def _import_with_hostile_reasons(monkeypatch):
    # The refused rows of an import quote what the source file said.
    from notices.models import ImportRowError, ImportRun

    run = ImportRun.objects.create(pk=1, file_name="hostile.csv")
    ImportRowError.objects.bulk_create(
        ImportRowError(run=run, line=line, reason=reason)
        for line, reason in enumerate(HOSTILE, start=2)
    )


# Route name → (how to log in and plant hostile data, the URL arguments to download).
EXPORTS = {
    "notices:import_errors_csv": ([_manager, _import_with_hostile_reasons], [[1]]),
    "dashboards:export": (
        [_manager, _dashboard_hostile_data],
        [[table] for table in dashboard_exports.EXPORT_TABLES],
    ),
}


def _csv_routes():
    return sorted(
        name for name, route in _routes() if ".csv" in route or name.lower().endswith("csv")
    )


def test_every_csv_route_of_the_app_is_checked_here():
    assert _csv_routes(), "the walk finds the CSV routes"
    assert set(_csv_routes()) == set(EXPORTS), "list each CSV download in EXPORTS"


def _cases():
    for name, (_setup, arguments) in EXPORTS.items():
        for args in arguments:
            yield pytest.param(name, args, id="%s%s" % (name, args))


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "args"), list(_cases()))
def test_no_export_contains_a_cell_a_spreadsheet_would_run(client, monkeypatch, name, args):
    for step in EXPORTS[name][0]:
        step(monkeypatch) if step is not _manager else step(client)

    response = client.get(reverse(name, args=args), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    data = b"".join(response.streaming_content) if response.streaming else response.content
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    cells = [cell for row in rows for cell in row]
    assert len(rows) > 1
    unsafe = [c for c in cells if c.startswith(FORMULA) and not NUMBER.fullmatch(c)]
    assert unsafe == []
    assert any(c.startswith("'") for c in cells), "the hostile data reached the file"


def test_no_module_writes_csv_but_the_safe_writer():
    root = Path(settings.BASE_DIR)
    writer = root / "organization" / "csvexport.py"
    offenders = [
        str(path.relative_to(root))
        for app in ("config", "organization", "reservations", "notices", "complaints", "dashboards")
        for path in (root / app).rglob("*.py")
        if path != writer and re.search(r"csv\.(writer|DictWriter)\(", path.read_text())
    ]
    assert offenders == []


@pytest.mark.django_db
def test_a_notice_rule_named_as_a_formula_is_text_in_letters_csv(client):
    # given: a letter batch of a rule whose name is a formula, from real rows
    from dashboards import rollup
    from notices.models import CertificateType, LetterBatch, NoticeRule
    from tests.organization.factories import DepartmentFactory
    from tests.reservations.factories import ProcedureFactory

    procedure = ProcedureFactory()
    rule = NoticeRule.objects.create(
        name='=HYPERLINK("http://x","更新案内")',
        certificate_type=CertificateType.objects.create(code="jr", name="JR", procedure=procedure),
        days_before_expiry=30,
        procedure=procedure,
        sender=DepartmentFactory(),
    )
    LetterBatch.objects.create(rule=rule, created_at=timezone.now())
    rollup.letter_facts_refresh(all_batches=True)
    _manager(client)
    quarter = dashboard_views.periods.period_containing(timezone.localdate(), "quarter")

    # when
    response = client.get(
        reverse("dashboards:export", args=["letters"]), {"kind": "quarter", "period": quarter.key}
    )

    # then
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    assert ["'" + rule.name] == [row[1] for row in rows[1:]]
