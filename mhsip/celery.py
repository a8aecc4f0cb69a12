"""The Celery app. Configured from Django settings (CELERY_*), as cookiecutter-django does.

It imports no app: `autodiscover_tasks()` finds each installed app's `tasks` module by name
once Django is set up (spc.tasks, audit.tasks), so the import graph keeps pointing down."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mhsip.settings")

app = Celery("mhsip")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
