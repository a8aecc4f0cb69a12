"""Weekly series to 4-weekly periods or calendar months (pure functions).

Rules (spc/README.md, "Periods"):
- Input: one value per Monday (`weeks`, strictly increasing; weeks not listed are missing),
  NaN = missing week. A week is present when its value is present and, if denominators are
  given, its denominator is a positive number.
- `4week`: 13 periods per ISO year, aligned to ISO weeks: P1 = ISO weeks 1–4, ..., P13 =
  weeks 49–52; in a 53-week ISO year week 53 joins P13 (a 5-week period).
- `month`: a week belongs to the month that holds its Thursday (the ISO rule for which year
  a week is in), so every week is in exactly one month (4 or 5 weeks).
- Exact calendar months (`months_from_events`): events counted by their own date, each week's
  bed days spread evenly over its 7 days and split by the days it has in each month.
- Sums of counts and of denominators over the present weeks. A period is missing unless more
  than half of it is present (weeks; days for exact months); `weeks_present` and
  `weeks_in_period` are kept (exact months: days / 7) so a chart can show partial periods.
- Periods run from the one holding the first week to the one holding the last, none skipped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from spc.engine.errors import InvalidDateError, InvalidEventsError, InvalidOptionError
from spc.engine.events import DAYS_PER_WEEK, daily_bed_days
from spc.engine.options import parse_iso_dates

PERIODS = ("week", "4week", "month")
# 4-weekly periods per ISO year (NHS "13 four-week periods"); week 53 joins the 13th.
PERIODS_PER_YEAR = 13
WEEKS_PER_PERIOD = 4


@dataclass(frozen=True, eq=False)
class PeriodSeries:
    """An aggregated series. `starts`: first day of each period (ISO); `labels`: "2024 P03" or
    "2024-05"; `values` / `denominators`: sums over present weeks, NaN where the period is
    missing; `weeks_present` / `weeks_in_period` (floats); `week_period[w]`: the period of
    input week w. `period` is "week", "4week" or "month"."""

    period: str
    starts: tuple[str, ...]
    labels: tuple[str, ...]
    values: np.ndarray
    denominators: np.ndarray | None
    weeks_present: np.ndarray
    weeks_in_period: np.ndarray
    week_period: np.ndarray

    @property
    def missing(self) -> np.ndarray:
        return np.isnan(self.values)


def parse_weeks(weeks: Sequence) -> np.ndarray:
    """Monday ISO dates, strictly increasing, to datetime64[D]."""
    out = parse_iso_dates(weeks, "dates")
    # 1970-01-01 was a Thursday: Monday is day 4 of numpy's week counting from it.
    not_monday = (out.astype(int) - 4) % 7 != 0
    if not_monday.any():
        i = int(np.argmax(not_monday))
        raise InvalidDateError(f"dates[{i}] = {out[i]} is not a Monday (weekly data starts on "
                               "Mondays)")
    if len(out) > 1 and (out[1:] <= out[:-1]).any():
        i = int(np.argmax(out[1:] <= out[:-1])) + 1
        raise InvalidDateError(f"dates must be strictly increasing: dates[{i}] = {out[i]}")
    return out


def present_weeks(values: np.ndarray, denominators: np.ndarray | None) -> np.ndarray:
    """A week is present when its value is, and its denominator (if any) is positive."""
    present = ~np.isnan(values)
    if denominators is not None:
        with np.errstate(invalid="ignore"):
            present &= np.isfinite(denominators) & (denominators > 0)
    return present


def four_week_key(monday: dt.date) -> tuple[int, int]:
    """(ISO year, period 1..13) of the week starting on `monday`; week 53 is in period 13."""
    year, week, _ = monday.isocalendar()
    return year, min((week - 1) // WEEKS_PER_PERIOD + 1, PERIODS_PER_YEAR)


def four_week_start(year: int, period: int) -> dt.date:
    """Monday of the first ISO week of a 4-weekly period."""
    return dt.date.fromisocalendar(year, (period - 1) * WEEKS_PER_PERIOD + 1, 1)


def four_week_length(year: int, period: int) -> int:
    """Weeks in a period: 4, or 5 for P13 of an ISO year with 53 weeks."""
    if period < PERIODS_PER_YEAR:
        return WEEKS_PER_PERIOD
    weeks_in_year = dt.date(year, 12, 28).isocalendar()[1]
    return weeks_in_year - (PERIODS_PER_YEAR - 1) * WEEKS_PER_PERIOD


def month_key(monday: dt.date) -> tuple[int, int]:
    """(year, month) of the month that holds the week's Thursday."""
    thursday = monday + dt.timedelta(days=3)
    return thursday.year, thursday.month


def _next_key(key: tuple[int, int], period: str) -> tuple[int, int]:
    year, k = key
    last = PERIODS_PER_YEAR if period == "4week" else 12
    return (year + 1, 1) if k == last else (year, k + 1)


