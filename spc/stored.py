"""The one reader and writer of stored charts' payloads: what is stored, and typed objects out.

A chart (one scope and measure) has views: the chart the engine (or a QI lead) chose, and the
same data by week, 4 weeks and calendar month. Each view is stored as a compact, columnar JSON
payload (`view_payload`) and read back as a frozen `ChartView` (`read_view`); no other module
reads payload keys. What is kept is what the pages, exports and API show: the plotted value,
the numerator and denominator, centre, 3-sigma and 2-sigma lines, phase, baseline, point
classification and rules, the periods' completeness and the summary. Floats are rounded to
`DECIMALS` places (pages show 1, the CSV and the API 4: the API's schema says so). Payloads
carry `STORE_VERSION`: one of another version is never read (`read_view` gives None) and its
chart is recomputed.
"""

import datetime
import json
import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from spc.engine.codes import CLASSIFICATIONS
from spc.engine.rules import rule_names

from .models import StoredChart, StoredView
from .target_outcome import deadline_outcome

STORE_VERSION = 5
DECIMALS = 4
CLASS_CODE = {name: code for code, name in CLASSIFICATIONS.items()}
LINES = ("centre", "lower", "upper", "lower_2sigma", "upper_2sigma")
UNITS = {
    ("rate", True): "per 1,000 OBD",
    ("rate", False): "a week",
    ("days_between", True): "days between incidents",
    ("days_between", False): "days between incidents",
    ("bed_days_between", True): "occupied bed days between incidents",
}


@dataclass(frozen=True)
class ViewSummary:
    """What a sentence, an icon, a matrix cell and the API's summary need of one view."""

    chart: str  # u, c, run, i, up, g, t
    period: str  # week, 4week, month, event
    statistic: str  # rate, days_between, bed_days_between
    unit: str
    reason: str
    warnings: tuple[str, ...]
    expected_per_week: float | None
    recent_n: int
    recent_value: float | None
    baseline_centre: float | None
    current_centre: float | None
    percent_change: float | None
    variation_icon: str | None
    assurance_icon: str | None
    improvement_applied: str
    explanation: str | None
    sustained_signal: bool
    sustained_since: str | None
    target_value: float | None
    target_deadline: str | None
    target_met: bool | None
    deadline_passed: bool | None
    latest_date: str | None
    # Anhøj's run rules on the latest phase (run charts): longest run, crossings, signal.
    runs: dict | None = None
    # Once the primary target's deadline has passed: the recent value then, the target due
    # then, and whether it was met (spc.target_outcome).
    deadline_value: float | None = None
    deadline_target: float | None = None
    deadline_met: bool | None = None


@dataclass(frozen=True)
class ChartView:
    """One stored view: per-point columns (None where missing) and its summary."""

    summary: ViewSummary
    dates: tuple[str, ...]  # ISO: the week, the period's first day, or the incident's day
    value: tuple[float | None, ...]  # the plotted statistic, in `summary.unit`
    count: tuple[int | None, ...]  # incidents (rate charts); the gap itself (g / t charts)
    bed_days: tuple[int | None, ...]
    centre: tuple[float | None, ...]
    lower: tuple[float | None, ...]
    upper: tuple[float | None, ...]
    lower_2sigma: tuple[float | None, ...]
    upper_2sigma: tuple[float | None, ...]
    phase: tuple[int, ...]
    baseline: tuple[bool, ...]
    classification: tuple[str | None, ...]
    rules: tuple[tuple[str, ...], ...]
    weeks_present: tuple[float, ...] | None
    weeks_in_period: tuple[float, ...] | None
    contributors: tuple[int, ...] | None
    event_number: tuple[int, ...] | None
    targets: tuple[dict, ...]
    breaks: tuple[dict, ...]
    enrolled: tuple[int, ...] | None = None  # aggregates: wards enrolled per point
    mix_changes: tuple[dict, ...] = ()  # {"date", "joined", "left"} (spc.coverage)

    @property
    def is_rate(self) -> bool:
        return self.summary.statistic == "rate"

    @cached_property
    def has_limits(self) -> bool:
        return any(v is not None for v in self.upper)

    def __len__(self) -> int:
        return len(self.dates)


def _round(values) -> list:
    out = np.round(np.asarray(values, dtype=float), DECIMALS)
    return np.where(np.isnan(out), None, out).tolist()


def _ints(values) -> list:
    return [None if v != v else int(v) for v in np.asarray(values, dtype=float).tolist()]


def _opt(value, digits=DECIMALS):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return round(float(value), digits)


def _runs(result) -> dict | None:
    runs = result.phases[-1].runs if result.phases else None
    if runs is None:
        return None
    return {"signal": bool(runs.signal), "useful": runs.n_useful, "longest": runs.longest_run,
            "longest_max": runs.longest_run_max, "crossings": runs.crossings,
            "crossings_min": runs.crossings_min}  # fmt: skip


