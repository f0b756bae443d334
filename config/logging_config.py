"""The logging set-up (``settings.LOGGING``): plain lines on the console, with no
e-mail address, phone number or booking-link secret in them (config/logs.py)."""

import os


def logging_config(*, celery_eager: bool) -> dict:
    """The ``LOGGING`` dictionary; ``LOG_LEVEL`` sets the root level (INFO). With eager
    tasks (embedded mode) Celery's per-task lines are left out."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
        # No e-mail address, phone number or booking-link secret reaches a log (config/logs.py).
        "filters": {"personal_data": {"()": "config.logs.RedactPersonalData"}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "plain",
                "filters": ["personal_data"],
            }
        },
        "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            "weasyprint": {"level": "WARNING"},
            "fontTools": {"level": "WARNING"},
            # Eager tasks (embedded mode) would log every e-mail task in the web process.
            "celery.app.trace": {"level": "WARNING" if celery_eager else "INFO"},
        },
    }
