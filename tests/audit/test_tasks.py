"""The worker's health check task (eager here; tests/test_services_stack.py runs it in a real
worker on PostgreSQL and Redis)."""

import subprocess
import sys
import sysconfig

import pytest
from django.conf import settings
from django.db import connection

from audit.tasks import healthcheck_task

pytestmark = pytest.mark.django_db

# What a worker does at start-up, in a fresh interpreter that has imported no task module:
# mhsip/celery.py names no app, so only autodiscovery can find the tasks. `-S` and the
# site-packages given by path keep out .pth path hooks (an editable install of another
# checkout), so the apps found are this checkout's.
WORKER_START = """
import sys
sys.path.insert(1, sys.argv[1])
import django
django.setup()
from mhsip.celery import app
app.loader.import_default_modules()
print(sorted(name for name in app.tasks if not name.startswith("celery.")))
"""


def test_the_worker_finds_it_by_autodiscovery():
    site_packages = sysconfig.get_paths()["purelib"]
    found = subprocess.run(
        [sys.executable, "-S", "-c", WORKER_START, site_packages],
        capture_output=True, text=True, check=True, cwd=settings.BASE_DIR,
        env={"DJANGO_SETTINGS_MODULE": "mhsip.settings", "PATH": ""},
    ).stdout  # fmt: skip
    assert healthcheck_task.name in found
    assert "spc.tasks.charts_refresh_task" in found


def test_it_reports_the_database_it_reached(ward):
    answer = healthcheck_task.delay().get(timeout=5)
    assert answer == {"database": connection.vendor, "weekly_returns": 0}
