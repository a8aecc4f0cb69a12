"""Result dataclasses (frozen) and their JSON form."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from spc.engine.codes import ASSURANCE, CLASSIFICATIONS
from spc.engine.options import ChartOptions
from spc.engine.rules import rule_names

ENGINE_VERSION = 1
POINT_FLOATS = ("value", "denominator", "rate", "centre", "lower", "upper", "lower_2sigma",
                "upper_2sigma", "lower_1sigma", "upper_1sigma")


@dataclass(frozen=True, eq=False)
class ChartPoints:
    """Per-point arrays, all of the series' length. `rate` is the plotted statistic (count /
    denominator × multiply for u/p/up/pp, value × multiply otherwise, the moving range for mr
    charts). Lines are NaN where undefined (run charts; rate charts at missing points).
    `rule_flags` is a bit mask (see spc.engine.rules); `classification` is None when missing."""

    date: np.ndarray | None
    value: np.ndarray
    denominator: np.ndarray | None
    rate: np.ndarray
    centre: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    lower_2sigma: np.ndarray
    upper_2sigma: np.ndarray
    lower_1sigma: np.ndarray
    upper_1sigma: np.ndarray
    phase: np.ndarray
    baseline: np.ndarray
    missing: np.ndarray
    rule_flags: np.ndarray
    classification: tuple[str | None, ...]

    @property
    def rules(self) -> tuple[tuple[str, ...], ...]:
        """Names of the rules that fire on each point."""
        return tuple(map(rule_names, self.rule_flags.tolist()))


@dataclass(frozen=True)
class RunsAnalysis:
    """Anhøj runs analysis of one phase (qicharts2 runs.analysis() fields)."""

    n_useful: int
    longest_run: int | None
    longest_run_max: int | None
    crossings: int | None
    crossings_min: int | None
    signal: bool


@dataclass(frozen=True)
class ControlLimits:
    """Baseline statistics of one phase: centre (× multiply), screened mean moving range
    (i charts, × multiply; Laney charts: of the z-scores), Laney sigma_z; None if n/a."""

    centre: float | None
    mean_moving_range: float | None
    sigma_z: float | None


@dataclass(frozen=True)
class Phase:
    """One phase (qicharts2 `part`, NHSRplotthedots rebase group): 0-based inclusive range."""

    index: int
    start: int
    end: int
    baseline_points: int
    limits: ControlLimits
    runs: RunsAnalysis | None


@dataclass(frozen=True)
class TargetResult:
    """The target in chart units, how it was set, and whether the recent value meets it."""

    value: float | None
    kind: str
    reduction: float | None
    deadline: str | None
    met: bool | None
    deadline_passed: bool | None


@dataclass(frozen=True)
class Summary:
    """Series-level figures. `baseline_centre` is phase 1's centre, `current_centre` the last
    phase's; `recent_value` is the pooled rate (rate charts) or mean of the last `recent_n`
    non-missing points; `sustained_*` describe a shift (MDC) or long run (Anhøj) that includes
    the latest point. `improvement_applied` is the direction of the plotted values that counts
    as improvement (the spec's `improvement` inverted on t / g charts); `explanation` is a
    sentence when the variation icon and the recent level seem to disagree, else None."""

    latest_index: int | None
    latest_date: str | None
    baseline_centre: float | None
    current_centre: float | None
    recent_n: int
    recent_value: float | None
    percent_change: float | None
    variation_icon: str | None
    assurance_icon: str | None
    sustained_signal: bool
    sustained_since_index: int | None
    sustained_since_date: str | None
    sustained_side: str | None
    target: TargetResult | None
    warnings: tuple[str, ...]
    improvement_applied: str = "increase"
    explanation: str | None = None


@dataclass(frozen=True, eq=False)
class ChartResult:
    """Everything about one chart."""

    options: ChartOptions
    points: ChartPoints
    phases: tuple[Phase, ...]
    summary: Summary

    def to_dict(self) -> dict:
        """The JSON form documented in spc/README.md (NaN becomes None)."""
        return chart_to_dict(self)


def chart_to_dict(result: ChartResult) -> dict:
    """JSON-serialisable dict of a `ChartResult` (stable keys, see spc/README.md)."""
    p = result.points
    points = {"date": _dates(p.date, len(p.value))}
    for name in POINT_FLOATS:
        points[name] = float_list(getattr(p, name))
    points["phase"] = p.phase.tolist()
    points["baseline"] = p.baseline.tolist()
    points["missing"] = p.missing.tolist()
    points["rules"] = list(map(list, p.rules))
    points["classification"] = list(p.classification)
    s = result.summary
    summary = {k: getattr(s, k) for k in Summary.__dataclass_fields__ if k != "target"}
    summary["warnings"] = list(s.warnings)
    summary["target"] = None if s.target is None else dict(s.target.__dict__)
    return {
        "engine_version": ENGINE_VERSION,
        "chart": result.options.chart,
        "options": options_to_dict(result.options),
        "n": len(p.value),
        "points": points,
        "phases": [
            {
                "index": ph.index, "start": ph.start, "end": ph.end,
                "baseline_points": ph.baseline_points,
                "centre": ph.limits.centre,
                "mean_moving_range": ph.limits.mean_moving_range,
                "sigma_z": ph.limits.sigma_z,
                "runs": None if ph.runs is None else dict(ph.runs.__dict__),
            }
            for ph in result.phases
        ],
        "summary": summary,
    }


def options_to_dict(o: ChartOptions) -> dict:
    """Options echoed back in the spec's own vocabulary."""
    freeze = list(o.freeze) if isinstance(o.freeze, tuple) else o.freeze
    target = None
    if o.target is not None:
        target = {k: v for k, v in o.target.__dict__.items() if v is not None}
    return {
        "chart": o.chart, "limits": o.limits, "rules": o.rules, "improvement": o.improvement,
        "screen_mr": o.screen_mr, "multiply": o.multiply, "freeze": freeze,
        "breaks": list(o.breaks), "target": target, "shift_length": o.shift_length,
        "trend_length": o.trend_length, "recent_n": o.recent_n,
    }


def float_list(a: np.ndarray | None) -> list | None:
    """Floats to a list with None for NaN."""
    if a is None:
        return None
    nan = np.isnan(a)
    if not nan.any():
        return a.tolist()
    obj = a.astype(object)
    obj[nan] = None
    return obj.tolist()


def _dates(dates: np.ndarray | None, n: int) -> list:
    if dates is None:
        return [None] * n
    return [str(d) for d in dates]


def optional_float(v) -> float | None:
    v = float(v)
    return None if np.isnan(v) else v


def date_or_none(dates: np.ndarray | None, index: int | None) -> str | None:
    if dates is None or index is None:
        return None
    return str(dates[index])


def classification_names(codes: np.ndarray) -> tuple[str | None, ...]:
    return tuple(map(_CLASSIFICATION_BY_CODE.__getitem__, codes.tolist()))


_CLASSIFICATION_BY_CODE = {-1: None, **CLASSIFICATIONS}


def assurance_name(code: int) -> str | None:
    return ASSURANCE.get(int(code))


def deadline_passed(deadline: str | None, latest_date: str | None) -> bool | None:
    if deadline is None or latest_date is None:
        return None
    return dt.date.fromisoformat(latest_date) >= dt.date.fromisoformat(deadline)
