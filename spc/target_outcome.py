"""Whether a target was met at its deadline, from a computed chart's points. Pure: reads an
`spc.engine` ChartResult and an `spc.specs.TargetLine`, no database.

Before a deadline, the assurance icon says whether the process can meet the target. After it,
the question is different: was it met *at* the deadline, and what holds now? The value at the
deadline is read as the summary's recent value is, over the last `recent_n` points up to the
deadline (pooled Σcount / Σbed days for rate charts), so the two figures compare like with
like.
"""

import datetime

import numpy as np


def value_up_to(result, day: datetime.date) -> float | None:
    """The recent value of the points dated on or before `day`: pooled Σcounts / Σdenominators
    × multiply on rate charts, else the mean of the plotted values; None without such points."""
    p = result.points
    if p.date is None or not len(p.date):
        return None
    dates = np.asarray(p.date, dtype="datetime64[D]")
    rate = np.asarray(p.rate, dtype=float)
    keep = np.flatnonzero((dates <= np.datetime64(day)) & ~np.isnan(rate))
    keep = keep[-result.summary.recent_n:] if result.summary.recent_n else keep
    if not len(keep):
        return None
    den = p.denominator
    if den is not None and result.options.chart in ("u", "up", "p", "pp"):
        total = float(np.nansum(np.asarray(den, dtype=float)[keep]))
        if total > 0:
            return float(np.nansum(np.asarray(p.value, dtype=float)[keep])) / total * \
                result.options.multiply  # fmt: skip
    return float(np.mean(rate[keep]))


def _meets(value: float, target: float, improvement: str) -> bool | None:
    if improvement == "decrease":
        return value <= target
    if improvement == "increase":
        return value >= target
    return None  # no good direction: nothing to meet


def deadline_outcome(result, line, gaps: bool) -> dict:
    """`deadline_value`, `deadline_target`, `deadline_met` of the chart's primary target once
    its deadline has passed (all None before it, without a target, or when the chart starts
    after the deadline)."""
    none = {"deadline_value": None, "deadline_target": None, "deadline_met": None}
    s = result.summary
    if line is None or s.target is None or not s.target.deadline_passed:
        return none
    value = value_up_to(result, line.deadline)
    target = line.value_on(line.deadline, s.baseline_centre, gaps)
    if value is None or target is None:
        return none
    return {"deadline_value": round(value, 4), "deadline_target": round(float(target), 4),
            "deadline_met": _meets(value, target, s.improvement_applied)}  # fmt: skip
