"""Input checks and the conversion of one JSON-like series into arrays.

Nothing is coerced: every problem raises a specific `SpecError` subclass naming the point.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from spc.engine.errors import (
    BaselineError,
    CountExceedsDenominatorError,
    EmptySeriesError,
    InvalidBreaksError,
    InvalidDateError,
    InvalidDenominatorError,
    InvalidValueError,
    LengthMismatchError,
    NegativeCountError,
    NonPositiveTimeError,
    UnusedDenominatorError,
)
from spc.engine.options import (
    COUNT_CHARTS,
    GAP_CHARTS,
    PROPORTION_CHARTS,
    RATE_CHARTS,
    RATIO_CHARTS,
    ChartOptions,
    parse_iso_date,
    parse_iso_dates,
)

_PLAIN_TYPES = frozenset({int, float, type(None)})


@dataclass(frozen=True)
class PreparedSeries:
    """One validated series: float arrays with NaN for missing points, its phase starts
    (0-based indices) and its baseline mask."""

    values: np.ndarray
    denominators: np.ndarray | None
    dates: np.ndarray | None
    phase_starts: tuple[int, ...]
    baseline: np.ndarray
    options: ChartOptions


def to_float_array(items: Sequence, what: str) -> np.ndarray:
    """Convert numbers / None to float64 with NaN for None; reject text, booleans and inf."""
    if set(map(type, items)) <= _PLAIN_TYPES:
        out = np.array(items, dtype=float)  # None becomes NaN
        if np.isinf(out).any():
            raise InvalidValueError(f"{what}[{int(np.argmax(np.isinf(out)))}] is infinite")
        return out
    out = np.empty(len(items), dtype=float)
    for i, item in enumerate(items):
        if item is None:
            out[i] = np.nan
        elif isinstance(item, int | float | np.integer | np.floating) and not isinstance(
            item, bool | np.bool_
        ):
            if math.isinf(item):
                raise InvalidValueError(f"{what}[{i}] is infinite")
            out[i] = item
        else:
            raise InvalidValueError(f"{what}[{i}] must be a number or null, got {item!r}")
    return out


def parse_dates(items: Sequence, allow_ties: bool = False) -> np.ndarray:
    """ISO dates to datetime64[D]; they must be strictly increasing (one point per period), or
    with `allow_ties` non-decreasing (t / g charts: events, two of them may share a day)."""
    dates = parse_iso_dates(items, "dates")
    if len(dates) > 1:
        bad = np.nonzero(dates[1:] < dates[:-1] if allow_ties else dates[1:] <= dates[:-1])[0]
        if bad.size:
            i = int(bad[0]) + 1
            order = "non-decreasing" if allow_ties else "strictly increasing"
            raise InvalidDateError(
                f"dates must be {order}: dates[{i}] = {dates[i]} follows {dates[i - 1]}"
            )
    return dates


def check_values(values: np.ndarray, denominators: np.ndarray | None, chart: str,
                 label: str = "") -> None:
    """Chart-specific checks on (series, points) arrays or one series: counts must be
    non-negative for c/u/p/up/pp; rate charts need a positive finite denominator wherever the
    count is present; p charts need count <= denominator."""
    values = np.atleast_2d(values)
    if np.isinf(values).any():
        _raise_at(InvalidValueError, np.isinf(values), label, "value is infinite")
    present = ~np.isnan(values)
    _check_signs(values, present, chart, label)
    if chart not in RATE_CHARTS and chart not in RATIO_CHARTS:
        if denominators is not None:
            raise UnusedDenominatorError(
                f"{label}a {chart} chart takes no denominators (qicharts2 would ignore them; "
                "use a u chart for counts per denominator)")
        return
    if denominators is None:
        if chart in RATIO_CHARTS:
            return
        raise InvalidDenominatorError(f"{label}chart {chart} needs denominators")
    denominators = np.atleast_2d(denominators)
    with np.errstate(invalid="ignore"):
        bad = present & ~(np.isfinite(denominators) & (denominators > 0))
    if bad.any():
        _raise_at(InvalidDenominatorError, bad, label,
                  f"denominator is missing, zero or negative where a {chart} chart needs a rate")
    if chart in PROPORTION_CHARTS:
        with np.errstate(invalid="ignore"):
            over = present & (values > denominators)
        if over.any():
            _raise_at(CountExceedsDenominatorError, over, label,
                      f"count exceeds its denominator on a {chart} chart")


def _check_signs(values: np.ndarray, present: np.ndarray, chart: str, label: str) -> None:
    """Counts and g-chart gaps must be >= 0; t-chart times must be > 0."""
    with np.errstate(invalid="ignore"):
        if chart in COUNT_CHARTS or chart == "g":
            negative = present & (values < 0)
            if negative.any():
                what = "gap between events" if chart == "g" else "count"
                _raise_at(NegativeCountError, negative, label,
                          f"negative {what} on a {chart} chart")
        if chart == "t":
            bad = present & (values <= 0)
            if bad.any():
                _raise_at(NonPositiveTimeError, bad, label,
                          "a t chart needs times between events > 0 (qicharts2 qic.t() stops on "
                          "0); two events on the same day are 0 days apart: use a g chart, "
                          "which allows 0")


def resolve_breaks(breaks: Sequence, n: int, dates: np.ndarray | None,
                   on_or_after: bool = False) -> tuple[int, ...]:
    """Phase starts (0-based) from qicharts2-style `part` numbers or ISO dates. `26` (or the
    date of the 27th point) starts a new phase at the 27th point. Breaks must be strictly
    increasing and leave every phase at least one point. With `on_or_after` (t / g charts,
    whose points are events) a date starts the phase at the first point dated on or after it
    instead of needing an exact match."""
    starts = []
    for i, b in enumerate(breaks):
        if isinstance(b, str):
            if dates is None:
                raise InvalidBreaksError(f"breaks[{i}] is a date but the series has no dates")
            day = np.datetime64(parse_iso_date(b, f"breaks[{i}]"), "D")
            hit = np.nonzero(dates >= day if on_or_after else dates == day)[0]
            if hit.size == 0:
                problem = "is after every date" if on_or_after else "matches no date"
                raise InvalidBreaksError(f"breaks[{i}] = {b} {problem} of the series")
            starts.append(int(hit[0]))
        elif isinstance(b, int | np.integer) and not isinstance(b, bool):
            starts.append(int(b))
        else:
            raise InvalidBreaksError(f"breaks[{i}] must be an integer or ISO date, got {b!r}")
    for i, s in enumerate(starts):
        if not 1 <= s <= n - 1:
            raise InvalidBreaksError(
                f"breaks[{i}] = {breaks[i]!r} is out of range: a break must be between 1 and "
                f"{n - 1} for {n} points (each phase needs at least one point)"
            )
        if i and s <= starts[i - 1]:
            raise InvalidBreaksError(f"breaks must be strictly increasing; got {list(breaks)!r}")
    return (0, *starts)


def baseline_mask(freeze, phase_starts: Sequence[int], n: int,
                  dates: np.ndarray | None) -> np.ndarray:
    """Baseline flags. None: every point. Int N: the first N points of each phase
    (NHSRplotthedots `fix_after_n_points`, applied per rebase group). ISO date: the first N
    points with N = points dated on or before it. Date pair: points dated within the range."""
    if freeze is None:
        return np.ones(n, dtype=bool)
    if isinstance(freeze, str | tuple) and dates is None:
        raise BaselineError("a freeze by date needs the series' dates")
    if isinstance(freeze, str):
        freeze = int(np.count_nonzero(dates <= np.datetime64(parse_iso_date(freeze), "D")))
        if freeze == 0:
            raise BaselineError("the freeze date is before the first point: empty baseline")
    if isinstance(freeze, tuple):
        start, end = (np.datetime64(parse_iso_date(d), "D") for d in freeze)
        mask = (dates >= start) & (dates <= end)
        bounds = [*phase_starts, n]
        for k in range(len(phase_starts)):
            if not mask[bounds[k]: bounds[k + 1]].any():
                raise BaselineError(f"phase {k + 1} has no points in the freeze date range")
        return mask
    if freeze > n:
        raise BaselineError(f"baseline of {freeze} points is longer than the series ({n} points)")
    position = np.arange(n) - np.asarray(phase_starts)[phase_index(phase_starts, n)]
    return position < freeze


def phase_index(phase_starts: Sequence[int], n: int) -> np.ndarray:
    """Phase number (0-based) of each of `n` points."""
    return np.searchsorted(np.asarray(phase_starts[1:], dtype=int), np.arange(n), side="right")


def prepare_series(values: Sequence, denominators: Sequence | None, dates: Sequence | None,
                   options: ChartOptions) -> PreparedSeries:
    """Validate one series and resolve its breaks and baseline (see `ChartOptions`)."""
    n = len(values)
    if n == 0:
        raise EmptySeriesError("the series is empty: at least one point is needed")
    y = to_float_array(values, "values")
    den = None
    if denominators is not None:
        if len(denominators) != n:
            raise LengthMismatchError(
                f"{len(denominators)} denominators for {n} values: lengths must match")
        den = to_float_array(denominators, "denominators")
    day = None
    if dates is not None:
        if len(dates) != n:
            raise LengthMismatchError(f"{len(dates)} dates for {n} values: lengths must match")
        day = parse_dates(dates, allow_ties=options.chart in GAP_CHARTS)
    check_values(y, den, options.chart)
    starts = resolve_breaks(options.breaks, n, day, on_or_after=options.chart in GAP_CHARTS)
    base = baseline_mask(options.freeze, starts, n, day)
    return PreparedSeries(y, den, day, starts, base, options)


def _raise_at(error: type, mask: np.ndarray, label: str, problem: str):
    row, col = (int(v[0]) for v in np.nonzero(mask))
    where = f"series {row}, values[{col}]" if mask.shape[0] > 1 or label else f"values[{col}]"
    raise error(f"{label}{where}: {problem}")
