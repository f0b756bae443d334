"""Celery tasks of the dashboards app."""

from celery import shared_task

from dashboards import rollup


@shared_task
def dashboards_refresh_facts() -> int:
    """Every few minutes: recompute the KPI rollup of the days that changed."""
    return rollup.facts_refresh_changed()
