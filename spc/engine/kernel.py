"""The batch kernel: many series of one chart type as 2-D arrays, phases as rows.

Each phase of each series becomes one row laid on its series' full time axis (points of other
phases are NaN there), so limits and rules are computed row by row with whole-array NumPy
operations and then stitched back into (series, points) arrays. A single series goes through
exactly the same code as a batch of one, which is why batch and per-series results are equal
bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from spc.engine import limits as lim
from spc.engine import rules as rl
from spc.engine.errors import SeriesTooShortError
from spc.engine.options import RATE_CHARTS

# Classification codes of points (NHSRplotthedots ptd_point_type() values).
MISSING, COMMON, IMPROVEMENT, CONCERN, NEUTRAL_HIGH, NEUTRAL_LOW = -1, 0, 1, 2, 3, 4
CLASSIFICATIONS = {
    COMMON: "common_cause",
    IMPROVEMENT: "special_cause_improvement",
    CONCERN: "special_cause_concern",
    NEUTRAL_HIGH: "special_cause_neutral_high",
    NEUTRAL_LOW: "special_cause_neutral_low",
}
# Assurance codes (NHSRplotthedots ptd_calculate_assurance_type(); "inconsistent" there).
ASSURANCE = {1: "consistent_pass", 2: "consistent_fail", 3: "hit_and_miss"}
# Charts whose limits come from moving ranges need one baseline moving range per phase.
MR_CHARTS = frozenset({"i", "mr", "up", "pp"})
SPECIAL_BITS = rl.OUTSIDE_LIMITS | rl.SHIFT | rl.TREND | rl.TWO_OF_THREE | rl.LONG_RUN


@dataclass(frozen=True)
class KernelInput:
    """Stacked series of one kernel group. Shapes: (S, T) for point arrays, (S,) per series.
    `phase_id` is the phase of each point; `baseline` flags baseline points; targets are NaN
    where absent."""

    values: np.ndarray
    denominators: np.ndarray | None
    lengths: np.ndarray
    phase_id: np.ndarray
    n_phases: np.ndarray
    baseline: np.ndarray
    multiply: np.ndarray
    improvement: np.ndarray
    recent_n: np.ndarray
    target_value: np.ndarray
    target_reduction: np.ndarray


@dataclass(frozen=True)
class KernelOutput:
    """Everything computed, as arrays. Point arrays (S, T); phase arrays (R,) with R rows
    ordered series by series; series arrays (S,). Values are already multiplied."""

    rate: np.ndarray
    centre: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    lower_2sigma: np.ndarray
    upper_2sigma: np.ndarray
    lower_1sigma: np.ndarray
    upper_1sigma: np.ndarray
    flags: np.ndarray
    classification: np.ndarray
    row_series: np.ndarray
    row_phase: np.ndarray
    row_index: np.ndarray
    row_centre: np.ndarray
    row_mean_moving_range: np.ndarray
    row_sigma_z: np.ndarray
    row_baseline_points: np.ndarray
    row_runs: rl.RunsArrays | None
    latest: np.ndarray
    baseline_centre: np.ndarray
    current_centre: np.ndarray
    recent_value: np.ndarray
    percent_change: np.ndarray
    variation_code: np.ndarray
    assurance_code: np.ndarray
    target: np.ndarray
    target_met: np.ndarray
    sustained: np.ndarray
    sustained_since: np.ndarray
    sustained_side: np.ndarray


@dataclass(frozen=True)
class RowPlan:
    """How phases map to rows. Rows are phase-major: rows 0..S-1 are every series' first
    phase (so gathering back is a view plus patches), then the second phases, and so on.
    `row_index[s, k]` is the row of series s's phase k (-1 if it has fewer phases)."""

    row_series: np.ndarray
    row_phase: np.ndarray
    row_index: np.ndarray
    n_phases: np.ndarray
    identity: bool


def plan_rows(n_phases: np.ndarray) -> RowPlan:
    """One row per (series, phase), phase-major."""
    s_count = len(n_phases)
    most = int(n_phases.max())
    series = [np.nonzero(n_phases > k)[0] for k in range(most)]
    row_series = np.concatenate(series)
    row_phase = np.concatenate([np.full(len(m), k) for k, m in enumerate(series)])
    row_index = np.full((s_count, most), -1)
    row_index[row_series, row_phase] = np.arange(len(row_series))
    return RowPlan(row_series, row_phase, row_index, n_phases, most == 1)


