"""Weeks as the programme counts them: Monday to Sunday, named by their Monday (`week_start`).

Shared by every layer (returns, charts, completeness, imports); imports nothing of the apps."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import dateformat, timezone

WEEK = datetime.timedelta(weeks=1)
MONDAY_MESSAGE = "The week must start on a Monday."


def monday_of(day: datetime.date) -> datetime.date:
    """The Monday of the week holding `day`."""
    return day - datetime.timedelta(days=day.weekday())


def is_monday(day: datetime.date) -> bool:
    return day.isoweekday() == 1


def week_end(week_start: datetime.date) -> datetime.date:
    """The Sunday a week ends on."""
    return week_start + datetime.timedelta(days=6)


def latest_complete_week(today: datetime.date) -> datetime.date:
    """The Monday of the last week that has ended (Monday to Sunday) by `today`."""
    return monday_of(today) - WEEK


def weeks_between(first: datetime.date, last: datetime.date) -> tuple[datetime.date, ...]:
    """Every Monday from `first` to `last` inclusive (both Mondays); empty if last < first."""
    count = max(0, (last - first).days // 7 + 1)
    return tuple(first + WEEK * i for i in range(count))


# --- the programme's plausible dates ------------------------------------------------------
# Every date a user gives (form, API, import, URL) lies between MHSIP_EARLIEST_DATE (no ward
# reported before the programme's predecessors began) and MHSIP_DAYS_AHEAD days after today
# (nothing is planned further ahead). Outside it a date is a slip such as 0001-01-01, which
# would squeeze every chart to a line, or 9999-12-27, whose week ends beyond the last date
# Python can hold (OverflowError): refused with a clear message, or 404 in a URL.


def earliest_date() -> datetime.date:
    return settings.MHSIP_EARLIEST_DATE


def latest_date(today: datetime.date | None = None) -> datetime.date:
    return (today or timezone.localdate()) + datetime.timedelta(days=settings.MHSIP_DAYS_AHEAD)


def date_range_error(day: datetime.date, *, label: str = "The date",
                     today: datetime.date | None = None) -> str:  # fmt: skip
    """'' when `day` lies in the programme's plausible range, else why not (naming it)."""
    first, last = earliest_date(), latest_date(today)
    if first <= day <= last:
        return ""
    return (
        f"{label} {dateformat.format(day, 'j F Y')} is outside the dates this programme can "
        f"hold: give a date from {dateformat.format(first, 'j F Y')} to "
        f"{dateformat.format(last, 'j F Y')}."
    )


def validate_programme_date(day: datetime.date) -> None:
    """The range above as a Django (and DRF) field validator."""
    if message := date_range_error(day):
        raise ValidationError(message, code="date_out_of_range")
