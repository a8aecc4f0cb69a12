"""The rules of the days of incidents: a count may say on which day each of its incidents
happened (IncidentDate): t and g charts of rare events need the days between incidents. Days
only, never a time; optional. Pure, like every rule; re-exported by rules.py, where the rules
of a return are found."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from django.utils import dateformat

from mhsip.weeks import week_end

if TYPE_CHECKING:
    from .rules import SavedReturn


def _day(value: datetime.date) -> str:
    return dateformat.format(value, "j F Y")


DATES_FIELD = "incident_dates"


def dates_key(code: str) -> str:
    """The field of a measure's incident days in `{field: message}` (and in the API)."""
    return f"{DATES_FIELD}.{code}"


def dates_complete(count: int | None, dates: Sequence[datetime.date]) -> bool:
    """A count's dates are complete when every one of its incidents has its day."""
    return count is not None and len(dates) == count


def merged_dates(saved: SavedReturn | None, counts: Mapping[str, int | None],
                 dates: Mapping[str, Sequence[datetime.date]]) -> dict[str, tuple]:  # fmt: skip
    """The days the return will hold by measure (sorted): the saved ones; a count removed
    (None) takes its saved days with it; the codes of `dates` get those days."""
    merged = dict(saved.dates) if saved else {}
    for code, value in counts.items():
        if value is None:
            merged.pop(code, None)
    merged.update({code: tuple(sorted(days)) for code, days in dates.items()})
    return {code: days for code, days in merged.items() if days}


def incident_date_error(day, *, ward, week_start: datetime.date, today: datetime.date) -> str:
    """'' when `day` can be the day of an incident of this ward-week: a day (never a time) of
    the week (Monday to Sunday), not in the future, while the ward was open."""
    if isinstance(day, datetime.datetime) or not isinstance(day, datetime.date):
        return f"{day!r} is not a date: give the day only, like 2025-03-03."
    if not week_start <= day <= week_end(week_start):
        return (
            f"{_day(day)} is not in this week ({dateformat.format(week_start, 'j F')} to "
            f"{_day(week_end(week_start))})."
        )
    if day > today:
        return f"{_day(day)} is in the future."
    if day < ward.active_from:
        return f"{_day(day)} is before {ward.name} opened ({_day(ward.active_from)})."
    if ward.active_to and day > ward.active_to:
        return f"{_day(day)} is after {ward.name} closed ({_day(ward.active_to)})."
    return ""


def _dates_count_error(count: int | None, number: int) -> str:
    dates = f"{number} date{'s' if number != 1 else ''}"
    if count is None:
        return (
            f"{dates} but no count: enter the count (at least {number}), or remove the dates."
        )
    if count == 0:
        return f"{dates} for a count of 0: a count of 0 has no dates. Remove the dates or " \
               "correct the count."  # fmt: skip
    if number > count:
        return (
            f"{dates} for a count of {count}: at most one date per incident. Remove "
            f"{number - count} date{'s' if number - count != 1 else ''} or correct the count."
        )
    return ""


def incident_dates_errors(
    *,
    ward,
    week_start: datetime.date,
    today: datetime.date,
    counts: Mapping[str, int],
    dates: Mapping[str, Sequence[datetime.date]],
    measures: Mapping,
    unknown_counts: set[str] = frozenset(),
) -> dict[str, str]:
    """The days of each measure's incidents (`dates`: every day the return will hold) against
    the week, the ward, today and the count (`counts`: every valid count the return will
    hold). At most `count` days: fewer are allowed (dates are optional), more are an error
    naming both numbers; a count of 0 has none. `unknown_counts`: codes whose count is itself
    invalid, so the days are not compared with it. One message per measure, naming every
    day at fault."""
    errors = {}
    for code, days in dates.items():
        measure = measures.get(code)
        if measure is None:
            errors[dates_key(code)] = f"Unknown measure code {code!r}."
            continue
        # dict: a day given twice (two incidents that day) is named once.
        problems = dict.fromkeys(
            incident_date_error(day, ward=ward, week_start=week_start, today=today)
            for day in days
        )
        if code not in unknown_counts:
            problems[_dates_count_error(counts.get(code), len(days))] = None
        problems.pop("", None)
        if problems:
            errors[dates_key(code)] = f"{measure.name}: " + " ".join(problems)
    return errors