def spread_to_rows(a: np.ndarray, plan: RowPlan, in_phase: np.ndarray, fill) -> np.ndarray:
    """Series arrays (S, T) to row arrays (R, T), blanking points of other phases."""
    if plan.identity:
        return np.where(in_phase, a, fill)
    return np.where(in_phase, a[plan.row_series], fill)


def gather_to_series(a: np.ndarray, plan: RowPlan, phase_id: np.ndarray) -> np.ndarray:
    """Row arrays (R, T) back to series arrays (S, T): each point from its phase's row.
    Reuses (and overwrites) the first S rows of `a`."""
    if plan.identity:
        return a
    s_count = len(plan.n_phases)
    out = a[:s_count] if a.flags.writeable else a[:s_count].copy()
    for k in range(1, plan.row_index.shape[1]):
        series = np.nonzero(plan.n_phases > k)[0]
        rows = plan.row_index[series, k]
        out[series] = np.where(phase_id[series] == k, a[rows], out[series])
    return out


def spread_row_values(values: np.ndarray, plan: RowPlan, phase_id: np.ndarray,
                      t: int) -> np.ndarray:
    """A per-row scalar (R,) as a per-point array (S, T) following each point's phase."""
    s_count = len(plan.n_phases)
    out = np.repeat(values[:s_count, None], t, axis=1)
    for k in range(1, plan.row_index.shape[1]):
        series = np.nonzero(plan.n_phases > k)[0]
        rows = plan.row_index[series, k]
        out[series] = np.where(phase_id[series] == k, values[rows][:, None], out[series])
    return out


def chart_lines(chart: str, y: np.ndarray, count: np.ndarray, n: np.ndarray | None,
                base: np.ndarray, convention: str, screen: bool) -> lim.ControlLines:
    """Dispatch to the chart's limit function (see spc.engine.limits)."""
    if chart == "run":
        return lim.run_lines(y, base)
    if chart == "i":
        return lim.xmr_lines(y, base, convention, screen)
    if chart == "mr":
        return lim.mr_lines(y, base)
    if chart == "c":
        return lim.c_lines(y, base)
    if chart == "u":
        return lim.u_lines(count, n, base)
    if chart == "p":
        return lim.p_lines(count, n, base)
    return lim.laney_lines(count, n, base, "u" if chart == "up" else "p", screen)


def check_minimum(chart: str, base: np.ndarray, plan: RowPlan, labels: list[str]) -> None:
    """Each phase needs one baseline value (run, c, u, p) or one baseline moving range, i.e.
    two neighbouring baseline values (i, mr, up, pp); otherwise its limits are undefined.
    (For mr charts `base` already marks baseline moving ranges.)"""
    if chart == "mr":
        have = np.count_nonzero(base, axis=1)
        need = "two neighbouring non-missing baseline points (one moving range)"
    elif chart in MR_CHARTS:
        have = np.count_nonzero(base[:, 1:] & base[:, :-1], axis=1)
        need = "two neighbouring non-missing baseline points (one moving range)"
    else:
        have = np.count_nonzero(base, axis=1)
        need = "one non-missing baseline point"
    short = np.nonzero(have < 1)[0]
    if short.size:
        r = int(short[0])
        s = int(plan.row_series[r])
        error = SeriesTooShortError(
            f"{labels[s]}phase {int(plan.row_phase[r]) + 1}: a {chart} chart needs at least {need}"
        )
        error.series_index = s
        raise error


# Series per kernel call: ~1,000 rows of 160 points keep the temporaries in cache, which
# measured ~1.4x faster than one call over 15,000 series (see BENCHMARKS.md).
CHUNK_SERIES = 1024


def slice_input(inp: KernelInput, start: int, stop: int) -> KernelInput:
    """Series start..stop of a kernel input."""
    return KernelInput(**{
        name: None if value is None else value[start:stop]
        for name, value in inp.__dict__.items()
    })


def run_kernel_chunked(inp: KernelInput, args: tuple, labels: list[str],
                       chunk: int = CHUNK_SERIES) -> tuple[KernelOutput, ...]:
    """`run_kernel` over consecutive blocks of `chunk` series (rows are independent, so the
    results are the same as one call)."""
    outputs = []
    for start in range(0, len(inp.lengths), chunk):
        stop = start + chunk
        try:
            outputs.append(run_kernel(slice_input(inp, start, stop), *args,
                                      labels=labels[start:stop]))
        except SeriesTooShortError as exc:
            exc.series_index += start
            raise
    return tuple(outputs)


