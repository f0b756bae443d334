"""The Celery beat schedule, in one place (``settings.CELERY_BEAT_SCHEDULE``); run
exactly one beat instance. Each entry says why it runs when it runs."""

from celery.schedules import crontab

from config.env import env_int

# Entries at fixed times or periods.
FIXED = {
    # Bookings held for e-mail confirmation last 15 minutes: release lapsed ones promptly.
    "reservations-expire-holds": {
        "task": "reservations.tasks.reservations_expire_holds",
        "schedule": 60.0,
    },
    # Absent citizens become no-shows a while after their time (or after being called):
    # every minute, so the queue and the display stay true.
    "reservations-mark-no-shows": {
        "task": "reservations.tasks.visits_mark_no_shows",
        "schedule": 60.0,
    },
    # Renewal letters: once a day before office hours, so staff find the batch ready to
    # print when they arrive. Re-running it makes no second letter.
    "notices-create-due-letters": {
        "task": "notices.tasks.notices_create_due_letters",
        "schedule": crontab(minute=30, hour=6),
    },
    # Overdue complaint reports and departments' answers: each working morning before
    # office hours, and again at noon for what fell due overnight. One e-mail per overdue
    # item per day (a marker row), so the second run only sends what the first did not.
    "complaints-notify-overdue": {
        "task": "complaints.tasks.complaints_notify_overdue",
        "schedule": crontab(minute=0, hour="8,12", day_of_week="mon-fri"),
    },
    # The KPI rollup: the days that changed since the last run (today, yesterday, the
    # days of new survey answers and of bookings made or cancelled), every 5 minutes.
    # Dashboards say how old their figures are; a manager may also refresh by hand.
    "dashboards-refresh-facts": {
        "task": "dashboards.tasks.dashboards_refresh_facts",
        "schedule": 300.0,
    },
    # Personal data past its retention period is anonymised each night (APPI); what the
    # KPIs need stays. Idempotent: a row once anonymised is not touched again.
    "reservations-anonymise": {
        "task": "reservations.tasks.reservations_anonymise_old",
        "schedule": crontab(minute=15, hour=2),
    },
    "notices-anonymise": {
        "task": "notices.tasks.residents_anonymise_old",
        "schedule": crontab(minute=20, hour=2),
    },
    "complaints-anonymise": {
        "task": "complaints.tasks.complaints_anonymise_old",
        "schedule": crontab(minute=25, hour=2),
    },
    # Sent e-mails hold citizens' addresses: forgotten after OUTBOX_KEEP_DAYS.
    "outbox-purge": {
        "task": "outbox.tasks.outbox_purge",
        "schedule": crontab(minute=30, hour=2),
    },
    # Reminders for tomorrow's bookings. Hourly through the day (9:05 to 20:05) so a run
    # missed while beat was down is made up; each reminder is claimed once, never resent.
    "reservations-send-reminders": {
        "task": "reservations.tasks.reservations_send_reminders",
        "schedule": crontab(minute=5, hour="9-20"),
    },
}


def beat_schedule() -> dict:
    """The schedule: the fixed entries and the sweeps, whose periods are read from the
    environment (called by the settings after ``.env`` is loaded)."""
    return {
        **FIXED,
        # A letter PDF whose rendering task was lost (a broker restart, a killed worker) is
        # queued again LETTER_CHUNK_RETRY_SECONDS after it was last queued.
        "notices-redispatch-letter-chunks": {
            "task": "notices.tasks.letter_chunks_redispatch",
            "schedule": float(env_int("LETTER_CHUNK_SWEEP_SECONDS", 60)),
        },
        # An import whose task was lost (a broker restart, a killed worker) resumes from its
        # next uncommitted chunk IMPORT_RETRY_SECONDS after its last progress.
        "notices-resume-imports": {
            "task": "notices.tasks.certificate_imports_resume",
            "schedule": float(env_int("IMPORT_SWEEP_SECONDS", 60)),
        },
        # The e-mail outbox: each e-mail is sent on commit of its change; this sweep sends
        # what that missed (broker down, worker killed) and the retries that fell due.
        "outbox-send-due": {
            "task": "outbox.tasks.outbox_send_due",
            "schedule": float(env_int("OUTBOX_SWEEP_SECONDS", 30)),
        },
    }
