"""The automatic chart choice rule and its constants (evidence: BENCHMARKS.md, "Signal
quality of rare-event charts", from bench/signal_quality.py; sources named per constant).

Rule, from e = the baseline's expected incidents per week (incidents / present baseline
weeks; with phases, the lowest phase):
1. e >= WEEKLY_U_MIN_PER_WEEK: weekly u chart.
2. event dates given, e < GAP_CHART_BELOW_PER_WEEK and at least MIN_BASELINE_GAPS gaps close
   in the baseline (in every phase): g chart of the occupied bed days (without bed days: the
   days) between incidents.
3. 4 × e >= PERIOD_U_MIN_PER_PERIOD: 4-weekly u chart.
4. otherwise a run chart of the 4-weekly rate, with a warning that there are too few events
   for SPC.
A spec's own `period` ("week", "4week", "month") fixes the period: a u chart there when its
expected incidents per period reach PERIOD_U_MIN_PER_PERIOD (weekly: WEEKLY_U_MIN_PER_WEEK),
else a run chart. A spec's own chart (u, run, g, t, ...) is used as given.
The choice only moves one way as e grows (run → g → 4-weekly u → weekly u), and it is a pure
function of the spec.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# Weeks in an average month (365.25 / 12 / 7), to express rates per month.
WEEKS_PER_MONTH = 365.25 / 12 / 7
PERIOD_WEEKS = {"week": 1.0, "4week": 4.0, "month": WEEKS_PER_MONTH}

# Expected incidents per week for a weekly u chart. Evidence: bench/signal_quality.py
# (BENCHMARKS.md): below it the weekly u chart's false "special cause" icon rate at the
# latest point exceeds 5%. Guidance agrees in kind: a c/u chart has a lower limit only above
# 9 expected per period (c̄ − 3√c̄ > 0), and Wheeler warns that counts averaging below ~1 per
# period ("chunky" data) make limits unreliable.
WEEKLY_U_MIN_PER_WEEK = 3.0
# Expected incidents per 4-weekly (or monthly) period for a u chart there. Evidence:
# bench/signal_quality.py: the false-icon rate of 4-weekly u charts stays <= 5% from here.
PERIOD_U_MIN_PER_PERIOD = 4.0
# Below this many expected incidents a week, and given event dates, a g chart of the gaps
# between incidents is preferred (Benneyan 2001, "Number-between g-type statistical quality
# control charts for monitoring adverse events": more sensitive than count charts at low
# rates; qicharts2 vignette: "Rare events are often better analysed as time or opportunities
# between events"). Value from bench/signal_quality.py.
GAP_CHART_BELOW_PER_WEEK = 1.0
# Gaps that must close in the baseline for a g chart: Making Data Count's minimum baseline of
# 12 points (NHSRplotthedots ptd_validate_spc_options(): fix_after_n_points >= 12).
MIN_BASELINE_GAPS = 12

RANK = {"run": 0, "g": 1, "t": 1, "4week": 2, "month": 2, "week": 3}


@dataclass(frozen=True)
class ChoiceRule:
    """The thresholds of the choice (defaults: the constants above). The benchmark varies
    them to find the constants; the app uses the defaults."""

    weekly_u_min_per_week: float = WEEKLY_U_MIN_PER_WEEK
    period_u_min_per_period: float = PERIOD_U_MIN_PER_PERIOD
    gap_chart_below_per_week: float = GAP_CHART_BELOW_PER_WEEK
    min_baseline_gaps: int = MIN_BASELINE_GAPS
    auto_period: str = "4week"


DEFAULT_RULE = ChoiceRule()


@dataclass(frozen=True)
class Decision:
    chart: str
    period: str
    reason: str
    expected_per_period: float | None
    warnings: list[str] = field(default_factory=list)


def expected_per_week(counts: np.ndarray, baseline: np.ndarray,
                      phase_starts: tuple[int, ...]) -> tuple[float, int, int]:
    """Baseline incidents per present baseline week, the lowest over phases that have baseline
    weeks; and the incidents and weeks of that phase's baseline."""
    bounds = [*phase_starts, len(counts)]
    best = None
    for k in range(len(phase_starts)):
        part = slice(bounds[k], bounds[k + 1])
        weeks = int(np.count_nonzero(baseline[part]))
        if weeks == 0:
            continue
        events = float(np.sum(counts[part][baseline[part]]))
        rate = events / weeks
        if best is None or rate < best[0]:
            best = (rate, int(round(events)), weeks)
    return best if best is not None else (0.0, 0, 0)


def _few(e: float) -> str:
    return f"{e:.2g} incidents expected a week"


def choose_chart(chart: str, period: str, e: float, baseline_gaps: int | None,
                 rule: ChoiceRule = DEFAULT_RULE) -> Decision:
    """The chart and period for `chart` ("auto" or a chart), `period` ("auto" or one) and
    e = expected incidents per week; `baseline_gaps` is None without event dates."""
    if chart in ("g", "t"):
        return Decision(chart, "event", f"{_few(e)}: {chart} chart as asked", None)
    if chart != "auto":
        p = "week" if period == "auto" else period
        return Decision(chart, p, f"{chart} chart as asked ({p})", e * PERIOD_WEEKS[p])
    if period != "auto":
        return _fixed_period(period, e, rule)
    if e >= rule.weekly_u_min_per_week:
        return Decision("u", "week", f"{_few(e)}: weekly u chart", e)
    if (baseline_gaps is not None and e < rule.gap_chart_below_per_week
            and baseline_gaps >= rule.min_baseline_gaps):
        return Decision("g", "event", f"{_few(e)}: showing bed days between incidents "
                        "(g chart), because weekly counts this low give misleading signals",
                        None)
    per = e * PERIOD_WEEKS[rule.auto_period]
    if per >= rule.period_u_min_per_period:
        return Decision("u", rule.auto_period, f"{_few(e)} ({per:.2g} per 4 weeks): "
                        "4-weekly u chart, because weekly counts this low give misleading "
                        "signals", per)
    return _too_few(rule.auto_period, e, per, baseline_gaps, rule)


def _fixed_period(period: str, e: float, rule: ChoiceRule) -> Decision:
    per = e * PERIOD_WEEKS[period]
    need = rule.weekly_u_min_per_week if period == "week" else rule.period_u_min_per_period
    name = {"week": "weekly", "4week": "4-weekly", "month": "monthly"}[period]
    if per >= need:
        return Decision("u", period, f"{_few(e)}: {name} u chart", per)
    return Decision("run", period, f"{_few(e)}: too few incidents for SPC; {name} run chart "
                    "without control limits", per, [_too_few_warning(per, need, name)])


def _too_few(period: str, e: float, per: float, baseline_gaps: int | None,
             rule: ChoiceRule) -> Decision:
    why = _too_few_warning(per, rule.period_u_min_per_period, "4-weekly")
    if baseline_gaps is not None and baseline_gaps < rule.min_baseline_gaps:
        why += (f"; a chart of the gaps between incidents needs {rule.min_baseline_gaps} in "
                f"the baseline, which has {baseline_gaps}")
    return Decision("run", period, f"{_few(e)}: too few incidents for SPC; 4-weekly run "
                    "chart without control limits", per, [why])


def _too_few_warning(per: float, need: float, name: str) -> str:
    return (f"too few incidents for SPC: {per:.2g} expected per {name} period, control "
            f"limits need at least {need:g}; the run chart has no limits")
