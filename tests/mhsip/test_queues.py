"""Ward refreshes have a queue of their own that workers drain first (settings)."""

from django.conf import settings

from mhsip.celery import app


def test_a_saves_ward_refresh_goes_first_and_everything_else_after():
    ward, default = settings.CELERY_WARD_QUEUE, settings.CELERY_TASK_DEFAULT_QUEUE
    assert [q.name for q in settings.CELERY_TASK_QUEUES] == [ward, default]
    assert app.amqp.router.route({}, "spc.tasks.charts_refresh_task")["queue"].name == ward
    assert app.amqp.router.route({}, "spc.tasks.aggregate_charts_refresh_task")["queue"].name == (
        default
    )
    # Redis is asked for the queues in their order: the ward queue is always emptied first.
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["queue_order_strategy"] == "priority"
