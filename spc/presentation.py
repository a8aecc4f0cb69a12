"""What a stored chart looks like to a person: a plain-English sentence, labels and icon
names (spc/figures.py draws the chart itself). Pure: reads typed stored views
(spc.stored.ChartView), no database.
"""

import datetime
import html
import math

from .funnel import funnel_curve_exposures, funnel_limits, funnel_points
from .specs import RATE_UNIT

# Making Data Count colours as NHSRplotthedots R/ptd_spc_colours.R defines them.
COLOURS = {
    "common_cause": "#a6a6a6",
    "special_cause_improvement": "#00b0f0",
    "special_cause_neutral": "#490092",
    "special_cause_concern": "#e46c0a",
    "mean_line": "#000000",
    "limit_line": "#a6a6a6",
    "target": "#de1b1b",
}
CLASSIFICATION_LABELS = {
    "common_cause": "Common cause",
    "special_cause_improvement": "Special cause improvement",
    "special_cause_concern": "Special cause concern",
    "special_cause_neutral": "Special cause (neither better nor worse)",
}
RULE_LABELS = {
    "outside_limits": "a point outside the control limits",
    "shift": "a shift: 7 or more points on one side of the centre line",
    "trend": "a trend: 7 or more points rising or falling",
    "two_of_three": "2 of 3 points beyond the 2-sigma line",
    "long_run": "an unusually long run (Anhøj)",
    "few_crossings": "too few crossings of the centre line (Anhøj)",
}
VARIATION_LABELS = {
    "common_cause": "Common cause variation",
    "improvement_high": "Special cause improvement (high)",
    "improvement_low": "Special cause improvement (low)",
    "concern_high": "Special cause concern (high)",
    "concern_low": "Special cause concern (low)",
    "neutral_high": "Special cause variation, neither improvement nor concern (high)",
    "neutral_low": "Special cause variation, neither improvement nor concern (low)",
}
ASSURANCE_LABELS = {
    "consistent_pass": "Target consistently met",
    "consistent_fail": "Target consistently not met",
    "hit_and_miss": "Target hit and miss",
}


PERIOD_WORDS = {
    "week": ("week", "weeks"),
    "4week": ("4-week period", "4-week periods"),
    "month": ("month", "months"),
    "event": ("gap between incidents", "gaps between incidents"),
}
VIEW_LABELS = {
    "chosen": "Chosen chart",
    "week": "Weekly",
    "4week": "4-weekly",
    "month": "Monthly",
}


def week_label(iso: str | None) -> str:
    if not iso:
        return ""
    day = datetime.date.fromisoformat(iso)
    return f"w/c {day.day} {day:%b %Y}"


def long_date(iso: str) -> str:
    day = datetime.date.fromisoformat(iso)
    return f"{day.day} {day:%b %Y}"


def point_label(iso: str, period: str) -> str:
    """A point as a person names it: the week, the period, the month or the incident's day."""
    day = datetime.date.fromisoformat(iso)
    if period == "week":
        return week_label(iso)
    if period == "month":
        return f"{day:%B %Y}"
    if period == "4week":
        return f"4 weeks from {day.day} {day:%b %Y}"
    return f"incident on {day.day} {day:%b %Y}"


