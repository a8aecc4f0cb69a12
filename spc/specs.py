"""From weekly data and chart settings to the engine's weekly ("auto") specs. Pure: no
database.

The engine (`spc.engine`) knows nothing of wards or programmes, and it chooses the chart and
period for rare events itself (spc.engine.choice); this module says which weeks form the
baseline, where phases break, which targets apply, what a QI lead has overridden, and which
views a page can switch between (the chosen chart, and the weekly, 4-weekly and monthly
views). It hashes exactly what the engine is given so an unchanged chart is not recomputed.
"""

import datetime
import hashlib
import json
from dataclasses import dataclass, field, replace

import numpy as np

from measures import targets
from spc.engine.results import ENGINE_VERSION

RATE_MULTIPLIER = 1000  # incidents per 1,000 occupied bed days, the programme's unit
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
    # The incidents' days (datetime64[D]) when every week with incidents has all of them
    # dated; None otherwise, and `undated_weeks` says how many weeks lack dates.
    events: np.ndarray | None = None
    undated_weeks: int = 0
    # Aggregates: the wards enrolled (and open) each week, and the weeks the enrolled mix
    # changed by more than the setting's share (spc.coverage.mix_changes).
    enrolled: np.ndarray | None = None
    mix_changes: tuple = ()


@dataclass(frozen=True)
class TargetLine:
    """One programme's target on a chart (measures.models.ProgrammeTarget): reduce or
    increase by `percent` of the baseline, a fixed `value`, or a trajectory of `steps`
    ((date, value): from each date its value), due by `deadline`."""

    programme: str
    percent: int | None
    deadline: datetime.date
    kind: str = targets.REDUCE
    value: float | None = None
    steps: tuple[tuple[datetime.date, float], ...] = ()

    def engine_target(self, latest: datetime.date | None) -> dict | None:
        """The engine's target (spc.engine TargetSpec) for a chart whose latest week is
        `latest`: a relative change of the baseline, or the value due then (a trajectory's
        step in force; none before its first step)."""
        deadline = {"deadline": self.deadline.isoformat()}
        if self.kind == targets.REDUCE:
            return {"reduction": self.percent / 100, **deadline}
        if self.kind == targets.RAISE:
            return {"reduction": -self.percent / 100, **deadline}
        value = self.value if self.kind == targets.VALUE else None
        if self.kind == targets.TRAJECTORY and latest is not None:
            value = targets.step_value_on(self.steps, latest)
        return None if value is None else {"value": float(value), **deadline}

    def value_on(self, day: datetime.date, baseline_centre: float | None, gaps: bool = False):
        """What the target asks for on `day`, in the chart's unit; None where nothing is due
        or it cannot be drawn (a rate's value on a chart of gaps between incidents)."""
        if self.kind in (targets.REDUCE, targets.RAISE):
            if baseline_centre is None:
                return None
            r = self.percent / 100 * (1 if self.kind == targets.REDUCE else -1)
            # Fewer incidents lengthen the gaps between them: centre / (1 - r) (the engine's).
            if gaps:
                return baseline_centre / (1 - r) if r < 1 else None
            return baseline_centre * (1 - r)
        if gaps:
            return None
        if self.kind == targets.VALUE:
            return self.value
        return targets.step_value_on(self.steps, day)


@dataclass(frozen=True)
class ChartConfig:
    chart_type: str = "auto"  # auto, or a QI lead's override: u, c, run, i, up, g, t
    period: str = "auto"  # auto, or an override: week, 4week, month
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
    events = series.events
    if events is not None:
        events = events[events >= np.datetime64(start)]
    return replace(
        series,
        weeks=tuple(w for w in series.weeks if w >= start),
        counts=series.counts[keep],
        bed_days=series.bed_days[keep],
        contributors=None if series.contributors is None else series.contributors[keep],
        enrolled=None if series.enrolled is None else series.enrolled[keep],
        mix_changes=tuple(m for m in series.mix_changes if m["date"] >= start.isoformat()),
        events=events,
    )


