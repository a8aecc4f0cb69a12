"""The chart pipeline on real PostgreSQL, Redis and a Celery worker process, with faults."""

import datetime
import io
import time

import pytest
from django.core.management import call_command
from django.utils import timezone

from measures.catalogue import sync_catalogue
from measures.models import Enrolment, Measure, Programme, WeeklyReturn
from measures.services import weekly_return_record
from mhsip.celery import app
from mhsip.weeks import latest_complete_week
from spc import recompute
from spc.models import Scope, StoredChart
from spc.tasks import charts_refresh_stale_task, ward_charts_recompute_task
from tests.factories import WeeklyCountFactory, WeeklyReturnFactory, answered
from tests.processes import wait_until
from tests.spc.helpers import view
from wards.models import Ward

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _catalogue():
    # Transactional tests flush every table between tests, the migrated catalogue included.
    sync_catalogue(Measure, Programme)


@pytest.fixture
def charted_ward(ward):
    """A ward with 24 submitted weeks up to two weeks ago, and its charts computed."""
    last = latest_complete_week(timezone.localdate())
    first = last - datetime.timedelta(weeks=25)
    programme = Programme.objects.get(name="Restrictive practice: national aim")
    Enrolment.objects.create(programme=programme, ward=ward, joined_on=first)
    restraint = Measure.objects.get(code="physical_restraint")
    for i in range(24):
        weekly_return = WeeklyReturnFactory(
            ward=ward,
            week_start=first + datetime.timedelta(weeks=i),
            status=WeeklyReturn.Status.SUBMITTED,
        )
        WeeklyCountFactory(weekly_return=weekly_return, measure=restraint, count=2)
    recompute.charts_recompute(ward_ids=[ward.pk])
    return ward


def restraint_chart(ward):
    return StoredChart.objects.get(
        scope=Scope.WARD, scope_id=ward.pk, measure__code="physical_restraint"
    )


def save_latest_week(ward, user, count):
    week = latest_complete_week(timezone.localdate())
    weekly_return_record(
        ward=ward, week_start=week, user=user, counts=answered(ward, physical_restraint=count),
        occupied_bed_days=120, submit=True,
    )  # fmt: skip
    return week


def chart_shows(ward, week, count):
    chart = restraint_chart(ward)
    if chart.is_stale or chart.status != StoredChart.Status.OK:
        return False
    shown = view(Scope.WARD, ward.pk)
    if shown is None or week.isoformat() not in shown.dates:
        return False
    return shown.count[shown.dates.index(week.isoformat())] == count


def test_it_refreshes_the_chart_in_a_worker_after_a_save(services_stack, charted_ward, staff):
    started = time.monotonic()
    week = save_latest_week(charted_ward, staff, 7)
    wait_until(lambda: chart_shows(charted_ward, week, 7), 30, "the worker to refresh the chart")
    assert time.monotonic() - started < 30
    # The trust, region and national charts follow in a task of their own.
    wait_until(
        lambda: not StoredChart.objects.get(
            scope=Scope.NATIONAL, measure__code="physical_restraint"
        ).is_stale,
        30,
        "the national chart to catch up",
    )
    services_stack.wait_idle()


def test_it_saves_while_redis_is_down_and_catches_up_after(services_stack, charted_ward, staff):
    services_stack.redis.stop()
    try:
        started = time.monotonic()
        week = save_latest_week(charted_ward, staff, 5)
        assert time.monotonic() - started < 10, "a down broker must not hang the save"
        assert WeeklyReturn.objects.filter(ward=charted_ward, week_start=week).exists()
        assert restraint_chart(charted_ward).is_stale
    finally:
        services_stack.redis.start()
    charts_refresh_stale_task.delay()  # what beat sends every few minutes
    wait_until(lambda: chart_shows(charted_ward, week, 5), 60, "the staleness check to catch up")
    services_stack.wait_idle()


def test_it_finishes_a_recompute_after_the_worker_is_killed(services_stack, settings):
    settings.DEBUG = True
    call_command("seed_demo", until=datetime.date(2023, 12, 25), stdout=io.StringIO())
    ward_ids = list(Ward.objects.values_list("pk", flat=True))
    killed_at = timezone.now()
    ward_charts_recompute_task.delay(ward_ids, force=True)

    def running():
        active = app.control.inspect(timeout=0.5).active() or {}
        return any(tasks for tasks in active.values())

    wait_until(running, 30, "the worker to start the recompute")
    services_stack.worker.kill()
    killed_at = timezone.now()
    services_stack.worker.start()

    def all_recomputed():
        return not StoredChart.objects.filter(scope=Scope.WARD, computed_at__lt=killed_at).exists()

    wait_until(all_recomputed, 90, "the redelivered recompute to finish", interval=1)
    # The demo's own refreshes may still be running.
    services_stack.wait_idle()
