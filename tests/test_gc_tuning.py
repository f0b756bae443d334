"""The server processes' garbage-collector settings (config/gc_tuning.py): gunicorn's
worker hook and Celery's worker-process signal both apply them, and the operator's
PYTHON_GC_THRESHOLD is honoured or refused by name."""

import gc
import runpy
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.gc_tuning import DEFAULT_THRESHOLD, settle_after_startup

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def collector():
    """Python's collector as it was, back after the test."""
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_the_default_freezes_startup_and_collects_in_larger_batches(collector, monkeypatch):
    monkeypatch.delenv("PYTHON_GC_THRESHOLD", raising=False)
    settle_after_startup()
    assert gc.get_threshold()[0] == DEFAULT_THRESHOLD
    assert gc.get_freeze_count() > 1000  # Django and the app, loaded before


def test_zero_keeps_pythons_defaults(collector, monkeypatch):
    before = gc.get_threshold()
    monkeypatch.setenv("PYTHON_GC_THRESHOLD", "0")
    settle_after_startup()
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_a_wrong_value_stops_the_start_with_the_variables_name(collector, monkeypatch):
    monkeypatch.setenv("PYTHON_GC_THRESHOLD", "lots")
    with pytest.raises(ImproperlyConfigured, match="PYTHON_GC_THRESHOLD"):
        settle_after_startup()


def test_gunicorns_worker_hook_applies_them(collector, monkeypatch):
    monkeypatch.setenv("PYTHON_GC_THRESHOLD", "12345")
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    config["post_worker_init"](worker=None)
    assert gc.get_threshold()[0] == 12345


def test_celerys_worker_processes_apply_them(collector, monkeypatch):
    from celery.signals import worker_process_init

    monkeypatch.setenv("PYTHON_GC_THRESHOLD", "23456")
    worker_process_init.send(sender=None)
    assert gc.get_threshold()[0] == 23456
