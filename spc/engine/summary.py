"""Series summaries computed in the kernel: latest point, icons, recent value, change,
sustained signal and target (all as arrays, one entry per series)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from spc.engine import limits as lim
from spc.engine import rules as rl
from spc.engine.codes import COMMON, IMPROVEMENT, MISSING, NEUTRAL_HIGH, NEUTRAL_LOW
from spc.engine.rows import RowPlan

if TYPE_CHECKING:
    from spc.engine.kernel import KernelInput


def summarise(inp: KernelInput, plan: RowPlan, rate: np.ndarray, pts: dict,
              centre_rows: np.ndarray, side: np.ndarray, shift_start: np.ndarray | None,
              long_start: np.ndarray | None, count: np.ndarray, n: np.ndarray | None,
              gap_chart: bool = False) -> dict:
    """Series summaries: latest point, icons, recent value, change, sustained signal, target.

    Variation icon: the classification of the latest non-missing point (NHSRplotthedots
    ptd_get_icons() takes the last row). Assurance: the target against the process limits of
    that point (ptd_calculate_assurance_type()): above the upper limit passes when decrease is
    improvement, below the lower limit passes when increase is; otherwise hit and miss; none
    without a target, for neutral improvement or without limits (run charts).
    `inp.improvement` is the direction applied to the plotted values (inverted for t / g).
    """
    s_count, t = rate.shape
    rows = np.arange(s_count)
    valid = ~np.isnan(rate)
    has = valid.any(axis=1)
    latest = np.where(has, t - 1 - np.argmax(valid[:, ::-1], axis=1), -1)
    at = np.maximum(latest, 0)

    def pick(a):
        return a[rows, at]

    imp = inp.improvement
    code = np.where(has, pick(pts["classification"]), MISSING)
    baseline_centre = centre_rows[:s_count]
    current_centre = centre_rows[plan.row_index[rows, inp.n_phases - 1]]
    recent = recent_values(inp, rate, valid, count, n)
    with np.errstate(invalid="ignore", divide="ignore"):
        change = np.where(baseline_centre != 0,
                          (recent - baseline_centre) / np.abs(baseline_centre) * 100, np.nan)
    sustained, since, sustained_side = sustained_signals(
        np.where(has, pick(pts["flags"]), 0), pick, side, shift_start, long_start)
    target = target_values(inp, baseline_centre, gap_chart)
    assurance, target_met = assurance_codes(target, pick(pts["lower"]), pick(pts["upper"]),
                                            recent, imp, has)
    return {
        "latest": latest,
        "baseline_centre": baseline_centre,
        "current_centre": current_centre,
        "recent_value": recent,
        "percent_change": change,
        "variation_code": code,
        "assurance_code": assurance,
        "target": target,
        "target_met": target_met,
        "sustained": sustained,
        "sustained_since": since,
        "sustained_side": sustained_side,
    }


def recent_values(inp: KernelInput, rate: np.ndarray, valid: np.ndarray, count: np.ndarray,
                  n: np.ndarray | None) -> np.ndarray:
    """Pooled Σcounts / Σdenominators × multiply (rate charts) or the mean of the plotted
    values over the last `recent_n` non-missing points."""
    from_end = np.cumsum(valid[:, ::-1], axis=1)[:, ::-1]
    window = valid & (from_end <= inp.recent_n[:, None])
    if n is None:
        return lim.masked_mean(rate, window)
    with np.errstate(invalid="ignore", divide="ignore"):
        return lim.sequential_sum(count, window) / lim.sequential_sum(n, window) * inp.multiply


def sustained_signals(latest_flags, pick, side, shift_start, long_start):
    """Whether the latest point is part of an MDC shift or an Anhøj long run, where that run
    starts and on which side of the centre it lies."""
    s_count = len(latest_flags)
    sustained = np.zeros(s_count, dtype=bool)
    since = np.full(s_count, -1)
    if long_start is not None:
        hit = (latest_flags & rl.LONG_RUN) != 0
        sustained |= hit
        since = np.where(hit, pick(long_start), since)
    if shift_start is not None:
        hit = (latest_flags & rl.SHIFT) != 0
        sustained |= hit
        since = np.where(hit, pick(shift_start), since)
    return sustained, since, np.where(sustained, pick(side), 0)


def target_values(inp: KernelInput, baseline_centre: np.ndarray, gap_chart: bool) -> np.ndarray:
    """Targets in plotted units. A reduction r of the incident rate is the baseline centre ×
    (1 − r); on t / g charts (time or units between events) the same reduction lengthens the
    gaps: baseline centre / (1 − r), none for r = 1."""
    r = inp.target_reduction
    with np.errstate(invalid="ignore", divide="ignore"):
        reduced = baseline_centre / (1 - r) if gap_chart else baseline_centre * (1 - r)
    reduced = np.where(np.isfinite(reduced), reduced, np.nan)
    return np.where(np.isnan(r), inp.target_value, reduced)


def assurance_codes(target, lower, upper, recent, imp, has):
    """Assurance code (0 none, else `codes.ASSURANCE`) and target met (1, 0, -1 = n/a)."""
    with np.errstate(invalid="ignore"):
        above, below = target > upper, target < lower
        usable = has & ~np.isnan(target) & (imp != 0) & ~np.isnan(upper) & ~np.isnan(lower)
        assurance = np.where(above, np.where(imp > 0, 2, 1), np.where(below,
                             np.where(imp > 0, 1, 2), 3))
        met = np.where(imp > 0, recent >= target, recent <= target)
    assurance = np.where(usable, assurance, 0)
    target_met = np.where(~np.isnan(target) & (imp != 0) & ~np.isnan(recent), met, -1)
    return assurance, target_met.astype(np.int8)


def variation_icon(code: int, improvement: int) -> str | None:
    """Making Data Count variation icon name (NHSRplotthedots R/geom_ptd_icon.R
    ptd_get_icons(): improvement is "high" when increase is improvement, concern the other).
    `improvement` is the sign applied to the plotted values."""
    if code == MISSING:
        return None
    if code == COMMON:
        return "common_cause"
    if code == NEUTRAL_HIGH:
        return "neutral_high"
    if code == NEUTRAL_LOW:
        return "neutral_low"
    high = improvement > 0
    if code == IMPROVEMENT:
        return "improvement_high" if high else "improvement_low"
    return "concern_low" if high else "concern_high"
