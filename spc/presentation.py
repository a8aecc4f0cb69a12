"""What a stored chart looks like to a person: a plain-English sentence, icon names and a Plotly
figure (plain dicts: plotly.js draws them in the browser). Pure: reads payloads, no database.
"""

import datetime
import math

from .funnel import funnel_curve_exposures, funnel_limits, funnel_points
from .specs import COUNT_UNIT, RATE_UNIT

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


def week_label(iso: str | None) -> str:
    if not iso:
        return ""
    day = datetime.date.fromisoformat(iso)
    return f"w/c {day.day} {day:%b %Y}"


def long_date(iso: str) -> str:
    day = datetime.date.fromisoformat(iso)
    return f"{day.day} {day:%b %Y}"


def is_rate_chart(payload: dict) -> bool:
    return payload.get("unit") == RATE_UNIT


def unit_label(payload: dict) -> str:
    return payload.get("unit") or COUNT_UNIT


def number(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:,.1f}"


def plain_summary(name: str, payload: dict) -> str:
    """One sentence a QI lead can read aloud, e.g. "Prone restraint: 1.9 per 1,000 OBD in the
    last 12 weeks, 52% below baseline (4.0); special cause improvement since w/c 6 Mar 2023;
    target 2.0 by 31 Mar 2024 consistently met." """
    if payload.get("status") != "ok":
        return f"{name}: not enough weeks of data for a chart yet."
    engine = payload["engine"]
    summary = engine["summary"]
    unit = unit_label(payload)
    recent_n = summary.get("recent_n") or 12
    parts = [f"{name}: {number(summary.get('recent_value'))} {unit} in the last {recent_n} weeks"]
    change, baseline = summary.get("percent_change"), summary.get("baseline_centre")
    if change is not None and baseline:
        direction = "below" if change < 0 else "above"
        if round(abs(change)) == 0:
            parts[0] += f", the same as baseline ({number(baseline)})"
        else:
            parts[0] += f", {abs(change):.0f}% {direction} baseline ({number(baseline)})"
    parts.append(_variation_phrase(engine))
    target = _target_phrase(summary)
    if target:
        parts.append(target)
    return "; ".join(parts) + "."


def _variation_phrase(engine: dict) -> str:
    summary = engine["summary"]
    if engine.get("chart") == "run":
        return f"run chart: {engine['n']} weeks, too few for control limits"
    icon = summary.get("variation_icon") or "common_cause"
    if icon == "common_cause":
        return "common cause variation only"
    kind = icon.split("_")[0]
    phrase = {
        "improvement": "special cause improvement",
        "concern": "special cause concern",
        "neutral": "special cause variation",
    }[kind]
    since = summary.get("sustained_since_date")
    if summary.get("sustained_signal") and since:
        return f"{phrase} since {week_label(since)}"
    return f"{phrase} in the latest week"


def _target_phrase(summary: dict) -> str:
    target = summary.get("target")
    if not target or target.get("value") is None:
        return ""
    by = f" by {long_date(target['deadline'])}" if target.get("deadline") else ""
    assurance = {
        "consistent_pass": "consistently met",
        "consistent_fail": "consistently not met",
        "hit_and_miss": "hit and miss",
    }.get(summary.get("assurance_icon"), "")
    return f"target {number(target['value'])}{by} {assurance}".rstrip()


def _point_hover(payload: dict, i: int, rate_chart: bool) -> str:
    points = payload["engine"]["points"]
    lines = [week_label(points["date"][i])]
    if points["missing"][i]:
        return "<br>".join([*lines, "Missing: no submitted count this week (not a zero)"])
    count = (payload.get("counts") or [None] * (i + 1))[i]
    bed_days = (payload.get("bed_days") or [None] * (i + 1))[i]
    value = points["rate"][i] if rate_chart else points["value"][i]
    if rate_chart:
        lines.append(f"{number(value)} {RATE_UNIT}")
        lines.append(f"{count} incidents / {bed_days} occupied bed days")
    else:
        lines.append(f"{number(value)}")
    contributors = payload.get("contributors")
    if contributors:
        lines.append(f"{contributors[i]} wards reported")
    classification = points["classification"][i]
    label = CLASSIFICATION_LABELS.get(classification, classification)
    rules = [RULE_LABELS.get(r, r) for r in points["rules"][i]]
    lines.append(f"{label}: {', '.join(rules)}" if rules else label)
    return "<br>".join(lines)


def _step_line(dates, values, phases):
    """A limit or centre line as a step per week, broken between phases."""
    xs, ys = [], []
    for i, (date, value) in enumerate(zip(dates, values, strict=True)):
        if i and phases[i] != phases[i - 1]:
            xs.append(date)
            ys.append(None)
        xs.append(date)
        ys.append(value)
    return xs, ys