def run_kernel(inp: KernelInput, chart: str, convention: str, rules: str, screen: bool,
               shift_length: int, trend_length: int, labels: list[str] | None = None,
               check: bool = True) -> KernelOutput:
    """Compute limits, rules, classifications and summaries for every series of `inp`."""
    s_count, t = inp.values.shape
    idx = np.arange(t)
    plan = plan_rows(inp.n_phases)
    in_len = idx < inp.lengths[:, None]
    if plan.identity:
        in_phase = in_len
    else:
        in_phase = (inp.phase_id[plan.row_series] == plan.row_phase[:, None]) & in_len[
            plan.row_series]
    count = spread_to_rows(inp.values, plan, in_phase, np.nan)
    base_rows = spread_to_rows(inp.baseline, plan, in_phase, False)
    n = None
    if chart in RATE_CHARTS:
        # qicharts2 qic(): complete.cases(y, n), so a missing count drops its denominator too.
        n = np.where(np.isnan(count), np.nan, spread_to_rows(inp.denominators, plan, in_phase,
                                                              np.nan))
        with np.errstate(invalid="ignore", divide="ignore"):
            y = count / n
    elif chart == "mr":
        y = np.full(count.shape, np.nan)
        y[:, 1:] = np.abs(count[:, 1:] - count[:, :-1])
    else:
        y = count
    valid = ~np.isnan(y)
    base = base_rows & valid
    if check:
        check_minimum(chart, base, plan, labels or [""] * s_count)
    lines = chart_lines(chart, y, count, n, base, convention, screen)

    m_rows = inp.multiply[plan.row_series]
    m = m_rows[:, None]
    y_s = y * m
    centre_rows = lines.centre * m_rows
    centre_pts = centre_rows[:, None]
    scaled = [line * m for line in (lines.lower, lines.upper, lines.lower_2sigma,
                                    lines.upper_2sigma, lines.lower_1sigma, lines.upper_1sigma)]
    lower, upper, lower2, upper2 = scaled[:4]

    side = rl.side_of_centre(y_s, centre_pts)
    outside = rl.find_points_outside_limits(y_s, lower, upper)
    flags = np.where(outside, rl.OUTSIDE_LIMITS, 0).astype(np.uint8)
    direction = np.zeros(y.shape, dtype=np.int8)
    up_or_down = np.where(side > 0, 1, -1).astype(np.int8)
    use_mdc = rules in ("mdc", "both") and chart != "mr"
    use_anhoej = rules in ("anhoej", "both") and chart != "mr"
    runs = None
    shift_start = long_start = None
    if use_anhoej:
        runs = rl.analyse_runs(side)
        flags |= np.where(runs.in_long_run, rl.LONG_RUN, 0).astype(np.uint8)
        few = (runs.crossings < runs.crossings_min) & (runs.n_useful > 0)
        flags |= np.where(valid & few[:, None], rl.FEW_CROSSINGS, 0).astype(np.uint8)
        direction = np.where(runs.in_long_run, side, direction)
        long_start = runs.run_start
    if use_mdc:
        close = rl.find_points_close_to_limits(y_s, lower2, upper2, outside)
        shift, shift_start = rl.find_shifts(side, shift_length)
        trend, trend_direction = rl.find_trends(y_s, trend_length)
        two = rl.find_two_of_three(close, side)
        flags |= (np.where(shift, rl.SHIFT, 0) | np.where(trend, rl.TREND, 0)
                  | np.where(two, rl.TWO_OF_THREE, 0)).astype(np.uint8)
        # NHSRplotthedots ptd_special_cause_type() priority: outside > trend > 2 of 3 > shift.
        direction = np.where(shift | two, up_or_down, direction)
        direction = np.where(trend, trend_direction, direction)
    direction = np.where(outside, np.where(side == 1, 1, -1), direction).astype(np.int8)
    special = (flags & SPECIAL_BITS) != 0
    imp = inp.improvement[plan.row_series][:, None]
    oriented = direction * imp
    classification = np.where(
        imp == 0,
        np.where(direction > 0, NEUTRAL_HIGH, NEUTRAL_LOW),
        np.where(oriented > 0, IMPROVEMENT, CONCERN),
    )
    classification = np.where(special, classification, COMMON)
    classification = np.where(valid, classification, MISSING).astype(np.int8)

    def g(a):
        return gather_to_series(a, plan, inp.phase_id)

    rate = g(y_s)
    flags_s = g(flags)
    out_points = {
        "rate": rate,
        "centre": np.where(in_len, spread_row_values(centre_rows, plan, inp.phase_id, t), np.nan),
        "lower": g(scaled[0]),
        "upper": g(scaled[1]),
        "lower_2sigma": g(scaled[2]),
        "upper_2sigma": g(scaled[3]),
        "lower_1sigma": g(scaled[4]),
        "upper_1sigma": g(scaled[5]),
        "flags": flags_s,
        "classification": g(classification),
    }
    summary = summarise(
        inp, plan, rate, out_points, centre_rows, g(side),
        g(shift_start) if shift_start is not None else None,
        g(long_start) if long_start is not None else None,
        g(count), g(n) if n is not None else None, chart,
    )
    return KernelOutput(
        **out_points,
        row_series=plan.row_series,
        row_phase=plan.row_phase,
        row_index=plan.row_index,
        row_centre=centre_rows,
        row_mean_moving_range=lines.mean_moving_range * (m_rows if chart == "i" else 1.0),
        row_sigma_z=lines.sigma_z,
        row_baseline_points=np.count_nonzero(base, axis=1),
        row_runs=runs,
        **summary,
    )


