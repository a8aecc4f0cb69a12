"""Is the gap closing? The rate ratio of one group against the reference, per 4-week period,
as a run chart of its logarithm with Anhøj's rules (spc.engine), drawn on the ratio scale.

Why a run chart of the log ratio: a ratio is not a count or a rate with a known
distribution, so control limits would need assumptions the data do not support; a run chart
needs none (Anhøj & Olesen 2014), and the log makes "half as often" and "twice as often"
equally far from 1. A period in which either group had no event has no ratio (missing, not
zero); outside the trust a period whose counts are small is hidden, as in the tables.
"""

import datetime
import math
from dataclasses import dataclass

import numpy as np
from django.conf import settings

from spc.engine import ChartOptions, compute_chart

from . import selectors
from .disproportion import log_ratio

PERIOD_WEEKS = 4
MIN_POINTS = 8  # fewer periods with a ratio: no run chart (Anhøj's rules need a run of data)


@dataclass(frozen=True)
class RatioTrend:
    periods: list[datetime.date]
    ratios: list[float | None]
    centre: float | None  # the median ratio
    signal: bool  # a shift or too few crossings (Anhøj) in the ratio
    sentence: str


def _periods(weeks: dict):
    """{period start: {group: [events, days]}} in 4-week blocks from the first week."""
    if not weeks:
        return {}
    first = min(weeks)
    blocks: dict = {}
    for week, groups in weeks.items():
        start = first + datetime.timedelta(weeks=(week - first).days // 7 // PERIOD_WEEKS
                                           * PERIOD_WEEKS)  # fmt: skip
        block = blocks.setdefault(start, {})
        for group, (events, days) in groups.items():
            totals = block.setdefault(group, [0, 0])
            totals[0] += events
            totals[1] += days
    return dict(sorted(blocks.items()))


def _is_small(n: int) -> bool:
    return 1 <= n <= settings.EQUITY_SUPPRESS_UP_TO


def ratio_trend(scope: str, scope_id: int, measure, dimension: str, group: str,
                reference: str, *, show_small_numbers: bool) -> RatioTrend:
    weeks = selectors.weekly_group_totals(scope, scope_id, measure.pk, dimension)
    periods, ratios = [], []
    for start, groups in _periods(weeks).items():
        events, days = groups.get(group, (0, 0))
        ref_events, ref_days = groups.get(reference, (0, 0))
        hidden = not show_small_numbers and (_is_small(events) or _is_small(ref_events))
        value = None if hidden else log_ratio(events, days, ref_events, ref_days)
        periods.append(start)
        ratios.append(value)
    known = [v for v in ratios if v is not None]
    if len(known) < MIN_POINTS:
        return RatioTrend(periods, [_exp(v) for v in ratios], None, False,
                          f"Too few 4-week periods with a ratio ({len(known)}; a run chart "
                          f"needs {MIN_POINTS}) to say whether the gap is changing.")  # fmt: skip
    result = compute_chart([np.nan if v is None else v for v in ratios], options=ChartOptions(
        chart="run", rules="anhoej", improvement="neutral"))  # fmt: skip
    centre = float(result.points.centre[-1])
    signal = bool(result.summary.sustained_signal) or bool(
        np.any(result.points.rule_flags[~result.points.missing] != 0))
    return RatioTrend(periods, [_exp(v) for v in ratios], math.exp(centre), signal,
                      _sentence(signal, math.exp(centre), ratios))  # fmt: skip


def _exp(v):
    return None if v is None else math.exp(v)


def _sentence(signal: bool, median: float, ratios) -> str:
    latest = next((math.exp(v) for v in reversed(ratios) if v is not None), None)
    if not signal:
        return (f"The ratio varies around a median of {median:.1f} with no signal of change "
                f"(Anhøj's run rules); the latest period's is {latest:.1f}.")
    return (f"The ratio has changed (Anhøj's run rules signal a shift or too few crossings of "
            f"its median, {median:.1f}); the latest period's is {latest:.1f}.")


def figure(trend: RatioTrend, title: str) -> dict:
    """A Plotly figure of the ratio per period on a log axis, 1 = no difference."""
    x = [p.isoformat() for p in trend.periods]
    data = [{"type": "scatter", "mode": "lines+markers", "x": x, "y": trend.ratios,
             "name": "rate ratio", "line": {"color": "#005eb8"},
             "hovertemplate": "%{x|%d %b %Y}: %{y:.2f}<extra></extra>"}]  # fmt: skip
    shapes = [{"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": 1, "y1": 1,
               "line": {"color": "#4c6272", "dash": "dot"}}]  # fmt: skip
    if trend.centre is not None:
        shapes.append({"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": trend.centre,
                       "y1": trend.centre, "line": {"color": "#212b32"}})  # fmt: skip
    return {"data": data, "layout": {
        "title": {"text": title}, "yaxis": {"type": "log", "title": {"text": "rate ratio"}},
        "shapes": shapes, "margin": {"l": 60, "r": 20, "t": 40, "b": 40}, "height": 300,
        "showlegend": False}}  # fmt: skip