def _mondays_in_month(year: int, month: int) -> int:
    """Weeks whose Thursday falls in the month = the month's Thursdays."""
    first = dt.date(year, month, 1)
    days = (dt.date(year + month // 12, month % 12 + 1, 1) - first).days
    first_thursday = 1 + (3 - first.weekday()) % 7
    return (days - first_thursday) // 7 + 1


def _key_run(first: tuple[int, int], last: tuple[int, int], period: str) -> list:
    keys = [first]
    while keys[-1] != last:
        keys.append(_next_key(keys[-1], period))
    return keys


def aggregate_weeks(values: Sequence, denominators: Sequence | None, weeks: Sequence,
                    period: str) -> PeriodSeries:
    """Sum a weekly series into `period` ("week" gives it back unchanged, with each week its
    own period). See the module docstring for the rules."""
    if period not in PERIODS:
        raise InvalidOptionError(f"period must be one of {', '.join(PERIODS)}; got {period!r}")
    y = np.asarray(values, dtype=float)
    den = None if denominators is None else np.asarray(denominators, dtype=float)
    days = parse_weeks(weeks)
    if len(days) == 0:
        raise InvalidOptionError("no weeks to aggregate")
    present = present_weeks(y, den)
    if period == "week":
        return _weekly(y, den, days, present)
    mondays = days.astype(dt.date)
    key_of = four_week_key if period == "4week" else month_key
    week_keys = [key_of(m) for m in mondays]
    keys = _key_run(week_keys[0], week_keys[-1], period)
    index = {k: i for i, k in enumerate(keys)}
    week_period = np.fromiter((index[k] for k in week_keys), dtype=int, count=len(week_keys))
    size = np.array([four_week_length(*k) if period == "4week" else _mondays_in_month(*k)
                     for k in keys], dtype=float)
    starts = [four_week_start(*k) if period == "4week" else dt.date(k[0], k[1], 1)
              for k in keys]
    labels = [f"{y_} P{p:02d}" if period == "4week" else f"{y_}-{p:02d}" for y_, p in keys]
    return _summed(period, starts, labels, y, den, present, week_period, size,
                   np.ones(len(y)))


def _weekly(y, den, days, present) -> PeriodSeries:
    n = len(y)
    return PeriodSeries(
        "week", tuple(str(d) for d in days), tuple(str(d) for d in days),
        np.where(present, y, np.nan),
        None if den is None else np.where(present, den, np.nan),
        present.astype(float), np.ones(n), np.arange(n))


def _summed(period, starts, labels, y, den, present, week_period, size, weight) -> PeriodSeries:
    """Sum present weeks (or their `weight`ed share) into periods; missing unless more than
    half of each period is present."""
    n_periods = len(starts)
    got = np.bincount(week_period, weights=np.where(present, weight, 0.0), minlength=n_periods)
    total = np.bincount(week_period, weights=np.where(present, y, 0.0), minlength=n_periods)
    keep = got > size / 2
    den_total = None
    if den is not None:
        den_total = np.bincount(week_period, weights=np.where(present, den * weight, 0.0),
                                minlength=n_periods)
        den_total = np.where(keep, den_total, np.nan)
    return PeriodSeries(period, tuple(str(s) for s in starts), tuple(labels),
                        np.where(keep, total, np.nan), den_total, got, size, week_period)


def months_from_events(events: np.ndarray, values: Sequence, denominators: Sequence | None,
                       weeks: Sequence) -> PeriodSeries:
    """Exact calendar months: events (datetime64[D], sorted) counted by their own date; each
    week's bed days spread over its 7 days and split by the days it has in each month. A
    month is present when more than half of its days lie in present weeks; `weeks_present`
    and `weeks_in_period` are days / 7. `week_period` is the month holding each Monday."""
    y = np.asarray(values, dtype=float)
    den = None if denominators is None else np.asarray(denominators, dtype=float)
    days = parse_weeks(weeks)
    present = present_weeks(y, den)
    first_day, per_day = daily_bed_days(days, np.where(present, 1.0, np.nan))
    n_days = len(per_day)
    all_days = first_day + np.arange(n_days)
    months = all_days.astype("datetime64[M]")
    first_month = months[0]
    month_id = (months - first_month).astype(int)
    n_months = int(month_id[-1]) + 1
    day_present = ~np.isnan(per_day)
    got = np.bincount(month_id, weights=day_present.astype(float), minlength=n_months)
    starts = [first_month + k for k in range(n_months)]
    size = np.array([((m + 1).astype("datetime64[D]") - m.astype("datetime64[D]")).astype(int)
                     for m in starts], dtype=float)
    keep = got > size / 2
    ev = np.asarray(events, dtype="datetime64[D]")
    offsets = (ev - first_day).astype(int)
    if len(ev) and (offsets.min() < 0 or offsets.max() >= n_days):
        raise InvalidEventsError("every event must fall within the weeks of the series")
    counts = np.bincount(month_id[offsets], minlength=n_months).astype(float)
    den_total = None
    if den is not None:
        _, bd = daily_bed_days(days, np.where(present, den, np.nan))
        den_total = np.bincount(month_id, weights=np.nan_to_num(bd, nan=0.0), minlength=n_months)
        den_total = np.where(keep, den_total, np.nan)
    week_period = month_id[(days - first_day).astype(int)]
    return PeriodSeries(
        "month", tuple(str(m.astype("datetime64[D]")) for m in starts),
        tuple(str(m) for m in starts), np.where(keep, counts, np.nan), den_total,
        got / DAYS_PER_WEEK, size / DAYS_PER_WEEK, week_period)
