"""The batch kernel: many series of one chart type as 2-D arrays, phases as rows.

Each phase of each series becomes one row laid on its series' full time axis (points of other
phases are NaN there; see spc.engine.rows), so limits and rules are computed row by row with
whole-array NumPy operations and then stitched back into (series, points) arrays. A single
series goes through exactly the same code as a batch of one, which is why batch and
per-series results are equal bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from spc.engine import limits as lim
from spc.engine import rules as rl
from spc.engine.codes import (  # noqa: F401  (re-exported names used by callers)
    ASSURANCE,
    CLASSIFICATIONS,
    COMMON,
    CONCERN,
    IMPROVEMENT,
    MISSING,
    NEUTRAL_HIGH,
    NEUTRAL_LOW,
)
from spc.engine.errors import SeriesTooShortError, TooFewEventsError
from spc.engine.options import GAP_CHARTS, RATE_CHARTS, RATIO_CHARTS
from spc.engine.rows import (
    RowPlan,
    gather_to_series,
    phase_mask,
    plan_rows,
    spread_row_values,
    spread_to_rows,
)
from spc.engine.summary import summarise, variation_icon  # noqa: F401

# Charts whose limits come from moving ranges need one baseline moving range per phase.
MR_CHARTS = frozenset({"i", "mr", "up", "pp", "t"})
SPECIAL_BITS = rl.OUTSIDE_LIMITS | rl.SHIFT | rl.TREND | rl.TWO_OF_THREE | rl.LONG_RUN
LINE_NAMES = ("lower", "upper", "lower_2sigma", "upper_2sigma", "lower_1sigma", "upper_1sigma")


@dataclass(frozen=True)
class KernelInput:
    """Stacked series of one kernel group. Shapes: (S, T) for point arrays, (S,) per series.
    `phase_id` is the phase of each point; `baseline` flags baseline points; targets are NaN
    where absent; `improvement` is the sign applied to the plotted values."""

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
    ordered series by series; series arrays (S,). Values are already multiplied.
    `row_no_limits` is the `spc.engine.codes` reason a phase has no limits (0: it has)."""

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
    row_no_limits: np.ndarray
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
class Judged:
    """Rule flags (bit mask), the side each point is on and the direction of its signal, plus
    where shifts / long runs start (None when those rules are off). Row arrays."""

    flags: np.ndarray
    side: np.ndarray
    direction: np.ndarray
    shift_start: np.ndarray | None
    long_start: np.ndarray | None
    runs: rl.RunsArrays | None


def chart_statistic(chart: str, count: np.ndarray, n: np.ndarray | None) -> np.ndarray:
    """The statistic limits are computed on: count / n for rate charts, and for run / i / mr
    charts given denominators (qicharts2 qic.agg(): `y = sum(y) / sum(n)`); the moving range
    of that for mr charts (qic.mr(): `c(NA, abs(diff(y)))`); the value itself otherwise."""
    if n is not None and (chart in RATE_CHARTS or chart in RATIO_CHARTS):
        with np.errstate(invalid="ignore", divide="ignore"):
            y = count / n
    else:
        y = count
    if chart == "mr":
        mr = np.full(y.shape, np.nan)
        mr[:, 1:] = np.abs(y[:, 1:] - y[:, :-1])
        return mr
    return y


def chart_lines(chart: str, y: np.ndarray, count: np.ndarray, n: np.ndarray | None,
                base: np.ndarray, convention: str, screen: bool) -> lim.ControlLines:
    """Dispatch to the chart's limit function (see spc.engine.limits)."""
    simple = {
        "run": lambda: lim.run_lines(y, base),
        "i": lambda: lim.xmr_lines(y, base, convention, screen),
        "mr": lambda: lim.mr_lines(y, base),
        "c": lambda: lim.c_lines(y, base),
        "t": lambda: lim.t_lines(y, base, screen),
        "g": lambda: lim.g_lines(y, base),
        "u": lambda: lim.u_lines(count, n, base),
        "p": lambda: lim.p_lines(count, n, base),
    }
    if chart in simple:
        return simple[chart]()
    return lim.laney_lines(count, n, base, "u" if chart == "up" else "p", screen)