def summarise(inp: KernelInput, plan: RowPlan, rate: np.ndarray, pts: dict,
              centre_rows: np.ndarray, side: np.ndarray, shift_start: np.ndarray | None,
              long_start: np.ndarray | None, count: np.ndarray, n: np.ndarray | None,
              chart: str) -> dict:
    """Series summaries: latest point, icons, recent value, change, sustained signal, target.

    Variation icon: the classification of the latest non-missing point (NHSRplotthedots
    ptd_get_icons() takes the last row). Assurance: the target against the process limits of
    that point (ptd_calculate_assurance_type()): above the upper limit passes when decrease is
    improvement, below the lower limit passes when increase is; otherwise hit and miss; none
    without a target, for neutral improvement or without limits (run charts).
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

    from_end = np.cumsum(valid[:, ::-1], axis=1)[:, ::-1]
    window = valid & (from_end <= inp.recent_n[:, None])
    if n is not None:
        with np.errstate(invalid="ignore", divide="ignore"):
            recent = (lim.sequential_sum(count, window) / lim.sequential_sum(n, window)
                      * inp.multiply)
    else:
        recent = lim.masked_mean(rate, window)
    with np.errstate(invalid="ignore", divide="ignore"):
        change = np.where(baseline_centre != 0,
                          (recent - baseline_centre) / np.abs(baseline_centre) * 100, np.nan)

    latest_flags = np.where(has, pick(pts["flags"]), 0)
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
    sustained_side = np.where(sustained, pick(side), 0)

    target = np.where(np.isnan(inp.target_reduction), inp.target_value,
                      baseline_centre * (1 - inp.target_reduction))
    lower, upper = pick(pts["lower"]), pick(pts["upper"])
    with np.errstate(invalid="ignore"):
        above, below = target > upper, target < lower
        usable = has & ~np.isnan(target) & (imp != 0) & ~np.isnan(upper) & ~np.isnan(lower)
        assurance = np.where(above, np.where(imp > 0, 2, 1), np.where(below,
                             np.where(imp > 0, 1, 2), 3))
        met = np.where(imp > 0, recent >= target, recent <= target)
    assurance = np.where(usable, assurance, 0)
    target_met = np.where(~np.isnan(target) & (imp != 0) & ~np.isnan(recent), met, -1)
    return {
        "latest": latest,
        "baseline_centre": baseline_centre,
        "current_centre": current_centre,
        "recent_value": recent,
        "percent_change": change,
        "variation_code": code,
        "assurance_code": assurance,
        "target": target,
        "target_met": target_met.astype(np.int8),
        "sustained": sustained,
        "sustained_since": since,
        "sustained_side": sustained_side,
    }


def variation_icon(code: int, improvement: int) -> str | None:
    """Making Data Count variation icon name (NHSRplotthedots R/geom_ptd_icon.R
    ptd_get_icons(): improvement is "high" when increase is improvement, concern the other)."""
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