def _summary_payload(result, choice, targets, rates: bool, primary=None) -> dict:
    s = result.summary
    statistic = choice.statistic if choice else "rate"
    target = s.target
    run_chart = result.options.chart == "run"
    return {
        "chart": result.options.chart,
        "period": choice.period if choice else "week",
        "statistic": statistic,
        "unit": UNITS.get((statistic, rates), UNITS[("days_between", True)]),
        "reason": choice.reason if choice else "",
        "warnings": [*(choice.warnings if choice else ()), *s.warnings],
        "expected_per_week": _opt(choice.expected_per_week) if choice else None,
        "recent_n": s.recent_n,
        "recent_value": _opt(s.recent_value),
        "baseline_centre": _opt(s.baseline_centre),
        "current_centre": _opt(s.current_centre),
        "percent_change": _opt(s.percent_change, 1),
        # Making Data Count's icons summarise control charts: a run chart has no limits to
        # judge a special cause by, so it shows none (its run rules are in `runs`).
        "variation_icon": None if run_chart else s.variation_icon,
        "assurance_icon": s.assurance_icon,
        "improvement_applied": s.improvement_applied,
        "explanation": s.explanation,
        "sustained_signal": bool(s.sustained_signal),
        "sustained_since": s.sustained_since_date,
        "target_value": _opt(target.value) if target else None,
        "target_deadline": target.deadline if target else None,
        "target_met": target.met if target else None,
        "deadline_passed": target.deadline_passed if target else None,
        "latest_date": s.latest_date,
        "runs": _runs(result) if run_chart else None,
        **deadline_outcome(result, primary, statistic != "rate"),
        "targets": targets,
    }


def target_lines(targets, summary, statistic: str) -> list[dict]:
    """Each programme target as a line on this view (TargetLine.value_on): the baseline centre
    reduced or increased by its percentage (on a chart of gaps between incidents, the gaps
    lengthened or shortened as the engine computes them), a fixed value, or a trajectory's
    steps; `value` is what is due at the latest point."""
    centre, gaps = summary.baseline_centre, statistic != "rate"
    latest = datetime.date.fromisoformat(summary.latest_date) if summary.latest_date else None
    lines = []
    for t in targets:
        value = t.value_on(latest, centre, gaps) if latest else None
        steps = [] if gaps else [[d.isoformat(), _opt(v)] for d, v in t.steps]
        lines.append({"programme": t.programme, "kind": t.kind, "percent": t.percent,
                      "deadline": t.deadline.isoformat(), "value": _opt(value),
                      "steps": steps})  # fmt: skip
    return lines


def _dates(points, choice) -> list[str]:
    return [str(d) for d in points.date] if points.date is not None else []


def _per_point(weekly, choice, fewest: bool) -> list | None:
    """A weekly ward count per point: per week, or a period's fewest (or most) of its weeks."""
    if weekly is None or choice is None or choice.period == "event":
        return None
    if choice.period == "week" or choice.periods is None:
        return [int(c) for c in weekly]
    agg = choice.periods
    if fewest:
        out = np.full(len(agg.starts), np.iinfo(np.int64).max)
        np.minimum.at(out, agg.week_period, weekly)
    else:
        out = np.zeros(len(agg.starts), dtype=np.int64)
        np.maximum.at(out, agg.week_period, weekly)
    return [int(c) for c in out.tolist()]


def _contributors(series, choice) -> list | None:
    """Wards that reported each point: per week, or the fewest of a period's weeks."""
    return _per_point(series.contributors, choice, fewest=True)


def view_payload(auto_result, series, targets, breaks, *, rates: bool) -> dict:
    """The stored JSON of one computed view (an `spc.engine` AutoResult) of a series;
    `rates`: the series has occupied bed days (rates per 1,000 of them, else per week)."""
    result, choice = auto_result.result, auto_result.choice
    p = result.points
    dates = _dates(p, choice)
    first = datetime.date.fromisoformat(dates[0]) if dates else None
    periods = choice.periods if choice is not None and choice.period != "week" else None
    statistic = choice.statistic if choice else "rate"
    lines = target_lines(targets, result.summary, statistic)
    summary = _summary_payload(result, choice, lines, rates, targets[0] if targets else None)
    return {
        "v": STORE_VERSION,
        "first": dates[0] if dates else None,
        # Days from the first point: dates repeat on incident charts and periods vary in length.
        "offsets": [(datetime.date.fromisoformat(d) - first).days for d in dates],
        "value": _round(p.rate),
        "count": _ints(p.value),
        # Without bed days a rate chart's denominator is one per week present: not bed days.
        "bed_days": _ints(p.denominator) if rates and p.denominator is not None else None,
        **{name: _round(getattr(p, name)) for name in LINES},
        "phase": p.phase.tolist(),
        "baseline": [int(b) for b in p.baseline.tolist()],
        "class": [CLASS_CODE.get(c, -1) if c else -1 for c in p.classification],
        "rules": p.rule_flags.tolist(),
        "weeks_present": None if periods is None else periods.weeks_present.tolist(),
        "weeks_in_period": None if periods is None else periods.weeks_in_period.tolist(),
        "contributors": _contributors(series, choice),
        # Wards enrolled per point (a period's most), and where their mix changed.
        "enrolled": _per_point(series.enrolled, choice, fewest=False),
        "mix_changes": list(series.mix_changes),
        "event_number": None if choice is None or choice.event_number is None
        else choice.event_number.tolist(),
        "summary": summary,
        "breaks": breaks,
    }