def figure(payload: dict, title: str, change_ideas=(), shared_range=None, compact=False) -> dict:
    """The Plotly figure of one stored chart: the series coloured by classification, centre
    line, limits, targets, baseline shading, phase breaks and change ideas."""
    engine = payload["engine"]
    points = engine["points"]
    dates = points["date"]
    rate_chart = is_rate_chart(payload)
    values = points["rate"] if rate_chart else points["value"]
    colours = [COLOURS.get(c, COLOURS["common_cause"]) for c in points["classification"]]
    traces = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": "Rate" if rate_chart else "Count",
            "x": dates,
            "y": values,
            "line": {"color": COLOURS["common_cause"], "width": 1.5},
            "marker": {"color": colours, "size": 7},
            "hovertext": [_point_hover(payload, i, rate_chart) for i in range(len(dates))],
            "hoverinfo": "text",
            "connectgaps": False,
        }
    ]
    phases = points["phase"]
    for key, name, style in [
        ("centre", "Centre line", {"color": COLOURS["mean_line"], "width": 1.5}),
        ("upper", "Upper limit", {"color": COLOURS["limit_line"], "width": 1}),
        ("lower", "Lower limit", {"color": COLOURS["limit_line"], "width": 1}),
    ]:
        if points.get(key) is None or all(v is None for v in points[key]):
            continue
        xs, ys = _step_line(dates, points[key], phases)
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": name,
                "x": xs,
                "y": ys,
                "line": {**style, "shape": "hv"},
                "hoverinfo": "skip",
            }
        )
    for target in payload.get("targets") or []:
        if target.get("value") is None:
            continue
        label = (
            f"{target['reduction_percent']}% reduction target by "
            f"{long_date(target['deadline'])}: {number(target['value'])}"
        )
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": label,
                "x": [dates[0], dates[-1]],
                "y": [target["value"], target["value"]],
                "line": {
                    "color": COLOURS["target"],
                    "dash": "dot" if target["reduction_percent"] < 50 else "dashdot",
                    "width": 1.5,
                },
                "hoverinfo": "name",
                "meta": {"target": True},
            }
        )
    shapes, annotations = [], []
    in_baseline = zip(dates, points["baseline"], phases, strict=True)
    baseline = [d for d, b, phase in in_baseline if b and phase == 0]
    if baseline and len(baseline) < len(dates):
        shapes.append(_band(baseline[0], baseline[-1], "rgba(0, 94, 184, 0.08)"))
        annotations.append(_label(baseline[0], "Baseline", "left"))
    for item in payload.get("breaks") or []:
        shapes.append(_vline(item["date"], "#425563", "solid"))
        annotations.append(_label(item["date"], f"New phase: {item['reason']}", "left"))
    for idea in change_ideas:
        shapes.append(_vline(idea["date"], "#007f3b", "dot"))
        annotations.append(_label(idea["date"], f"{idea['title']}", "left", y=0.88))
    yaxis = {
        "title": {"text": RATE_UNIT if rate_chart else "count per week"},
        "rangemode": "tozero",
    }
    if shared_range:
        yaxis["range"] = shared_range
    return {
        "data": traces,
        "layout": {
            "title": {"text": title, "font": {"size": 16}},
            "height": 260 if compact else 340,
            "margin": {"l": 60, "r": 20, "t": 40, "b": 40},
            "xaxis": {"type": "date"},
            "yaxis": yaxis,
            "shapes": shapes,
            "annotations": annotations,
            "legend": {"orientation": "h", "y": -0.2},
            "showlegend": not compact,
            "hovermode": "closest",
            "plot_bgcolor": "#ffffff",
        },
    }


def _band(x0, x1, colour):
    return {
        "type": "rect", "xref": "x", "yref": "paper", "x0": x0, "x1": x1, "y0": 0, "y1": 1,
        "fillcolor": colour, "line": {"width": 0}, "layer": "below",
    }  # fmt: skip


def _vline(x, colour, dash):
    return {
        "type": "line", "xref": "x", "yref": "paper", "x0": x, "x1": x, "y0": 0, "y1": 1,
        "line": {"color": colour, "dash": dash, "width": 1.5},
    }  # fmt: skip


def _label(x, text, anchor, y=1.0):
    return {
        "x": x, "y": y, "xref": "x", "yref": "paper", "text": text, "showarrow": False,
        "xanchor": anchor, "yanchor": "top", "font": {"size": 11},
        "bgcolor": "rgba(255,255,255,0.8)",
    }  # fmt: skip


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
            "name": unit_label.capitalize(),
            "x": [p.exposure for p in result.points],
            "y": [p.rate for p in result.points],
            "text": [u["name"] if out else "" for u, out in zip(units, outlier, strict=True)],
            "textposition": "top center",
            "marker": {"color": colours, "size": 9},
            "hovertext": [
                f"{u['name']}<br>{number(p.rate)} {RATE_UNIT}<br>"
                f"{p.count} incidents / {int(p.exposure):,} occupied bed days"
                for u, p in zip(units, result.points, strict=True)
            ],
            "hoverinfo": "text",
        }
    )
    return {
        "data": traces,
        "layout": {
            "title": {"text": f"{measure_name}: rate against occupied bed days"},
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