def number(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def plain_summary(name: str, view) -> str:
    """One sentence a QI lead can read aloud, naming the chart and why it was chosen, e.g.
    "Seclusion: 410 occupied bed days between incidents over the last 3 gaps between
    incidents, 35% above baseline (304); common cause variation only. Chart: 0.2 incidents
    expected a week: showing occupied bed days between incidents (g chart) …" """
    if view is None:
        return f"{name}: not enough data for a chart yet."
    s = view.summary
    one, many = PERIOD_WORDS.get(s.period, PERIOD_WORDS["week"])
    span = f"the last {s.recent_n} {many if s.recent_n != 1 else one}"
    parts = [f"{name}: {number(s.recent_value)} {s.unit} over {span}"]
    if s.percent_change is not None and s.baseline_centre:
        direction = "below" if s.percent_change < 0 else "above"
        if round(abs(s.percent_change)) == 0:
            parts[0] += f", the same as baseline ({number(s.baseline_centre)})"
        else:
            parts[0] += (
                f", {abs(s.percent_change):.0f}% {direction} baseline ({number(s.baseline_centre)})"
            )
    elif s.baseline_centre == 0:
        parts[0] += ", with no incidents in the baseline"
    parts.append(_variation_phrase(view))
    target = _target_phrase(s)
    if target:
        parts.append(target)
    sentence = "; ".join(parts) + "."
    if s.explanation:
        sentence += f" {s.explanation[0].upper()}{s.explanation[1:]}"
        sentence += "" if sentence.endswith(".") else "."
    return f"{sentence} Chart: {s.reason}."


def _runs_phrase(runs: dict | None) -> str:
    if not runs or not runs.get("signal"):
        return "no control limits, so no special cause icon; the run rules find no pattern"
    found = []
    if runs["longest"] is not None and runs["longest"] > runs["longest_max"]:
        found.append(f"a run of {runs['longest']} points on one side of the median (more than "
                     f"{runs['longest_max']} is unusual)")  # fmt: skip
    if runs["crossings"] is not None and runs["crossings"] < runs["crossings_min"]:
        found.append(f"only {runs['crossings']} crossings of the median (fewer than "
                     f"{runs['crossings_min']} is unusual)")  # fmt: skip
    return ("no control limits, so no special cause icon; the run rules (Anhøj) find a "
            f"pattern unlikely by chance: {' and '.join(found)}")


def _variation_phrase(view) -> str:
    s = view.summary
    if not view.has_limits:
        return _runs_phrase(s.runs)
    icon = s.variation_icon or "common_cause"
    if icon == "common_cause":
        return "common cause variation only"
    kind = icon.split("_")[0]
    phrase = {
        "improvement": "special cause improvement",
        "concern": "special cause concern",
        "neutral": "special cause variation",
    }[kind]
    if s.sustained_signal and s.sustained_since:
        return f"{phrase} since {point_label(s.sustained_since, s.period)}"
    return f"{phrase} at the latest point"


def _target_phrase(s) -> str:
    if s.target_value is None or not s.baseline_centre:
        return ""  # a target of "0.0" off a baseline of none tells nobody anything
    by = f" by {long_date(s.target_deadline)}" if s.target_deadline else ""
    if s.deadline_passed:
        met = {True: "met", False: "not met"}.get(s.target_met, "not judged")
        return f"target {number(s.target_value)}{by}: the deadline has passed; {met} now"
    assurance = {
        "consistent_pass": "consistently met",
        "consistent_fail": "consistently not met",
        "hit_and_miss": "hit and miss",
    }.get(s.assurance_icon, "")
    return f"target {number(s.target_value)}{by} {assurance}".rstrip()


def plain(text) -> str:
    """Text from people (titles, reasons, ward and measure names, units) as plotly label
    text: plotly renders a subset of HTML in labels (links, styles), so it is escaped and shows
    literally. Every string from the database goes through this before it enters a figure."""
    return html.escape(str(text), quote=False)


def funnel_figure(
    units: list[dict], measure_name: str, unit_label: str, improvement: str = "decrease"
) -> dict | None:
    """A funnel plot of each unit's rate per 1,000 occupied bed days against its bed days,
    with 95% and 99.8% limits around the pooled rate (spc.funnel); outliers are named."""
    units = [u for u in units if u["bed_days"]]
    if not units:
        return None
    result = funnel_points([u["count"] for u in units], [u["bed_days"] for u in units])
    curve_x = funnel_curve_exposures(max(u["bed_days"] for u in units) * 1.1)
    curve = funnel_limits(result.target, curve_x)
    traces = []
    for prob, dash in ((0.998, "solid"), (0.95, "dash")):
        for side in ("upper", "lower"):
            traces.append(
                {
                    "type": "scatter", "mode": "lines", "x": list(curve_x),
                    "y": list(getattr(curve, side)[prob]),
                    "name": f"{prob:.1%} limits".replace(".0%", "%"),
                    "legendgroup": str(prob), "showlegend": side == "upper",
                    "line": {"color": COLOURS["limit_line"], "dash": dash, "width": 1},
                    "hoverinfo": "skip",
                }
            )  # fmt: skip
    traces.append(
        {
            "type": "scatter", "mode": "lines", "x": [curve_x[0], curve_x[-1]],
            "y": [result.target, result.target], "name": f"Regional rate {number(result.target)}",
            "line": {"color": COLOURS["mean_line"], "width": 1.5}, "hoverinfo": "name",
        }
    )  # fmt: skip
    outlier = [p.flag.endswith("0.998") for p in result.points]
    better = {"decrease": "below", "increase": "above"}.get(improvement)
    colours = [
        COLOURS["common_cause"] if not out
        else COLOURS["special_cause_neutral"] if better is None
        else COLOURS["special_cause_improvement"] if p.flag.startswith(better)
        else COLOURS["special_cause_concern"]
        for p, out in zip(result.points, outlier, strict=True)
    ]  # fmt: skip
    traces.append(
        {
            "type": "scatter",
            "mode": "markers+text",
            "name": plain(unit_label.capitalize()),
            "x": [p.exposure for p in result.points],
            "y": [p.rate for p in result.points],
            "text": [plain(u["name"]) if out else ""
                     for u, out in zip(units, outlier, strict=True)],  # fmt: skip
            "textposition": "top center",
            "marker": {"color": colours, "size": 9},
            "hovertext": [
                f"{plain(u['name'])}<br>{number(p.rate)} {RATE_UNIT}<br>"
                f"{p.count} incidents / {int(p.exposure):,} occupied bed days"
                for u, p in zip(units, result.points, strict=True)
            ],
            "hoverinfo": "text",
        }
    )
    return {
        "data": traces,
        "layout": {
            "title": {"text": f"{plain(measure_name)}: rate against occupied bed days"},
            "height": 420,
            "margin": {"l": 60, "r": 20, "t": 40, "b": 50},
            "xaxis": {"title": {"text": "occupied bed days in the period"}, "rangemode": "tozero"},
            "yaxis": {"title": {"text": RATE_UNIT}, "rangemode": "tozero"},
            "legend": {"orientation": "h", "y": -0.25},
            "plot_bgcolor": "#ffffff",
        },
        "outliers": [
            {"name": u["name"], "rate": p.rate, "flag": p.flag}
            for u, p, out in zip(units, result.points, outlier, strict=True)
            if out
        ],
    }
