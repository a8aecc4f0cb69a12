"""The Celery app. Configured from Django settings (CELERY_*), as cookiecutter-django does."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mhsip.settings")

app = Celery("mhsip")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="mhsip.healthcheck_task")
def healthcheck_task() -> dict:
    """Proves a worker is up and reaches the same database as the web app."""
    from django.db import connection

    from measures.models import WeeklyReturn

    return {"database": connection.vendor, "weekly_returns": WeeklyReturn.objects.count()}
