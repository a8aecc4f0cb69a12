"""Beat's reminder and digest tasks in a real Celery worker on PostgreSQL and Redis, sending
to the worker's locmem backend (tests/processes.py); and the beat schedule itself."""

import datetime
import zoneinfo

import pytest
from django.conf import settings

from measures.catalogue import sync_catalogue
from measures.models import Enrolment, Measure, Programme
from mhsip.celery import app
from reports.models import SentMessage
from tests.processes import wait_until

LONDON = zoneinfo.ZoneInfo("Europe/London")
TUESDAY_10 = datetime.datetime(2024, 7, 9, 10, 0, tzinfo=LONDON)
MONDAY_8 = datetime.datetime(2024, 7, 8, 8, 0, tzinfo=LONDON)
BEAT = {entry["task"]: entry for entry in settings.CELERY_BEAT_SCHEDULE.values()}


def test_beat_runs_the_reminder_digest_retry_and_purge_tasks_hourly():
    app.loader.import_default_modules()
    for name in (
        "reports.tasks.reminders_send_task",
        "reports.tasks.digests_send_task",
        "reports.tasks.messages_retry_task",
        "reports.tasks.board_packs_purge_task",
    ):
        assert name in app.tasks, name
        schedule = BEAT[name]["schedule"]
        assert schedule.hour == set(range(24)) and len(schedule.minute) == 1


@pytest.fixture
def enrolled_with_addresses(ward, staff, qi_lead):
    sync_catalogue(Measure, Programme)  # transactional tests flush the migrated catalogue
    programme = Programme.objects.get(name="Restrictive practice: national aim")
    Enrolment.objects.create(programme=programme, ward=ward, joined_on=datetime.date(2024, 1, 1))
    staff.email, qi_lead.email = "staff@example.nhs.uk", "lead@example.nhs.uk"
    staff.save()
    qi_lead.save()


def sent(kind):
    return list(SentMessage.objects.filter(kind=kind, status=SentMessage.Status.SENT))


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_beats_reminders_and_digests(services_stack, enrolled_with_addresses):
    # Called by the names beat uses, at the hours they are due.
    reminders = app.send_task("reports.tasks.reminders_send_task",
                              kwargs={"now": TUESDAY_10.isoformat()})  # fmt: skip
    assert reminders.get(timeout=60) == 1
    found = wait_until(lambda: sent("reminder"), 30, "the worker to send the reminder")
    assert found[0].to_address == "staff@example.nhs.uk"
    digests = app.send_task("reports.tasks.digests_send_task", kwargs={"now": MONDAY_8.isoformat()})
    assert digests.get(timeout=60) == 1
    found = wait_until(lambda: sent("digest"), 30, "the worker to send the digest")
    assert found[0].to_address == "lead@example.nhs.uk" and "Returns missing" in found[0].body
    # Beat firing twice in the hour sends nothing more.
    again = app.send_task("reports.tasks.reminders_send_task",
                          kwargs={"now": TUESDAY_10.isoformat()})  # fmt: skip
    assert again.get(timeout=60) == 0
    services_stack.wait_idle()