def check_minimum(chart: str, base: np.ndarray, plan: RowPlan, labels: list[str]) -> None:
    """Each phase needs one baseline value (run, c, u, p, g) or one baseline moving range, i.e.
    two neighbouring baseline values (i, mr, up, pp, t); otherwise its limits are undefined.
    (For mr charts `base` already marks baseline moving ranges.) t and g charts count events:
    a t chart needs 3 events (2 neighbouring gaps) per phase baseline, a g chart 2 (1 gap)."""
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
    if not short.size:
        return
    r = int(short[0])
    s = int(plan.row_series[r])
    where = f"{labels[s]}phase {int(plan.row_phase[r]) + 1}"
    if chart in GAP_CHARTS:
        gaps = int(np.count_nonzero(base[r]))
        events, gap_need = (3, 2) if chart == "t" else (2, 1)
        error = TooFewEventsError(
            f"{where}: a {chart} chart needs at least {events} events ({gap_need} neighbouring "
            f"{'gaps' if gap_need > 1 else 'gap'} between them) in its baseline; it has "
            f"{gaps} gap{'' if gaps == 1 else 's'} ({gaps + 1 if gaps else 'at most 1'} "
            f"event{'' if gaps == 0 else 's'})")
    else:
        error = SeriesTooShortError(f"{where}: a {chart} chart needs at least {need}")
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


def apply_rules(y_s: np.ndarray, centre_pts: np.ndarray, lines: dict, rules: str, chart: str,
                shift_length: int, trend_length: int) -> Judged:
    """Every rule on the multiplied row arrays: outside limits always; Anhøj and / or MDC
    rules as `rules` says (none but outside limits for mr charts, as qicharts2)."""
    valid = ~np.isnan(y_s)
    side = rl.side_of_centre(y_s, centre_pts)
    outside = rl.find_points_outside_limits(y_s, lines["lower"], lines["upper"])
    flags = np.where(outside, rl.OUTSIDE_LIMITS, 0).astype(np.uint8)
    direction = np.zeros(y_s.shape, dtype=np.int8)
    up_or_down = np.where(side > 0, 1, -1).astype(np.int8)
    runs = shift_start = long_start = None
    if rules in ("anhoej", "both") and chart != "mr":
        runs = rl.analyse_runs(side)
        flags |= np.where(runs.in_long_run, rl.LONG_RUN, 0).astype(np.uint8)
        few = (runs.crossings < runs.crossings_min) & (runs.n_useful > 0)
        flags |= np.where(valid & few[:, None], rl.FEW_CROSSINGS, 0).astype(np.uint8)
        direction = np.where(runs.in_long_run, side, direction)
        long_start = runs.run_start
    if rules in ("mdc", "both") and chart != "mr":
        close = rl.find_points_close_to_limits(y_s, lines["lower_2sigma"], lines["upper_2sigma"],
                                               outside)
        shift, shift_start = rl.find_shifts(side, shift_length)
        trend, trend_direction = rl.find_trends(y_s, trend_length)
        two = rl.find_two_of_three(close, side)
        flags |= (np.where(shift, rl.SHIFT, 0) | np.where(trend, rl.TREND, 0)
                  | np.where(two, rl.TWO_OF_THREE, 0)).astype(np.uint8)
        # NHSRplotthedots ptd_special_cause_type() priority: outside > trend > 2 of 3 > shift.
        direction = np.where(shift | two, up_or_down, direction)
        direction = np.where(trend, trend_direction, direction)
    direction = np.where(outside, np.where(side == 1, 1, -1), direction).astype(np.int8)
    return Judged(flags, side, direction, shift_start, long_start, runs)


