"""Weeks as the programme counts them: Monday to Sunday, named by their Monday (`week_start`).

Shared by every layer (returns, charts, completeness, imports); imports nothing of the apps."""

import datetime

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
