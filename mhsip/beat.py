"""Celery beat's schedule: the periodic tasks of every app, by task name (names, not imports:
settings must not import the apps)."""

from celery.schedules import crontab


def beat_schedule(*, stale_check_seconds: int) -> dict:
    return {
        "charts-refresh-stale": {
            "task": "spc.tasks.charts_refresh_stale_task",
            "schedule": stale_check_seconds,
        },
        "uploads-purge-hourly": {
            "task": "measures.tasks.return_imports_purge_task",
            "schedule": crontab(minute=15),
        },
        "deleted-returns-purge-daily": {
            "task": "measures.tasks.deleted_returns_purge_task",
            "schedule": crontab(hour=3, minute=45),
        },
        "charts-recompute-nightly": {
            "task": "spc.tasks.charts_recompute_all_task",
            "schedule": crontab(hour=2, minute=30),
        },
        # Reminders and digests run hourly and send to the trusts whose own schedule (day and hour,
        # set by their QI lead: reports.ReminderSchedule) is this hour; a message sent is never
        # sent twice (reports.SentMessage.key), so a beat that fires twice sends once.
        "reports-reminders-hourly": {
            "task": "reports.tasks.reminders_send_task",
            "schedule": crontab(minute=0),
        },
        "reports-digests-hourly": {
            "task": "reports.tasks.digests_send_task",
            "schedule": crontab(minute=5),
        },
        "reports-messages-retry-hourly": {
            "task": "reports.tasks.messages_retry_task",
            "schedule": crontab(minute=45),
        },
        "reports-packs-purge-hourly": {
            "task": "reports.tasks.board_packs_purge_task",
            "schedule": crontab(minute=25),
        },
    }
