"""Special-cause rules, each a small function over arrays whose last axis is time.

Making Data Count rules follow NHSRplotthedots R/ptd_calculate_point_type.R; Anhøj rules follow
qicharts2 R/helper.functions.R runs.analysis() and crsignal(). Rows are independent (one row per
phase), so many phases of many series are checked at once.

Missing points (NaN) are handled as the references do:
- MDC rules (outside limits, shift, trend, two of three) look at consecutive positions on the
  time axis. A window that contains a missing point never fires, so a missing week breaks a
  shift or trend: in NHSRplotthedots the NA makes the window's `all()` / `sum()` NA, which
  `case_when()` treats as no signal (for trends R can even stop with an error).
- Anhøj rules drop missing points and points on the centre line first
  (`runs[runs != 0 & !is.na(runs)]`), so a run continues across a missing week.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import numpy as np

from spc.engine.constants import CROSSINGS_QUANTILE, LONGEST_RUN_OFFSET

OUTSIDE_LIMITS = 1
SHIFT = 2
TREND = 4
TWO_OF_THREE = 8
LONG_RUN = 16
FEW_CROSSINGS = 32
RULE_NAMES = {
    OUTSIDE_LIMITS: "outside_limits",
    SHIFT: "shift",
    TREND: "trend",
    TWO_OF_THREE: "two_of_three",
    LONG_RUN: "long_run",
    FEW_CROSSINGS: "few_crossings",
}


def side_of_centre(y: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """+1 above, -1 below, 0 on the centre line or missing (NHSRplotthedots `relative_to_mean =
    sign(y - mean_col)`). `centre` broadcasts against `y`."""
    with np.errstate(invalid="ignore"):
        side = np.sign(y - centre)
    return np.nan_to_num(side, nan=0.0).astype(np.int8)


def find_points_outside_limits(y: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """Shewhart's rule: a point strictly above the upper or below the lower limit
    (NHSRplotthedots `y > upl | y < lpl`; qicharts2 qic.agg() `sigma.signal`). Missing points
    and missing limits never fire."""
    with np.errstate(invalid="ignore"):
        return (y > upper) | (y < lower)


def find_points_close_to_limits(
    y: np.ndarray, lower_2sigma: np.ndarray, upper_2sigma: np.ndarray, outside: np.ndarray
) -> np.ndarray:
    """Points beyond a 2-sigma line but not outside the limits (NHSRplotthedots
    `close_to_limits = !outside_limits & (y < nlpl | y > nupl)`)."""
    with np.errstate(invalid="ignore"):
        return ~outside & ((y < lower_2sigma) | (y > upper_2sigma))


def run_bounds(key: np.ndarray, active: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start index and length of the maximal stretch of consecutive `active` positions with
    equal `key` that contains each position (meaningless where not active)."""
    t = key.shape[-1]
    idx = np.arange(t)
    joins = np.zeros(key.shape, dtype=bool)
    joins[..., 1:] = active[..., 1:] & active[..., :-1] & (key[..., 1:] == key[..., :-1])
    start = np.maximum.accumulate(np.where(joins, 0, idx), axis=-1)
    continues = np.zeros(key.shape, dtype=bool)
    continues[..., :-1] = joins[..., 1:]
    end = np.minimum.accumulate(np.where(continues, t - 1, idx)[..., ::-1], axis=-1)[..., ::-1]
    return start, end - start + 1


