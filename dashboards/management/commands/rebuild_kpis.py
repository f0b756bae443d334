"""Recompute the whole KPI rollup (after an upgrade, an import or a data correction).

manage.py rebuild_kpis [--days 800]
"""

import datetime as dt
import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from dashboards import rollup


class Command(BaseCommand):
    help = "Recompute the KPI rollup (counter, complaint and letter facts) for past days."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=800, help="how far back (default 800)")

    def handle(self, *args, days, **options):
        today = timezone.localdate()
        started = time.monotonic()
        written = rollup.facts_rebuild(first=today - dt.timedelta(days=days), last=today)
        self.stdout.write(
            "KPI rollup rebuilt for %d days (%d daily rows) in %.0f s."
            % (days + 1, written, time.monotonic() - started)
        )
