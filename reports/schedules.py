"""When each trust's reminders and digest are due (Europe/London wall-clock hours)."""

import datetime

from django.conf import settings
from django.utils import timezone

from mhsip.weeks import latest_complete_week

from .models import ReminderSchedule


def schedule_for(trust) -> ReminderSchedule:
    """The trust's saved schedule, or the defaults (unsaved) when its QI lead set none."""
    saved = ReminderSchedule.objects.filter(trust=trust).first()
    return saved or ReminderSchedule(trust=trust)


def local(now: datetime.datetime | None) -> datetime.datetime:
    return timezone.localtime(now or timezone.now())


def second_weekday(schedule: ReminderSchedule) -> int:
    return (schedule.first_weekday - 1 + schedule.second_after_days) % 7 + 1


def reminder_round(schedule: ReminderSchedule, now: datetime.datetime) -> int | None:
    """1 or 2 when this hour is the trust's first or second reminder, else None."""
    now = local(now)
    if not schedule.reminders_on or now.hour != schedule.first_hour:
        return None
    if now.isoweekday() == schedule.first_weekday:
        return 1
    if now.isoweekday() == second_weekday(schedule):
        return 2
    return None


def reminder_week(schedule: ReminderSchedule, now: datetime.datetime, round_: int):
    """The week a reminder is about: the one that had ended by the first reminder's day (so
    a second reminder days later, perhaps in the next week, still chases the same week)."""
    day = local(now).date()
    if round_ == 2:
        day -= datetime.timedelta(days=schedule.second_after_days)
    return latest_complete_week(day)


def digest_due(schedule: ReminderSchedule, now: datetime.datetime) -> bool:
    now = local(now)
    return (schedule.digest_on and now.isoweekday() == schedule.digest_weekday
            and now.hour == schedule.digest_hour)  # fmt: skip


def region_digest_due(now: datetime.datetime) -> bool:
    now = local(now)
    return (now.isoweekday() == settings.REPORTS_REGION_DIGEST_WEEKDAY
            and now.hour == settings.REPORTS_REGION_DIGEST_HOUR)  # fmt: skip
