"""One series of a batch as a `ChartResult`: points, phases, warnings and the summary,
including the plain-English explanation when the variation icon and the recent level seem to
disagree."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from spc.engine.codes import ALL_EVENTS, NO_EVENTS, NO_GAPS, NO_VARIATION
from spc.engine.constants import SHORT_PHASE_WARNING
from spc.engine.kernel import KernelOutput
from spc.engine.options import GAP_CHARTS, SIGN_NAMES, ChartOptions
from spc.engine.results import (
    ChartPoints,
    ChartResult,
    ControlLimits,
    Phase,
    RunsAnalysis,
    Summary,
    TargetResult,
    assurance_name,
    classification_names,
    date_or_none,
    deadline_passed,
    optional_float,
)
from spc.engine.rules import rule_names
from spc.engine.summary import variation_icon

if TYPE_CHECKING:
    from spc.engine.api import BatchResult

# NHSRplotthedots ptd_validate_spc_options(): fix_after_n_points must be >= 12.
MDC_MIN_BASELINE = 12

NO_LIMITS_WARNINGS = {
    NO_VARIATION: "phase {k} baseline has no variation (every moving range is 0): no control "
                  "limits and no limit-based rules (as qicharts2 and NHSRplotthedots)",
    NO_EVENTS: "phase {k} baseline has no events (centre 0): no control limits, because "
               "zero-width limits would call every later event special cause",
    ALL_EVENTS: "phase {k} baseline counts every unit (centre 1): no control limits, because "
                "zero-width limits would call every later point special cause",
    NO_GAPS: "phase {k} baseline gaps between events are all 0: no control limits, because "
             "zero-width limits would call every later gap special cause",
}
RULE_WORDS = {
    "outside_limits": "a point outside the control limits",
    "trend": "a run of steadily rising or falling points",
    "two_of_three": "two of three points close to a limit",
    "shift": "a run of points on one side of the centre line",
    "long_run": "an unusually long run on one side of the centre line",
}


def build_chart_result(batch: BatchResult, i: int) -> ChartResult:
    """Slice series `i` out of a batch into a `ChartResult`."""
    a = batch.chunks[i // batch.chunk_size]
    j = i % batch.chunk_size
    n = int(batch.lengths[i])
    options = batch.options[i]
    starts = batch.phase_starts[i]
    points = _points(batch, a, i, j, n)
    phases, warnings = _phases(a, j, starts, n, options.chart)
    summary = _summary(a, j, options, batch.dates[i], points, warnings)
    return ChartResult(options, points, tuple(phases), summary)


def _points(batch: BatchResult, a: KernelOutput, i: int, j: int, n: int) -> ChartPoints:
    sl = (j, slice(0, n))
    own = (i, slice(0, n))
    starts = batch.phase_starts[i]
    no_den = batch.denominators is None or (
        batch.has_denominators is not None and not batch.has_denominators[i])
    return ChartPoints(
        date=batch.dates[i],
        value=batch.values[own],
        denominator=None if no_den else batch.denominators[own],
        rate=a.rate[sl],
        centre=a.centre[sl],
        lower=a.lower[sl],
        upper=a.upper[sl],
        lower_2sigma=a.lower_2sigma[sl],
        upper_2sigma=a.upper_2sigma[sl],
        lower_1sigma=a.lower_1sigma[sl],
        upper_1sigma=a.upper_1sigma[sl],
        phase=np.searchsorted(np.asarray(starts[1:], dtype=int), np.arange(n), side="right"),
        baseline=batch.baseline[own],
        missing=np.isnan(a.rate[sl]),
        rule_flags=a.flags[sl],
        classification=classification_names(a.classification[sl]),
    )


def _runs(a: KernelOutput, r: int) -> RunsAnalysis | None:
    if a.row_runs is None:
        return None
    rr = a.row_runs
    has = int(rr.n_useful[r]) > 0
    return RunsAnalysis(
        n_useful=int(rr.n_useful[r]),
        longest_run=int(rr.longest_run[r]) if has else None,
        longest_run_max=int(rr.longest_run_max[r]) if has else None,
        crossings=int(rr.crossings[r]) if has else None,
        crossings_min=int(rr.crossings_min[r]) if has else None,
        signal=bool(rr.signal[r]),
    )


def _phases(a: KernelOutput, j: int, starts: tuple[int, ...], n: int,
            chart: str) -> tuple[list[Phase], list[str]]:
    ends = [*starts[1:], n]
    phases, warnings = [], []
    unit = "points (gaps between events)" if chart in GAP_CHARTS else "points"
    for k, start in enumerate(starts):
        r = int(a.row_index[j, k])
        baseline_points = int(a.row_baseline_points[r])
        phases.append(Phase(
            index=k, start=start, end=ends[k] - 1, baseline_points=baseline_points,
            limits=ControlLimits(optional_float(a.row_centre[r]),
                                 optional_float(a.row_mean_moving_range[r]),
                                 optional_float(a.row_sigma_z[r])),
            runs=_runs(a, r),
        ))
        size = ends[k] - start
        if size < SHORT_PHASE_WARNING:
            warnings.append(f"phase {k + 1} has {size} {unit}: fewer than "
                            f"{SHORT_PHASE_WARNING} gives trial limits (NHSRplotthedots)")
        if baseline_points < MDC_MIN_BASELINE:
            warnings.append(f"phase {k + 1} baseline has {baseline_points} points: Making Data "
                            f"Count asks for at least {MDC_MIN_BASELINE}")
        code = int(a.row_no_limits[r])
        if code in NO_LIMITS_WARNINGS:
            warnings.append(NO_LIMITS_WARNINGS[code].format(k=k + 1))
    return phases, warnings


def _target(a: KernelOutput, j: int, options: ChartOptions,
            latest_date: str | None) -> TargetResult | None:
    if options.target is None:
        return None
    met = int(a.target_met[j])
    return TargetResult(
        value=optional_float(a.target[j]),
        kind=options.target.kind,
        reduction=options.target.reduction,
        deadline=options.target.deadline,
        met=None if met < 0 else bool(met),
        deadline_passed=deadline_passed(options.target.deadline, latest_date),
    )


def _summary(a: KernelOutput, j: int, options: ChartOptions, dates, points: ChartPoints,
             warnings: list[str]) -> Summary:
    latest = int(a.latest[j])
    latest = None if latest < 0 else latest
    latest_date = date_or_none(dates, latest)
    since = int(a.sustained_since[j]) if a.sustained[j] else None
    side = int(a.sustained_side[j])
    sign = options.improvement_sign
    icon = variation_icon(int(a.variation_code[j]), sign)
    recent = optional_float(a.recent_value[j])
    baseline_centre = optional_float(a.baseline_centre[j])
    return Summary(
        latest_index=latest,
        latest_date=latest_date,
        baseline_centre=baseline_centre,
        current_centre=optional_float(a.current_centre[j]),
        recent_n=options.recent_n,
        recent_value=recent,
        percent_change=optional_float(a.percent_change[j]),
        variation_icon=icon,
        assurance_icon=assurance_name(int(a.assurance_code[j])),
        sustained_signal=bool(a.sustained[j]),
        sustained_since_index=since,
        sustained_since_date=date_or_none(dates, since),
        sustained_side={1: "above", -1: "below"}.get(side) if a.sustained[j] else None,
        target=_target(a, j, options, latest_date),
        warnings=tuple(warnings),
        improvement_applied=SIGN_NAMES[sign],
        explanation=explain_icon(icon, points, latest, options, recent, baseline_centre),
    )


def explain_icon(icon: str | None, points: ChartPoints, latest: int | None,
                 options: ChartOptions, recent: float | None,
                 baseline_centre: float | None) -> str | None:
    """A sentence when the variation icon says improvement while the recent level is worse
    than the baseline (or concern while it is better), e.g. a falling trend that starts far
    above the baseline. The classification itself never changes.

    Recent level: `summary.recent_value`. Baseline: phase 1's centre; on t / g charts the
    mean gap of phase 1's baseline (the g centre is a median and the t centre a transformed
    mean, neither comparable with a mean of recent gaps)."""
    sign = options.improvement_sign
    if icon is None or latest is None or recent is None or sign == 0:
        return None
    kind = icon.split("_")[0]
    if kind not in ("improvement", "concern"):
        return None
    gaps = options.chart in GAP_CHARTS
    baseline = _baseline_mean_gap(points) if gaps else baseline_centre
    if baseline is None or recent == baseline:
        return None
    better = (recent - baseline) * sign > 0
    if better == (kind == "improvement"):
        return None
    fired = set(rule_names(int(points.rule_flags[latest])))
    # the rule that set the point's direction (NHSRplotthedots ptd_special_cause_type order)
    why = next((words for name, words in RULE_WORDS.items() if name in fired),
               "a special-cause pattern")
    if gaps:
        level = (f"the recent gaps between incidents (mean {recent:.3g}) are "
                 f"{'longer' if recent > baseline else 'shorter'} than the baseline's "
                 f"(mean {baseline:.3g})")
    else:
        level = (f"the recent level ({recent:.3g}) is still {'better' if better else 'worse'} "
                 f"than the baseline ({baseline:.3g})")
    direction = "improving from a worse" if kind == "improvement" else "worsening from a better"
    return (f"The latest point shows special-cause {kind} ({why}), but {level}: the process "
            f"is {direction} level, not yet {'better' if kind == 'improvement' else 'worse'} "
            "than the baseline.")


def _baseline_mean_gap(points: ChartPoints) -> float | None:
    chosen = points.baseline & (points.phase == 0) & ~np.isnan(points.rate)
    if not chosen.any():
        return None
    return float(np.mean(points.rate[chosen]))
