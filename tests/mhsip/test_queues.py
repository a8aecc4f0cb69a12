"""Ward refreshes have a queue of their own that workers drain first (settings)."""

from celery import Celery
from django.conf import settings


def app_from_settings() -> Celery:
    """A Celery app read from settings alone, as a worker started by `make worker` has it: the
    process-wide app may have been pointed at a services test's own queue (tests/processes.py)."""
    app = Celery("mhsip")
    app.config_from_object("django.conf:settings", namespace="CELERY")
    return app


def test_a_saves_ward_refresh_goes_first_and_everything_else_after():
    ward, default = settings.CELERY_WARD_QUEUE, settings.CELERY_TASK_DEFAULT_QUEUE
    assert [q.name for q in settings.CELERY_TASK_QUEUES] == [ward, default]
    router = app_from_settings().amqp.router
    assert router.route({}, "spc.tasks.charts_refresh_task")["queue"].name == ward
    assert router.route({}, "spc.tasks.aggregate_charts_refresh_task")["queue"].name == default
    # Redis is asked for the queues in their order: the ward queue is always emptied first.
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["queue_order_strategy"] == "priority"