def has_bed_days(series: WeeklySeries) -> bool:
    return bool((np.nan_to_num(series.bed_days, nan=0.0) > 0).any())


def _none_for_nan(values: np.ndarray) -> list:
    return [None if v != v else int(v) if float(v).is_integer() else float(v) for v in values]


RATE_UNIT = "per 1,000 OBD"
COUNT_UNIT = "a week"
# The views a page switches between: the chart the engine (or the QI lead) chose, then the
# same data by week, 4 weeks and calendar month.
DEFAULT_VIEW = "chosen"
PERIOD_VIEWS = ("week", "4week", "month")
# Charts that can be drawn per period (a QI lead's override carries into the period views);
# t and g charts are per incident, so their period views are the automatic ones.
PERIOD_CHARTS = ("u", "c", "run", "i", "up")


def _base_spec(series: WeeklySeries, config: ChartConfig) -> dict:
    """What every view of one chart shares: the weekly data, baseline, phases, target."""
    weeks = series.weeks
    rates = has_bed_days(series)
    spec = {
        "dates": [w.isoformat() for w in weeks],
        "values": _none_for_nan(series.counts),
        "improvement": config.improvement,
        "rules": "mdc",
        "limits": "mdc",
        "recent_n": RECENT_WEEKS,
        # Per 1,000 occupied bed days where bed days exist; else incidents per week.
        "multiply": RATE_MULTIPLIER if rates else 1,
    }
    if rates:
        spec["denominators"] = _none_for_nan(series.bed_days)
    if config.baseline_weeks < len(weeks):
        # The first N weeks of each phase (NHSRplotthedots fix_after_n_points, per rebase
        # group): after a rebase the new phase gets its own baseline.
        spec["freeze"] = config.baseline_weeks
    breaks = [d.isoformat() for d, _ in config.breaks if weeks and weeks[0] < d <= weeks[-1]]
    if breaks:
        spec["breaks"] = breaks
    target = config.targets[0].engine_target(weeks[-1] if weeks else None) if config.targets \
        else None  # fmt: skip
    if target:
        spec["target"] = target
    if series.events is not None:
        spec["events"] = [str(d) for d in series.events]
    return spec


def view_specs(series: WeeklySeries, config: ChartConfig) -> dict[str, dict]:
    """view name -> engine spec: the chosen chart (the engine's automatic choice, or the QI
    lead's chart and period) and the weekly, 4-weekly and monthly views of the same data."""
    base = _base_spec(series, config)
    views = {DEFAULT_VIEW: {**base, "chart": config.chart_type, "period": config.period}}
    carried = config.chart_type if config.chart_type in PERIOD_CHARTS else "auto"
    for period in PERIOD_VIEWS:
        views[period] = {**base, "chart": carried, "period": period}
    return views


def spec_hash(specs, extra: dict | None = None) -> str:
    """Same inputs, settings and engine version: same hash, so the chart need not recompute."""
    blob = json.dumps(
        {"engine": ENGINE_VERSION, "spec": specs, "extra": extra or {}},
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(blob.encode()).hexdigest()


def series_hash(series: WeeklySeries, config: ChartConfig, extra: str = "") -> str:
    """The hash of what a chart is computed from (its data as arrays, its settings, the engine
    and store versions): equal hashes, equal charts. Hashing the arrays' bytes is some twenty
    times faster than hashing the engine's JSON spec, which the recompute only builds for the
    charts whose hash changed."""
    digest = hashlib.sha256()
    digest.update(f"{ENGINE_VERSION}|{extra}|{config!r}|{series.mix_changes!r}|".encode())
    digest.update((series.weeks[0].isoformat() if series.weeks else "").encode())
    for array in (series.counts, series.bed_days, series.contributors, series.events,
                  series.enrolled):
        digest.update(b"|" if array is None else np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()
