"""From weekly data and chart settings to the engine's JSON spec. Pure: no database.

The engine (`spc.engine`) knows nothing of wards or programmes; this module decides which
chart a ward's measure gets, which weeks form its baseline, where its phases break and which
targets apply, and hashes exactly what the engine is given so an unchanged chart is not
recomputed.
"""

import datetime
import hashlib
import json
from dataclasses import dataclass, field

import numpy as np

from spc.engine.results import ENGINE_VERSION

RATE_MULTIPLIER = 1000  # incidents per 1,000 occupied bed days, the programme's unit
# The rule, after Making Data Count: control limits need at least 12 points;
# below that an automatic chart is a run chart (median).
MIN_CONTROL_POINTS = 12
# Making Data Count recommends 15-20 points. The pipeline passes its own default in from
# settings.MHSIP_DEFAULT_BASELINE_WEEKS (spc/selectors.py); this one serves pure callers.
DEFAULT_BASELINE_WEEKS = 20
RECENT_WEEKS = 12  # the summary's "latest 12 weeks" rate, compared with the baseline


@dataclass(frozen=True)
class WeeklySeries:
    """One chart's data on a weekly axis. NaN = missing (no return, or no count for the
    measure); never zero. `contributors` counts the wards summed into each week (aggregates)."""

    weeks: tuple[datetime.date, ...]
    counts: np.ndarray
    bed_days: np.ndarray
    contributors: np.ndarray | None = None


@dataclass(frozen=True)
class TargetLine:
    programme: str
    reduction_percent: int
    deadline: datetime.date


@dataclass(frozen=True)
class ChartConfig:
    chart_type: str = "auto"  # auto, u, c, run, i, up
    improvement: str = "decrease"
    baseline_start: datetime.date | None = None  # the chart starts here; None = joining week
    baseline_weeks: int = DEFAULT_BASELINE_WEEKS
    breaks: tuple[tuple[datetime.date, str], ...] = ()
    targets: tuple[TargetLine, ...] = ()  # the first is the one the assurance icon judges
    extra: dict = field(default_factory=dict)


def start_at(series: WeeklySeries, start: datetime.date | None) -> WeeklySeries:
    """The series from `start` (a QI lead's baseline start): earlier weeks are not charted."""
    if start is None or not series.weeks or start <= series.weeks[0]:
        return series
    keep = np.array([w >= start for w in series.weeks], dtype=bool)
    return WeeklySeries(
        tuple(w for w in series.weeks if w >= start),
        series.counts[keep],
        series.bed_days[keep],
        None if series.contributors is None else series.contributors[keep],
    )


def rate_points(series: WeeklySeries) -> np.ndarray:
    """Weeks with both a count and bed days > 0: the points a rate chart can use."""
    return ~np.isnan(series.counts) & (np.nan_to_num(series.bed_days, nan=0.0) > 0)


def choose_chart(chart_type: str, series: WeeklySeries) -> str:
    """`auto`: a u chart per 1,000 occupied bed days where bed days exist, a c chart
    otherwise; a run chart while fewer than 12 points exist."""
    has_rates = bool(rate_points(series).any())
    if chart_type == "auto":
        usable = rate_points(series) if has_rates else ~np.isnan(series.counts)
        if int(usable.sum()) < MIN_CONTROL_POINTS:
            return "run"
        return "u" if has_rates else "c"
    if chart_type in ("u", "up", "i") and not has_rates:
        return "c"  # a rate needs bed days; with none recorded, chart the counts
    return chart_type


def _none_for_nan(values: np.ndarray) -> list:
    return [None if np.isnan(v) else (int(v) if v.is_integer() else float(v)) for v in values]


RATE_UNIT = "per 1,000 OBD"
COUNT_UNIT = "a week"


def uses_rates(series: WeeklySeries, chart: str) -> bool:
    """u charts chart rates; run and XmR charts chart the weekly rate where bed days exist."""
    return chart in ("u", "up") or (chart in ("run", "i") and bool(rate_points(series).any()))


def chart_unit(series: WeeklySeries, chart: str) -> str:
    """What the plotted value is: a rate per 1,000 occupied bed days, or a weekly count."""
    return RATE_UNIT if uses_rates(series, chart) else COUNT_UNIT


def engine_spec(series: WeeklySeries, config: ChartConfig) -> dict:
    """The JSON spec the engine charts (spc/README.md)."""
    chart = choose_chart(config.chart_type, series)
    weeks = series.weeks
    spec = {
        "dates": [w.isoformat() for w in weeks],
        "chart": chart,
        "improvement": config.improvement,
        "rules": "mdc",
        "limits": "mdc",
        "recent_n": RECENT_WEEKS,
    }
    if uses_rates(series, chart):
        usable = rate_points(series)
        counts = np.where(usable, series.counts, np.nan)
        bed_days = np.where(usable, series.bed_days, np.nan)
        if chart in ("run", "i"):
            # XmR and run charts take the weekly rate itself as the value.
            spec["values"] = _none_for_nan(counts / bed_days * RATE_MULTIPLIER)
        else:
            spec["values"] = _none_for_nan(counts)
            spec["denominators"] = _none_for_nan(bed_days)
            spec["multiply"] = RATE_MULTIPLIER
    else:
        spec["values"] = _none_for_nan(series.counts)

    if config.baseline_weeks < len(weeks):
        # The first N points of each phase (NHSRplotthedots fix_after_n_points, per rebase
        # group): after a rebase the new phase gets its own baseline.
        spec["freeze"] = config.baseline_weeks
    breaks = [d.isoformat() for d, _ in config.breaks if weeks and weeks[0] < d <= weeks[-1]]
    if breaks:
        spec["breaks"] = breaks
    if config.targets:
        primary = config.targets[0]
        spec["target"] = {
            "reduction": primary.reduction_percent / 100,
            "deadline": primary.deadline.isoformat(),
        }
    return spec


def spec_hash(spec: dict, extra: dict | None = None) -> str:
    """Same inputs, settings and engine version: same hash, so the chart need not recompute."""
    blob = json.dumps(
        {"engine": ENGINE_VERSION, "spec": spec, "extra": extra or {}},
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(blob.encode()).hexdigest()


def target_lines(config: ChartConfig, baseline_centre: float | None) -> list[dict]:
    """Every programme target as a line: the baseline centre reduced by its percentage."""
    return [
        {
            "programme": t.programme,
            "reduction_percent": t.reduction_percent,
            "deadline": t.deadline.isoformat(),
            "value": None
            if baseline_centre is None
            else baseline_centre * (1 - t.reduction_percent / 100),
        }
        for t in config.targets
    ]
