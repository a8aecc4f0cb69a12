"""The worker's health check, found by the worker through Celery's autodiscovery of each
installed app's `tasks` module (mhsip/celery.py imports no app)."""

from celery import shared_task
from django.db import connection

from measures.models import WeeklyReturn


@shared_task
def healthcheck_task() -> dict:
    """Proves a worker is up and reaches the same database as the web app."""
    return {"database": connection.vendor, "weekly_returns": WeeklyReturn.objects.count()}
