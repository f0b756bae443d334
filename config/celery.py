"""The Celery application.

Broker and behaviour come from ``config.settings`` (the ``CELERY_`` settings): Redis as
broker, late acknowledgement with rejection when a worker dies (so a killed worker's task
runs again instead of being lost), one message prefetched per worker process, and the
static beat schedule ``CELERY_BEAT_SCHEDULE``. Tasks are enqueued from services with
``delay_on_commit`` so that a worker never runs before the rows it needs are committed.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("madoguchi")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