def classify(judged: Judged, improvement: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """NHSRplotthedots point types from the signal direction and the improvement sign."""
    imp = improvement[:, None]
    oriented = judged.direction * imp
    classification = np.where(
        imp == 0,
        np.where(judged.direction > 0, NEUTRAL_HIGH, NEUTRAL_LOW),
        np.where(oriented > 0, IMPROVEMENT, CONCERN),
    )
    special = (judged.flags & SPECIAL_BITS) != 0
    classification = np.where(special, classification, COMMON)
    return np.where(valid, classification, MISSING).astype(np.int8)


def plotted_statistic(chart: str, y: np.ndarray) -> np.ndarray:
    """What is plotted and judged: t charts give back y^(1/3.6)^3.6 as qicharts2 qic.t()
    does (`x$y <- x$y^3.6` after the I chart), so comparisons match it bit for bit."""
    if chart == "t":
        return (y ** (1 / lim.T_POWER)) ** lim.T_POWER
    return y


def run_kernel(inp: KernelInput, chart: str, convention: str, rules: str, screen: bool,
               shift_length: int, trend_length: int, labels: list[str] | None = None,
               check: bool = True) -> KernelOutput:
    """Compute limits, rules, classifications and summaries for every series of `inp`."""
    s_count, t = inp.values.shape
    plan = plan_rows(inp.n_phases)
    in_len = np.arange(t) < inp.lengths[:, None]
    in_phase = phase_mask(plan, inp.phase_id, in_len)
    count = spread_to_rows(inp.values, plan, in_phase, np.nan)
    n = None
    if inp.denominators is not None:
        # qicharts2 qic(): complete.cases(y, n), so a missing count drops its denominator too.
        n = np.where(np.isnan(count), np.nan, spread_to_rows(inp.denominators, plan, in_phase,
                                                              np.nan))
    y = chart_statistic(chart, count, n)
    valid = ~np.isnan(y)
    base = spread_to_rows(inp.baseline, plan, in_phase, False) & valid
    if check:
        check_minimum(chart, base, plan, labels or [""] * s_count)
    lines = chart_lines(chart, y, count, n, base, convention, screen)

    m_rows = inp.multiply[plan.row_series]
    y_s = plotted_statistic(chart, y) * m_rows[:, None]
    centre_rows = lines.centre * m_rows
    scaled = {name: getattr(lines, name) * m_rows[:, None] for name in LINE_NAMES}
    judged = apply_rules(y_s, centre_rows[:, None], scaled, rules, chart, shift_length,
                         trend_length)
    classification = classify(judged, inp.improvement[plan.row_series], valid)

    def g(a):
        return gather_to_series(a, plan, inp.phase_id)

    out_points = {name: g(scaled[name]) for name in LINE_NAMES}
    out_points.update(
        rate=g(y_s),
        centre=np.where(in_len, spread_row_values(centre_rows, plan, inp.phase_id, t), np.nan),
        flags=g(judged.flags),
        classification=g(classification),
    )
    summary = summarise(
        inp, plan, out_points["rate"], out_points, centre_rows, g(judged.side),
        None if judged.shift_start is None else g(judged.shift_start),
        None if judged.long_start is None else g(judged.long_start),
        g(count), g(n) if n is not None and chart in RATE_CHARTS else None,
        gap_chart=chart in GAP_CHARTS,
    )
    no_limits = lines.no_limits
    return KernelOutput(
        **out_points,
        row_series=plan.row_series,
        row_phase=plan.row_phase,
        row_index=plan.row_index,
        row_centre=centre_rows,
        row_mean_moving_range=lines.mean_moving_range * (m_rows if chart == "i" else 1.0),
        row_sigma_z=lines.sigma_z,
        row_baseline_points=np.count_nonzero(base, axis=1),
        row_no_limits=np.zeros(len(m_rows), np.int8) if no_limits is None else no_limits,
        row_runs=judged.runs,
        **summary,
    )