def _tuple(values):
    return None if values is None else tuple(values)


def encode_view(payload: dict) -> str:
    """A view's payload as stored: compact JSON text (see StoredView)."""
    return json.dumps(payload, separators=(",", ":"), allow_nan=False)


def decode_view(text: str | None) -> dict | None:
    """A stored payload back as a dict; None for anything else (a payload written by an older
    store, e.g. JSON of a JSON string, is then recomputed rather than misread)."""
    if not text:
        return None
    try:
        payload = json.loads(text)
    except ValueError:
        return None
    return payload if isinstance(payload, dict) else None


def read_view(payload: dict | None) -> ChartView | None:
    """The typed view of a stored payload; None when it is of another store version (the
    chart is then recomputed, never misread) or absent."""
    if not payload or payload.get("v") != STORE_VERSION or "unavailable" in payload:
        return None
    first = datetime.date.fromisoformat(payload["first"]) if payload["first"] else None
    dates = tuple((first + datetime.timedelta(days=o)).isoformat() for o in payload["offsets"])
    raw = dict(payload["summary"])
    targets = tuple(raw.pop("targets"))
    raw["warnings"] = tuple(raw["warnings"])
    summary = ViewSummary(**raw)
    n = len(dates)
    return ChartView(
        summary=summary,
        dates=dates,
        value=tuple(payload["value"]),
        count=tuple(payload["count"]),
        bed_days=tuple(payload["bed_days"]) if payload["bed_days"] is not None else (None,) * n,
        **{name: tuple(payload[name]) for name in LINES},
        phase=tuple(payload["phase"]),
        baseline=tuple(bool(b) for b in payload["baseline"]),
        classification=tuple(CLASSIFICATIONS.get(c) for c in payload["class"]),
        rules=tuple(rule_names(f) for f in payload["rules"]),
        weeks_present=_tuple(payload["weeks_present"]),
        weeks_in_period=_tuple(payload["weeks_in_period"]),
        contributors=_tuple(payload["contributors"]),
        event_number=_tuple(payload["event_number"]),
        targets=targets,
        breaks=tuple(payload["breaks"]),
        enrolled=_tuple(payload.get("enrolled")),
        mix_changes=tuple(payload.get("mix_changes") or ()),
    )


VIEWS = ("chosen", "week", "4week", "month")


@dataclass(frozen=True)
class StoredCharts:
    """Stored charts of one scope's (or many scopes') measures, each with the view asked for:
    `chart[key]` the StoredChart row, `view[key]` its ChartView (None when not computed, of an
    older shape, or not drawable for these data), `missing` the keys whose asked-for period
    view has not been computed for the chart's current data (spc.period_views fills them)."""

    chart: dict
    view: dict
    missing: tuple = ()


def period_view_payload(payload: dict, input_hash: str) -> dict:
    """A period view's payload, marked with the data it was made from (the chart's input
    hash): once the chart is recomputed from other data, the view is stale and is remade."""
    return {**payload, "hash": input_hash}


def unavailable_payload(message: str, input_hash: str) -> dict:
    """A period view that cannot be drawn for these data (say why; not retried until the
    data change)."""
    return {"v": STORE_VERSION, "hash": input_hash, "unavailable": message}


def _pick(key, chart, view: str, payloads: dict):
    """(the view to show, whether the asked-for view must be computed first)."""
    if chart.store_version != STORE_VERSION or chart.status != StoredChart.Status.OK:
        return None, False
    chosen = read_view(payloads.get((key, "chosen")))
    if view == "chosen" or (chosen is not None and chosen.summary.period == view):
        return chosen, False
    payload = payloads.get((key, view))
    if not payload or payload.get("hash") != chart.input_hash:
        return None, True
    return read_view(payload), False


def read_charts(filters: dict, view: str = "chosen") -> StoredCharts:
    """The stored charts matching `filters` (StoredChart fields, e.g. scope, scope_id,
    measure__in), keyed by (scope id, measure id), with view `view` (the chosen chart when it
    already is of that period). Two queries."""
    charts = {(c.scope_id, c.measure_id): c for c in StoredChart.objects.filter(**filters)}
    by_pk = {c.pk: key for key, c in charts.items()}
    payloads = {}
    rows = StoredView.objects.filter(chart_id__in=by_pk, view__in={"chosen", view}).values_list(
        "chart_id", "view", "payload"
    )
    for chart_id, name, text in rows:
        payloads[by_pk[chart_id], name] = decode_view(text)
    views, missing = {}, []
    for key, chart in charts.items():
        views[key], absent = _pick(key, chart, view, payloads)
        if absent:
            missing.append(key)
    return StoredCharts(chart=charts, view=views, missing=tuple(missing))
