"""From the dates of individual incidents to the values of t and g charts.

Rules (spc/README.md, "Rare events"):
- Events are given by day (ISO dates, sorted, repeats allowed). Two events are taken to happen
  at the same time of day, so the gap between them is a whole number of days and two events
  on one day are 0 days apart.
- Gap k (k = 1..n−1) closes at event k + 1 and carries that event's date as its label; the
  first event opens the first gap and has no value of its own (qicharts2's vignette builds
  `dt = date - lag(date)` the same way, with NA for the first death).
- Bed days between events: each week's occupied bed days are spread evenly over its 7 days
  (Monday to Sunday); the gap is the sum of the daily bed days from the earlier event's day up
  to, not including, the later event's day. A gap that crosses a week without bed days is
  missing (NaN).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from spc.engine.errors import InvalidDateError, InvalidEventsError, LengthMismatchError
from spc.engine.options import parse_iso_date, parse_iso_dates

DAYS_PER_WEEK = 7


@dataclass(frozen=True, eq=False)
class EventGaps:
    """Between-event values of n events: n − 1 gaps, each labelled by the date of the event
    that closes it (`dates`, may repeat) and numbered by that event (`event_number`, 2..n).
    `days`: days between (t chart: needs > 0; g chart: allows 0). `bed_days`: occupied bed
    days between (g chart), None without weekly bed days. `same_day`: gaps of 0 days."""

    dates: tuple[str, ...]
    event_number: np.ndarray
    days: np.ndarray
    bed_days: np.ndarray | None
    same_day: int


def parse_events(events: Sequence) -> np.ndarray:
    """Event dates (ISO strings or dates) to sorted datetime64[D]; they must be in order."""
    if not isinstance(events, list | tuple):
        raise InvalidEventsError("events must be a list of ISO dates")
    days = parse_iso_dates(events, "events")
    if len(days) > 1 and (days[1:] < days[:-1]).any():
        i = int(np.argmax(days[1:] < days[:-1])) + 1
        raise InvalidDateError(f"events must be in date order: events[{i}] = {days[i]} follows "
                               f"{days[i - 1]}")
    return days


def daily_bed_days(weeks: np.ndarray, bed_days: np.ndarray) -> tuple[np.datetime64, np.ndarray]:
    """Each week's bed days spread evenly over its 7 days: (first day, per-day array). Days of
    weeks not listed, or with missing bed days, are NaN."""
    first = weeks[0]
    span = int((weeks[-1] - first).astype(int)) + DAYS_PER_WEEK
    per_day = np.full(span, np.nan)
    offsets = (weeks - first).astype(int)
    for off, b in zip(offsets, bed_days, strict=True):
        per_day[off: off + DAYS_PER_WEEK] = b / DAYS_PER_WEEK
    return first, per_day


def between_events(events: Sequence, weeks: Sequence | None = None,
                   bed_days: Sequence | None = None) -> EventGaps:
    """Days (and, given weekly `bed_days` on Monday `weeks`, occupied bed days) between
    consecutive events. See the module docstring for the rules."""
    days = parse_events(events)
    n = len(days)
    gaps_days = (days[1:] - days[:-1]).astype(int).astype(float)
    gap_bed_days = None
    if bed_days is not None:
        if weeks is None or len(weeks) != len(bed_days):
            raise LengthMismatchError("bed days need one Monday week per value")
        week_days = parse_iso_dates(weeks, "weeks")
        gap_bed_days = bed_days_between(days, week_days, np.asarray(bed_days, dtype=float))
    return EventGaps(
        dates=tuple(str(d) for d in days[1:]),
        event_number=np.arange(2, n + 1),
        days=gaps_days,
        bed_days=gap_bed_days,
        same_day=int(np.count_nonzero(gaps_days == 0)),
    )


def bed_days_between(days: np.ndarray, weeks: np.ndarray, bed_days: np.ndarray) -> np.ndarray:
    """Occupied bed days between consecutive event days (datetime64[D]); every event must lie
    within the weeks."""
    if len(days) < 2:
        return np.zeros(0)
    first, per_day = daily_bed_days(weeks, bed_days)
    offsets = (days - first).astype(int)
    if offsets.min() < 0 or offsets.max() >= len(per_day):
        raise InvalidEventsError(
            f"events run from {days[0]} to {days[-1]}, outside the weeks "
            f"{weeks[0]}..{weeks[-1] + np.timedelta64(DAYS_PER_WEEK - 1, 'D')}")
    missing = np.concatenate([[0], np.cumsum(np.isnan(per_day))])
    cumulative = np.concatenate([[0.0], np.cumsum(np.nan_to_num(per_day, nan=0.0))])
    gaps = cumulative[offsets[1:]] - cumulative[offsets[:-1]]
    crossed_missing = missing[offsets[1:]] - missing[offsets[:-1]] > 0
    return np.where(crossed_missing, np.nan, gaps)


def iso_day(value) -> dt.date:
    """A date from an ISO string, a date or a datetime64[D]."""
    if isinstance(value, np.datetime64):
        return value.astype("datetime64[D]").astype(dt.date)
    return parse_iso_date(value)
