"""The production-like stack: PostgreSQL, Redis and a real Celery worker process."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection

from audit.tasks import healthcheck_task
from measures.catalogue import sync_catalogue
from measures.models import Measure, Programme
from measures.services import weekly_return_record

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _catalogue():
    # Transactional tests flush every table between tests, the migrated catalogue included.
    sync_catalogue(Measure, Programme)


def test_it_runs_on_postgresql_and_a_redis_broker(settings):
    assert connection.vendor == "postgresql"
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    assert settings.CELERY_TASK_ALWAYS_EAGER is False


def test_it_has_a_worker_read_what_the_web_app_saved(services_stack, ward, staff):
    weekly_return_record(
        ward=ward,
        week_start=datetime.date(2024, 1, 1),
        user=staff,
        counts={"seclusion": 2},
        occupied_bed_days=130,
    )
    answer = healthcheck_task.delay().get(timeout=30)
    assert answer == {"database": "postgresql", "weekly_returns": 1}
    services_stack.wait_idle()  # the save's chart refresh, before the database is flushed


def test_it_loads_the_catalogue_and_demo_data_on_postgresql(settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("seed_demo", until=datetime.date(2021, 6, 28), stdout=out)
    assert "45 wards" in out.getvalue()
