"""Automatic chart choice for weekly incident data, and the series of the chosen chart.

A spec with `"chart": "auto"` (or a `period` / `events` key) describes weekly data: counts
(`values`), occupied bed days (`denominators`), Mondays (`dates`), `freeze` in weeks,
`breaks` as dates, optional `events` (the incidents' dates). From the baseline's expected
incidents per week the engine picks a weekly u chart, a g chart of the (bed) days between
incidents (only with event dates), or a run chart with a warning that there are too few
events for SPC; a `period` asks for 4-weekly or monthly points. The rule, its constants and
their evidence: spc.engine.choice.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np

from spc.engine.choice import (
    DEFAULT_RULE,
    WEEKS_PER_MONTH,
    ChoiceRule,
    choose_chart,
    expected_per_week,
    too_few_points,
)
from spc.engine.errors import (
    InvalidEventsError,
    InvalidOptionError,
    LengthMismatchError,
    NegativeCountError,
    TooFewEventsError,
)
from spc.engine.events import between_events, parse_events
from spc.engine.options import OPTION_NAMES, ChartOptions, options_from_spec
from spc.engine.periods import (
    PeriodSeries,
    aggregate_weeks,
    months_from_events,
    parse_weeks,
    present_weeks,
)
from spc.engine.validation import (
    PreparedSeries,
    baseline_mask,
    check_values,
    resolve_breaks,
    to_float_array,
)

AUTO_KEYS = frozenset({"values", "denominators", "dates", "period", "events", *OPTION_NAMES})
AUTO_CHARTS = ("auto", "run", "i", "c", "u", "up", "g", "t")
PERIOD_CHOICES = ("auto", "week", "4week", "month")


def is_auto_spec(spec: Mapping) -> bool:
    """Weekly dated input for the engine to choose and build the chart."""
    return isinstance(spec, Mapping) and (
        spec.get("chart") == "auto" or "period" in spec or "events" in spec)


@dataclass(frozen=True, eq=False)
class WeeklyInput:
    """Validated weekly data: arrays over the listed weeks, the weekly phase starts and
    baseline (present weeks only), and the event days (datetime64[D]) if given."""

    values: np.ndarray
    bed_days: np.ndarray | None
    weeks: np.ndarray
    present: np.ndarray
    phase_starts: tuple[int, ...]
    baseline: np.ndarray
    events: np.ndarray | None


@dataclass(frozen=True)
class AutoChoice:
    """What the engine chose and why (`auto` in the JSON output). `period`: "week", "4week",
    "month" or "event" (t / g charts: one point per gap between incidents). `statistic`:
    "rate" (u / run of counts per bed days), "bed_days_between" or "days_between".
    `expected_per_week`: baseline incidents per present week (the lowest over phases)."""

    chart: str
    period: str
    statistic: str
    reason: str
    expected_per_week: float
    expected_per_period: float | None
    baseline_events: int
    baseline_weeks: int
    warnings: tuple[str, ...] = ()
    periods: PeriodSeries | None = None
    event_number: np.ndarray | None = None

    def to_dict(self) -> dict:
        out = {
            "chart": self.chart, "period": self.period, "statistic": self.statistic,
            "reason": self.reason, "expected_per_week": self.expected_per_week,
            "expected_per_period": self.expected_per_period,
            "baseline_events": self.baseline_events, "baseline_weeks": self.baseline_weeks,
            "warnings": list(self.warnings), "periods": None, "event_number": None,
        }
        if self.periods is not None:
            p = self.periods
            out["periods"] = {"start": list(p.starts), "label": list(p.labels),
                              "weeks_present": p.weeks_present.tolist(),
                              "weeks_in_period": p.weeks_in_period.tolist()}
        if self.event_number is not None:
            out["event_number"] = self.event_number.tolist()
        return out


def parse_weekly(spec: Mapping) -> WeeklyInput:
    """Check weekly input: counts >= 0 or null, bed days, Mondays, events matching counts."""
    unknown = set(spec) - AUTO_KEYS
    if unknown:
        raise InvalidOptionError(f"unknown spec keys: {sorted(unknown)}")
    for key in ("values", "dates"):
        if not isinstance(spec.get(key), list | tuple):
            raise InvalidOptionError(f"an automatic chart needs '{key}': a list (weekly)")
    y = to_float_array(spec["values"], "values")
    n = len(y)
    if n == 0:
        raise LengthMismatchError("the series is empty: at least one week is needed")
    with np.errstate(invalid="ignore"):
        if (y < 0).any():
            raise NegativeCountError(f"values[{int(np.argmax(y < 0))}]: negative count")
    den = None
    if spec.get("denominators") is not None:
        den = to_float_array(spec["denominators"], "denominators")
    weeks = parse_weeks(spec["dates"])
    for what, arr in (("denominators", den), ("dates", weeks)):
        if arr is not None and len(arr) != n:
            raise LengthMismatchError(f"{len(arr)} {what} for {n} weeks: lengths must match")
    present = present_weeks(y, den)
    breaks = [str(weeks[b]) if isinstance(b, int) and not isinstance(b, bool) and 0 <= b < n
              else b for b in spec.get("breaks") or ()]
    starts = resolve_breaks(breaks, n, weeks, on_or_after=True)
    base = baseline_mask(spec.get("freeze"), starts, n, weeks) & present
    return WeeklyInput(y, den, weeks, present, starts, base, None)


def with_events(weekly: WeeklyInput, raw) -> WeeklyInput:
    """The weekly input with its incident dates read and checked against the counts."""
    events = parse_events(raw)
    check_events(events, weekly.values, weekly.weeks)
    return replace(weekly, events=events)


def needs_events(chart: str, period: str, e: float, rule: ChoiceRule) -> bool:
    """Whether the chart can use the incident dates: g / t charts, exact months, or an
    automatic choice in the g chart's band. Elsewhere they are not read (a weekly u chart of
    a busy ward would otherwise parse thousands of dates it never uses)."""
    if chart in ("g", "t") or period == "month":
        return True
    return (chart == "auto" and period == "auto"
            and rule.gap_chart_min_per_week <= e < rule.u_chart_min_per_point)


def check_events(events: np.ndarray, counts: np.ndarray, weeks: np.ndarray) -> None:
    """Every event lies in a listed week whose count is present and equals its events."""
    if not len(events):
        return
    week_of = np.searchsorted(weeks, events, side="right") - 1
    inside = (week_of >= 0) & (events - weeks[np.maximum(week_of, 0)] < np.timedelta64(7, "D"))
    if not inside.all():
        bad = events[~inside][0]
        raise InvalidEventsError(f"event {bad} falls in no week of the series")
    per_week = np.bincount(week_of, minlength=len(weeks)).astype(float)
    with np.errstate(invalid="ignore"):
        wrong = np.where(np.isnan(counts), per_week > 0, per_week != counts)
    if wrong.any():
        w = int(np.argmax(wrong))
        raise InvalidEventsError(
            f"week {weeks[w]} has count {_fmt(counts[w])} but {int(per_week[w])} event dates "
            "fall in it: the counts and the event dates must agree")


def _fmt(v: float) -> str:
    return "missing" if math.isnan(v) else f"{v:g}"


def plan_auto(spec: Mapping, rule: ChoiceRule = DEFAULT_RULE) -> tuple[PreparedSeries, AutoChoice]:
    """Validate a weekly spec, choose the chart and build its series (ready for the kernel)."""
    chart = spec.get("chart", "auto")
    period = spec.get("period", "auto")
    if chart not in AUTO_CHARTS:
        raise InvalidOptionError(f"chart must be one of {', '.join(AUTO_CHARTS)} for weekly "
                                 f"input; got {chart!r}")
    if period not in PERIOD_CHOICES:
        raise InvalidOptionError(f"period must be one of {', '.join(PERIOD_CHOICES)}; "
                                 f"got {period!r}")
    weekly = parse_weekly(spec)
    base_options = options_from_spec({k: v for k, v in spec.items()
                                      if k in OPTION_NAMES and k != "chart"})
    expected, base_events, base_weeks = expected_per_week(
        weekly.values, weekly.baseline, weekly.phase_starts)
    if spec.get("events") is not None and needs_events(chart, period, expected, rule):
        weekly = with_events(weekly, spec["events"])
    gaps = baseline_gap_count(weekly)
    decision = choose_chart(chart, period, expected, gaps, rule,
                            bed_days=weekly.bed_days is not None)
    if decision.chart in ("g", "t"):
        prepared, extra = gap_series(weekly, decision.chart, base_options, spec)
    else:
        prepared, extra = period_series(weekly, decision.chart, decision.period, base_options)
        fewest = _fewest_baseline_points(prepared)
        if chart == "auto" and decision.chart == "u" and fewest < rule.min_baseline_points:
            decision = too_few_points(decision, fewest, rule)
            prepared = replace(prepared, options=replace(prepared.options, chart="run",
                                                         rules="anhoej"))
    choice = AutoChoice(
        chart=decision.chart, period=decision.period, statistic=extra["statistic"],
        reason=decision.reason, expected_per_week=expected,
        expected_per_period=decision.expected_per_period, baseline_events=base_events,
        baseline_weeks=base_weeks, warnings=tuple(decision.warnings) + extra["warnings"],
        periods=extra.get("periods"), event_number=extra.get("event_number"))
    return prepared, choice


def _fewest_baseline_points(prepared: PreparedSeries) -> int:
    """Present baseline points of the phase that has the fewest."""
    bounds = [*prepared.phase_starts, len(prepared.values)]
    present = prepared.baseline & ~np.isnan(prepared.values)
    return int(min(np.count_nonzero(present[bounds[k]:bounds[k + 1]])
                   for k in range(len(prepared.phase_starts))))


def baseline_gap_count(weekly: WeeklyInput) -> int | None:
    """Gaps between incidents closing in baseline weeks, the lowest over phases (None
    without event dates)."""
    if weekly.events is None:
        return None
    if len(weekly.events) < 2:
        return 0
    closing = weekly.events[1:]
    week_of = np.searchsorted(weekly.weeks, closing, side="right") - 1
    in_base = weekly.baseline[week_of]
    phase = np.searchsorted(np.asarray(weekly.phase_starts[1:], dtype=int), week_of,
                            side="right")
    return int(min(np.count_nonzero(in_base & (phase == k))
                   for k in range(len(weekly.phase_starts))))


def _phase_starts_on(starts_of: np.ndarray, weekly: WeeklyInput,
                     n: int) -> tuple[tuple[int, ...], list[str]]:
    """Weekly phase starts moved to the points of a derived chart: each break starts at the
    first point dated on or after its week (`starts_of`: the points' dates). Breaks that start
    no point, or the same point as another, are dropped with a warning."""
    out, warnings = [0], []
    for s in weekly.phase_starts[1:]:
        k = int(np.searchsorted(starts_of, weekly.weeks[s], side="left"))
        if 1 <= k <= n - 1 and k > out[-1]:
            out.append(k)
        else:
            warnings.append(f"the break at {weekly.weeks[s]} starts no new point of this "
                            "chart: ignored here")
    return tuple(out), warnings


def period_series(weekly: WeeklyInput, chart: str, period: str,
                  options: ChartOptions) -> tuple[PreparedSeries, dict]:
    """Weekly, 4-weekly or monthly counts per bed days (exact calendar months when event
    dates are given). Without bed days each present week is one unit of exposure (the chart
    shows incidents per week). A period is in the baseline when every one of its weeks in
    the series is a baseline week."""
    den = weekly.bed_days
    if den is None:
        den = np.where(weekly.present, 1.0, np.nan)
    if period == "week":
        values = np.where(weekly.present, weekly.values, np.nan)
        den = np.where(weekly.present, den, np.nan)
        base, dates, starts, warnings, agg = (weekly.baseline, weekly.weeks,
                                              weekly.phase_starts, [], None)
    else:
        if weekly.events is not None and period == "month":
            agg = months_from_events(weekly.events, weekly.values, den, weekly.weeks)
        else:
            agg = aggregate_weeks(weekly.values, den, weekly.weeks, period)
        n_periods = len(agg.starts)
        week_in_base = np.bincount(agg.week_period, weights=weekly.baseline.astype(float),
                                   minlength=n_periods)
        weeks_listed = np.bincount(agg.week_period, minlength=n_periods)
        base = (week_in_base == weeks_listed) & ~agg.missing
        dates = np.array(agg.starts, dtype="datetime64[D]")
        starts, warnings = _phase_starts_on(dates, weekly, n_periods)
        values, den = agg.values, agg.denominators
    per = {"week": 1.0, "4week": 4.0, "month": WEEKS_PER_MONTH}[period]
    recent = max(1, round(options.recent_n / per))
    # A run chart is read with Anhøj's run rules, as qicharts2 reads one (runs.analysis):
    # they drop points on the median, so a rare event's weeks of zero at a median of zero
    # never make a "run", and they need no control limits.
    rules = "anhoej" if chart == "run" else options.rules
    chart_options = replace(options, chart=chart, recent_n=recent, rules=rules)
    prepared = PreparedSeries(values, den, dates, starts, base, chart_options)
    return prepared, {"statistic": "rate", "warnings": tuple(warnings), "periods": agg}


def gap_series(weekly: WeeklyInput, chart: str, options: ChartOptions,
               spec: Mapping) -> tuple[PreparedSeries, dict]:
    """Bed days (or, without bed days, days) between incidents, one point per gap labelled by
    the date of the incident that closes it. A gap is in the baseline when that incident
    falls in a baseline week. `multiply` is 1 (the values are days or bed days); a fixed
    target in rate units cannot be drawn on gaps and is dropped with a warning."""
    if weekly.events is None:
        raise InvalidEventsError(f"a {chart} chart of weekly data needs the incidents' dates "
                                 "('events')")
    need = 3 if chart == "t" else 2
    if len(weekly.events) < need:
        raise TooFewEventsError(
            f"a {chart} chart needs at least {need} events; there "
            f"{'is' if len(weekly.events) == 1 else 'are'} {len(weekly.events)}")
    gaps = between_events([str(d) for d in weekly.events],
                          [str(w) for w in weekly.weeks] if weekly.bed_days is not None
                          else None, weekly.bed_days)
    use_bed_days = chart == "g" and gaps.bed_days is not None
    values = gaps.bed_days if use_bed_days else gaps.days
    check_values(values, None, chart)
    closing = weekly.events[1:]
    week_of = np.searchsorted(weekly.weeks, closing, side="right") - 1
    base = weekly.baseline[week_of] if len(closing) else np.zeros(0, dtype=bool)
    starts, warnings = _phase_starts_on(closing, weekly, len(values))
    target = options.target
    if target is not None and target.value is not None:
        warnings.append("a fixed target in rate units cannot be drawn on a chart of gaps "
                        "between incidents: not shown")
        target = None
    recent_weeks = weekly.weeks[-1] - np.timedelta64(7 * options.recent_n - 7, "D")
    recent = max(1, int(np.count_nonzero(closing >= recent_weeks)))
    chart_options = replace(options, chart=chart, multiply=1.0, target=target, recent_n=recent)
    prepared = PreparedSeries(values, None, closing, starts, base, chart_options)
    return prepared, {"statistic": "bed_days_between" if use_bed_days else "days_between",
                      "warnings": tuple(warnings), "event_number": gaps.event_number}
