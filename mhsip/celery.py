"""The Celery app. Configured from Django settings (CELERY_*), as cookiecutter-django does."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mhsip.settings")

app = Celery("mhsip")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