def find_shifts(side: np.ndarray, length: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """MDC shift: `length` or more consecutive points on the same side of the centre line.

    Returns (flags, run_start): every point of such a run is flagged, as
    NHSRplotthedots ptd_seven_point_one_side_mean() + ptd_part_of_seven_trend() do. A point on
    the centre line (side 0) or a missing point breaks the run there (R compares `sign()`
    values, so 0 never equals ±1).
    """
    active = side != 0
    start, run_length = run_bounds(side, active)
    return active & (run_length >= length), start


def find_trends(y: np.ndarray, length: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """MDC trend: `length` or more consecutive points each strictly higher (or lower) than the
    one before; equal neighbours break it (NHSRplotthedots ptd_seven_point_trend()).

    Returns (flags, direction). Direction is +1 (increasing) or -1 and follows
    ptd_special_cause_type(): a point whose right neighbour is also in a trend takes the sign of
    the step to its right, otherwise the step from its left, and any sign other than +1 reads
    as decreasing. Steps into or out of a missing point count as breaks.
    """
    with np.errstate(invalid="ignore"):
        steps = np.zeros(y.shape, dtype=np.int8)
        steps[..., 1:] = np.nan_to_num(np.sign(y[..., 1:] - y[..., :-1]), nan=0.0)
    active = steps != 0
    _, run_length = run_bounds(steps, active)
    in_trend_step = active & (run_length >= length - 1)
    flags = in_trend_step.copy()
    flags[..., :-1] |= in_trend_step[..., 1:]
    right_flag = np.zeros(y.shape, dtype=bool)
    right_flag[..., :-1] = flags[..., 1:]
    right_step = np.zeros(y.shape, dtype=np.int8)
    right_step[..., :-1] = steps[..., 1:]
    chosen = np.where(flags & right_flag, right_step, steps)
    direction = np.where(chosen == 1, 1, -1).astype(np.int8)
    return flags, np.where(flags, direction, 0).astype(np.int8)


def find_two_of_three(close: np.ndarray, side: np.ndarray) -> np.ndarray:
    """MDC rule: a point beyond a 2-sigma line that is one of at least two such points among
    three consecutive points all on the same side of the centre line
    (NHSRplotthedots ptd_two_in_three() + ptd_part_of_two_in_three()). Points outside the
    limits are not "close" there and so do not count towards the two."""
    t = close.shape[-1]
    flags = np.zeros(close.shape, dtype=bool)
    if t < 3:
        return flags
    c = close.astype(np.int8)
    s = side.astype(np.int8)
    c3 = c[..., :-2] + c[..., 1:-1] + c[..., 2:]
    s3 = s[..., :-2] + s[..., 1:-1] + s[..., 2:]
    window = (c3 >= 2) & (np.abs(s3) == 3)
    for offset in range(3):
        flags[..., offset : t - 2 + offset] |= window
    return flags & close


@lru_cache(maxsize=4096)
def anhoej_limits(n_useful: int) -> tuple[int, int]:
    """Anhøj limits for `n_useful` points off the centre line: the longest run may be at most
    round(log2(n)) + 3 and crossings at least qbinom(0.05, n − 1, 0.5) (qicharts2
    runs.analysis(); tabulated in its vignette, Appendix 2). The binomial quantile is computed
    exactly with integers: the smallest k with P(X ≤ k) ≥ 0.05."""
    if n_useful < 1:
        raise ValueError("Anhøj limits need at least one useful point")
    longest = round(math.log2(n_useful)) + LONGEST_RUN_OFFSET
    trials = n_useful - 1
    total = 1 << trials
    quantile = Fraction(CROSSINGS_QUANTILE).limit_denominator(1000)  # exactly 1/20
    cumulative, term, k = 0, 1, 0
    while True:
        cumulative += term
        if cumulative * quantile.denominator >= quantile.numerator * total:
            return longest, k
        term = term * (trials - k) // (k + 1)
        k += 1


@dataclass(frozen=True)
class RunsArrays:
    """Anhøj runs analysis of each row, plus per-point facts used for flags and summaries."""

    n_useful: np.ndarray
    longest_run: np.ndarray
    longest_run_max: np.ndarray
    crossings: np.ndarray
    crossings_min: np.ndarray
    signal: np.ndarray
    in_long_run: np.ndarray
    run_start: np.ndarray


def analyse_runs(side: np.ndarray) -> RunsArrays:
    """Anhøj runs analysis of each row (qicharts2 runs.analysis()).

    Points on the centre line or missing are dropped first; a run is a stretch of the remaining
    points on one side; crossings = runs − 1. The signal fires when the longest run exceeds
    round(log2(n)) + 3 or the crossings fall below qbinom(0.05, n − 1, 0.5), n = useful points.
    Rows with no useful points get -1 for every count and no signal. `in_long_run` marks the
    points of every run longer than the limit; `run_start` is the index where a point's run
    begins (its first useful point).
    """
    rows, t = side.shape
    idx = np.arange(t)
    useful = side != 0
    n_useful = np.count_nonzero(useful, axis=1)
    last_useful = np.maximum.accumulate(np.where(useful, idx, -1), axis=1)
    prev_idx = np.full(side.shape, -1)
    prev_idx[:, 1:] = last_useful[:, :-1]
    prev_side = np.where(prev_idx >= 0, np.take_along_axis(side, np.maximum(prev_idx, 0), 1), 0)
    new_run = useful & (prev_side != side)
    n_runs = np.count_nonzero(new_run, axis=1)
    run_start = np.maximum.accumulate(np.where(new_run, idx, -1), axis=1)
    run_id = np.cumsum(new_run, axis=1)
    keys = (np.arange(rows)[:, None] * (t + 1) + run_id)[useful]
    lengths = np.bincount(keys, minlength=rows * (t + 1)).reshape(rows, t + 1)
    point_run_length = np.where(useful, np.take_along_axis(lengths, run_id, 1), 0)
    longest = point_run_length.max(axis=1, initial=0)
    table = _limit_table(int(n_useful.max(initial=0)))
    has = n_useful > 0
    longest_max = np.where(has, table[0][n_useful], -1)
    crossings_min = np.where(has, table[1][n_useful], -1)
    crossings = np.where(has, n_runs - 1, -1)
    signal = has & ((longest > longest_max) | (crossings < crossings_min))
    in_long = useful & (point_run_length > longest_max[:, None]) & has[:, None]
    return RunsArrays(
        n_useful=n_useful,
        longest_run=np.where(has, longest, -1),
        longest_run_max=longest_max,
        crossings=crossings,
        crossings_min=crossings_min,
        signal=signal,
        in_long_run=in_long,
        run_start=run_start,
    )


def _limit_table(n_max: int) -> tuple[np.ndarray, np.ndarray]:
    longest = np.full(n_max + 1, -1)
    crossings = np.full(n_max + 1, -1)
    for n in range(1, n_max + 1):
        longest[n], crossings[n] = anhoej_limits(n)
    return longest, crossings


def rule_names(flags: int) -> tuple[str, ...]:
    """Names of the rules set in a bit mask, in a fixed order."""
    return _RULE_NAME_TABLE[flags]


_RULE_NAME_TABLE = tuple(
    tuple(name for bit, name in RULE_NAMES.items() if flags & bit)
    for flags in range(2 * max(RULE_NAMES))
)
