"""Reminders, sent by the management command in the embedded default (locmem backend)."""

import datetime
import io
import zoneinfo

import pytest
from django.core.management import call_command

from measures.models import Enrolment, Programme, WeeklyReturn
from reports import mail, schedules
from reports.models import Kind, ReminderSchedule, SentMessage, Unsubscribe
from tests.factories import WeeklyReturnFactory

pytestmark = pytest.mark.django_db
LONDON = zoneinfo.ZoneInfo("Europe/London")
TUESDAY_10 = datetime.datetime(2024, 7, 9, 10, 0, tzinfo=LONDON)  # for w/c 1 July 2024
THURSDAY_10 = TUESDAY_10 + datetime.timedelta(days=2)
WEEK = datetime.date(2024, 7, 1)


@pytest.fixture
def enrolled(ward, other_ward, staff, qi_lead):
    programme = Programme.objects.get(name="Restrictive practice: national aim")
    for w in (ward, other_ward):
        Enrolment.objects.create(programme=programme, ward=w, joined_on=datetime.date(2024, 1, 1))
    staff.email, qi_lead.email = "staff@example.nhs.uk", "lead@example.nhs.uk"
    staff.save()
    qi_lead.save()
    return ward


def send(now, *extra):
    out = io.StringIO()
    call_command("send_reminders", "--now", now.isoformat(), *extra, stdout=out)
    return out.getvalue()


def test_the_first_reminder_goes_to_the_ward_staff_of_missing_wards(enrolled, mailoutbox, ward):
    assert send(TUESDAY_10) == "Queued 1 reminder email.\n"
    [email] = mailoutbox
    assert email.to == ["staff@example.nhs.uk"] and email.cc == []
    assert email.subject == "weekly return missing for w/c 1 Jul 2024"
    assert f"/wards/{ward.pk}/returns/2024-07-01/" in email.body and "Oak Ward" in email.body
    assert "Elm Ward" not in email.body  # not this person's ward
    assert "/unsubscribe/" in email.body and email.extra_headers["List-Unsubscribe"].startswith(
        "<http"
    )
    assert SentMessage.objects.get().status == SentMessage.Status.SENT


def test_it_sends_each_reminder_once(enrolled, mailoutbox):
    send(TUESDAY_10)
    assert send(TUESDAY_10) == "Queued 0 reminder emails.\n"
    assert len(mailoutbox) == 1


def test_the_second_reminder_also_goes_to_the_qi_lead(enrolled, mailoutbox):
    send(THURSDAY_10)
    by_to = {m.to[0]: m for m in mailoutbox}
    assert by_to["staff@example.nhs.uk"].subject.startswith("Second reminder: ")
    lead = by_to["lead@example.nhs.uk"]
    assert (
        lead.subject == "Copy: Second reminder: weekly return missing for w/c 1 Jul 2024 (2 wards)"
    )
    assert "Oak Ward (reminded ward staff)" in lead.body
    assert "Elm Ward (no ward staff to remind)" in lead.body


def test_a_submitted_return_is_not_chased(enrolled, ward, mailoutbox):
    WeeklyReturnFactory(ward=ward, week_start=WEEK, status=WeeklyReturn.Status.SUBMITTED)
    assert send(TUESDAY_10) == "Queued 0 reminder emails.\n"


def test_a_draft_is_still_chased(enrolled, ward, mailoutbox):
    WeeklyReturnFactory(ward=ward, week_start=WEEK, status=WeeklyReturn.Status.DRAFT)
    send(TUESDAY_10)
    assert len(mailoutbox) == 1


def test_a_user_without_an_address_is_logged_not_sent(enrolled, staff, mailoutbox):
    staff.email = ""
    staff.save()
    assert send(TUESDAY_10) == "Queued 0 reminder emails.\n"
    message = SentMessage.objects.get()
    assert (message.status, message.error) == (SentMessage.Status.SKIPPED, mail.NO_ADDRESS)
    assert mailoutbox == []


def test_an_unsubscribed_user_gets_none(enrolled, staff, mailoutbox):
    Unsubscribe.objects.create(user=staff, kind=Kind.REMINDER)
    send(TUESDAY_10)
    assert mailoutbox == []
    assert SentMessage.objects.get().error == mail.UNSUBSCRIBED


def test_it_follows_the_trusts_schedule(enrolled, trust, mailoutbox):
    assert send(TUESDAY_10 + datetime.timedelta(hours=1)) == "Queued 0 reminder emails.\n"
    ReminderSchedule.objects.create(trust=trust, first_weekday=3, first_hour=9)
    assert send(TUESDAY_10) == "Queued 0 reminder emails.\n"
    assert send(datetime.datetime(2024, 7, 10, 9, 0, tzinfo=LONDON)) == "Queued 1 reminder email.\n"
    ReminderSchedule.objects.filter(trust=trust).update(reminders_on=False)
    assert (
        send(datetime.datetime(2024, 7, 17, 9, 0, tzinfo=LONDON)) == "Queued 0 reminder emails.\n"
    )


def test_a_forced_round_sends_now(enrolled, mailoutbox):
    assert send(TUESDAY_10 + datetime.timedelta(hours=5), "--round", "2") == (
        "Queued 2 reminder emails.\n"
    )


def test_the_second_reminder_chases_the_week_of_the_first():
    schedule = ReminderSchedule(first_weekday=7, first_hour=10, second_after_days=2)
    sunday = datetime.datetime(2024, 7, 14, 10, tzinfo=LONDON)
    tuesday = sunday + datetime.timedelta(days=2)
    assert schedules.reminder_round(schedule, sunday) == 1
    assert schedules.reminder_round(schedule, tuesday) == 2
    assert schedules.reminder_week(schedule, sunday, 1) == datetime.date(2024, 7, 1)
    assert schedules.reminder_week(schedule, tuesday, 2) == datetime.date(2024, 7, 1)


def test_a_time_without_an_offset_is_uk_time(enrolled, mailoutbox):
    assert send(TUESDAY_10.replace(tzinfo=None)) == "Queued 1 reminder email.\n"
