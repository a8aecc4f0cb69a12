"""The automatic chart choice rule and its constants (evidence: BENCHMARKS.md, "Signal
quality of rare-event charts", from bench/signal_quality.py; sources named per constant).

Rule, from e = the baseline's expected incidents per week (incidents / present baseline
weeks; with phases, the lowest phase):
1. e >= U_CHART_MIN_PER_POINT (2 a week): weekly u chart.
2. event dates given, GAP_CHART_MIN_PER_WEEK <= e < 2 and at least MIN_BASELINE_GAPS gaps
   close in every phase's baseline: g chart of the occupied bed days (without bed days: the
   days) between incidents.
3. otherwise a weekly run chart of the rate (median, no limits), with a warning that there
   are too few incidents for SPC.
`"period": "auto"` therefore never aggregates: with the programme's 20-week baseline a
4-weekly or monthly chart has only 5 baseline points, and in the benchmark it showed a false
special-cause icon in 7-11% of stable wards at every rate. A spec's own `period` ("week",
"4week", "month") fixes the period: a u chart there when its expected incidents per period
reach U_CHART_MIN_PER_POINT, else a run chart at that period. A spec's own chart (u, run, g,
t, ...) is used as given. The choice only moves one way as e grows (run -> g -> weekly u),
and it is a pure function of the spec.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# Weeks in an average month (365.25 / 12 / 7), to express rates per month.
WEEKS_PER_MONTH = 365.25 / 12 / 7
PERIOD_WEEKS = {"week": 1.0, "4week": 4.0, "month": WEEKS_PER_MONTH}

# Expected incidents per plotted point for a u chart (weekly: per week). Evidence:
# bench/signal_quality.py (BENCHMARKS.md), weekly u charts of stable wards with a 20-week
# baseline show a false special-cause icon at the latest point in 4.6% / 3.8% (26 / 52 weeks
# on) at 2 a week, 7.1% / 6.9% at 1 a week, 15% at 0.3. Guidance agrees in kind: Wheeler's
# "chunky data" warning for counts averaging about 1 or less per period, and a c/u chart has a
# lower limit only above 9 expected per point (c-bar - 3 sqrt(c-bar) > 0).
U_CHART_MIN_PER_POINT = 2.0
# Lowest expected incidents a week for a g chart of the gaps between incidents (with event
# dates). Evidence: bench/signal_quality.py, g charts' false-icon rate 3.9% / 5.3% at 1.5 a
# week but 6.6% / 5.8% at 1 and 9.0% / 7.0% at 0.6 (baseline median and mean from too few
# gaps). Benneyan 2001 ("Number-between g-type statistical quality control charts for
# monitoring adverse events") and the qicharts2 vignette ("Rare events are often better
# analysed as time or opportunities between events") recommend g / t charts for rare events;
# with a 20-week baseline the benchmark finds them no better than a run chart below this.
GAP_CHART_MIN_PER_WEEK = 1.5
# Gaps that must close in the baseline for a g chart: Making Data Count's minimum baseline of
# 12 points (NHSRplotthedots ptd_validate_spc_options(): fix_after_n_points >= 12).
MIN_BASELINE_GAPS = 12
# Baseline points an automatic u chart needs, for the same reason (Making Data Count: 12 is
# the least for a baseline; NHSRplotthedots ptd_add_short_group_warnings() calls fewer
# "trial limits"). Below it the automatic chart is a run chart of the same period: a ward's
# first weeks, and 4-weekly or monthly views of a 20-week baseline (5 points).
MIN_BASELINE_POINTS = 12

RANK = {"run": 0, "g": 1, "t": 1, "u": 2}


@dataclass(frozen=True)
class ChoiceRule:
    """The thresholds of the choice (defaults: the constants above). The benchmark varies
    them to find the constants; the app uses the defaults."""

    u_chart_min_per_point: float = U_CHART_MIN_PER_POINT
    gap_chart_min_per_week: float = GAP_CHART_MIN_PER_WEEK
    min_baseline_gaps: int = MIN_BASELINE_GAPS
    min_baseline_points: int = MIN_BASELINE_POINTS


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
                 rule: ChoiceRule = DEFAULT_RULE, bed_days: bool = True) -> Decision:
    """The chart and period for `chart` ("auto" or a chart), `period` ("auto" or one) and
    e = expected incidents per week; `baseline_gaps` is None without event dates; `bed_days`
    says whether gaps are measured in occupied bed days (else in days)."""
    # A chart chosen in the chart settings says so: it is the user's choice, not a finding
    # that the data are too few (a run chart of 291 weeks has points enough for limits).
    if chart in ("g", "t"):
        return Decision(chart, "event", f"{_few(e)}: {chart} chart, chosen in the chart "
                        "settings", None)  # fmt: skip
    if chart != "auto":
        p = "week" if period == "auto" else period
        what = ("run chart, chosen in the chart settings: the median and run rules, without "
                "control limits" if chart == "run" else f"{chart} chart, chosen in the chart "
                "settings")  # fmt: skip
        return Decision(chart, p, f"{PERIOD_NAMES[p]} {what}", e * PERIOD_WEEKS[p])
    p = "week" if period == "auto" else period
    per = e * PERIOD_WEEKS[p]
    if per >= rule.u_chart_min_per_point:
        return Decision("u", p, f"{_few(e)}: {PERIOD_NAMES[p]} u chart", per)
    if (period == "auto" and baseline_gaps is not None and e >= rule.gap_chart_min_per_week
            and baseline_gaps >= rule.min_baseline_gaps):
        unit = "occupied bed days" if bed_days else "days"
        return Decision("g", "event", f"{_few(e)}: showing {unit} between incidents (g chart), "
                        "because weekly counts this low give misleading signals", None)
    warning = (f"too few incidents for SPC: {per:.2g} expected per {PERIOD_NAMES[p]} point, "
               f"control limits need at least {rule.u_chart_min_per_point:g}")
    if period == "auto" and baseline_gaps is not None and baseline_gaps < rule.min_baseline_gaps:
        warning += (f"; a chart of the gaps between incidents needs {rule.min_baseline_gaps} in "
                    f"the baseline, which has {baseline_gaps}")
    return Decision("run", p, f"{_few(e)}: too few incidents for SPC; {PERIOD_NAMES[p]} run "
                    "chart of the rate without control limits", per, [warning + "; the run "
                    "chart shows the median, without limits"])


PERIOD_NAMES = {"week": "weekly", "4week": "4-weekly", "month": "monthly"}


def too_few_points(decision: Decision, points: int, rule: ChoiceRule = DEFAULT_RULE) -> Decision:
    """An automatic u chart whose baseline has fewer than `rule.min_baseline_points` points
    becomes a run chart of the same period, saying why."""
    name = PERIOD_NAMES[decision.period]
    return Decision(
        "run", decision.period,
        f"{decision.reason.split(':')[0]}, but the baseline has only {points} {name} "
        f"point{'s' if points != 1 else ''}: {name} run chart of the rate without control "
        f"limits until it has {rule.min_baseline_points}",
        decision.expected_per_period,
        [f"too few baseline points for control limits: {points} (at least "
         f"{rule.min_baseline_points}); the run chart shows the median, without limits"],
    )  # fmt: skip
