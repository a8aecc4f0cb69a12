"""The Plotly figure of one stored chart view (plain dicts: plotly.js draws them in the
browser): the series coloured by classification, centre line, limits, targets, baseline
shading, phase breaks and change ideas. Pure: reads a typed `spc.stored.ChartView`.

Charts of the gaps between incidents (t / g) are drawn against the incident's number, with
the dates as tick labels: two incidents on one day are two points, never one (the trap of
qicharts2 issue #47)."""

import bisect
import html

from .presentation import (
    CLASSIFICATION_LABELS,
    COLOURS,
    RULE_LABELS,
    long_date,
    mix_change_label,
    target_label,
)

NEUTRAL = {"special_cause_neutral_high", "special_cause_neutral_low"}
MAX_TICKS = 8


def plain(text: str) -> str:
    """User text as plotly label text: its HTML subset shown literally, never rendered."""
    return html.escape(str(text), quote=False)


def _colour(classification: str | None) -> str:
    if classification in NEUTRAL:
        return COLOURS["special_cause_neutral"]
    return COLOURS.get(classification or "", COLOURS["common_cause"])


def _hover_text(view, i: int) -> str:
    """What a point's hover says beyond its date and value: kept short, as plotly repeats the
    rest from `hovertemplate` (a ward page carries 13 charts of 160 points)."""
    if view.value[i] is None:
        return ""
    parts = []
    if view.weeks_in_period and view.weeks_present[i] < view.weeks_in_period[i]:
        parts.append(f"{view.weeks_present[i]:g} of {view.weeks_in_period[i]:g} weeks reported")
    if view.contributors and view.enrolled:
        parts.append(f"{view.contributors[i]} of {view.enrolled[i]} enrolled wards reported")
    elif view.contributors:
        parts.append(f"{view.contributors[i]} wards reported")
    label = CLASSIFICATION_LABELS.get(view.classification[i], "Special cause (neither better "
                                      "nor worse)")  # fmt: skip
    if not view.has_limits:
        label = "No control limits (run chart)"
    rules = [RULE_LABELS.get(r, r) for r in view.rules[i]] if view.has_limits else []
    parts.append(f"{label}: {', '.join(rules)}" if rules else label)
    return "<br>".join(parts)


def _hover_template(view, axis) -> str:
    s = view.summary
    when = {"week": "w/c %{x|%-d %b %Y}", "month": "%{x|%B %Y}",
            "4week": "4 weeks from %{x|%-d %b %Y}"}.get(s.period, "incident %{x}")  # fmt: skip
    if axis.by_event:
        when = "incident %{x} on %{customdata[0]}"
    lines = [when, f"%{{y:,.1f}} {s.unit}"]
    if view.is_rate and not axis.by_event:
        lines.append("%{customdata[0]} incidents / %{customdata[1]:,} occupied bed days"
                     if any(b is not None for b in view.bed_days) else "%{customdata[0]} incidents")
    return "<br>".join([*lines, "%{text}"]) + "<extra></extra>"


def _customdata(view, axis) -> list:
    if axis.by_event:
        return [[long_date(d)] for d in view.dates]
    return [[c, b] for c, b in zip(view.count, view.bed_days, strict=True)]


def _step_line(xs, values, phases):
    """A limit or centre line as a step per point, broken between phases."""
    out_x, out_y = [], []
    for i, (x, value) in enumerate(zip(xs, values, strict=True)):
        if i and phases[i] != phases[i - 1]:
            out_x.append(x)
            out_y.append(None)
        out_x.append(x)
        out_y.append(value)
    return out_x, out_y


class _Axis:
    """Where a date falls on the x axis: itself, or (incident charts) between incidents."""

    def __init__(self, view):
        self.view = view
        self.by_event = view.summary.period == "event"
        self.xs = list(range(1, len(view) + 1)) if self.by_event else list(view.dates)

    def at(self, iso: str):
        if not self.by_event:
            return iso
        return bisect.bisect_left(self.view.dates, iso) + 0.5

    def inside(self, iso: str) -> bool:
        return bool(self.view.dates) and self.view.dates[0] <= iso <= self.view.dates[-1]

    def layout(self) -> dict:
        if not self.by_event:
            return {"type": "date"}
        step = max(1, len(self.xs) // MAX_TICKS)
        ticks = self.xs[::step]
        labels = [f"{t}<br>{long_date(self.view.dates[t - 1])}" for t in ticks]
        return {"title": {"text": "incident number (date of the incident)"},
                "tickmode": "array", "tickvals": ticks, "ticktext": labels}  # fmt: skip


def _lines(view, axis) -> list[dict]:
    traces = []
    runs = view.summary.runs
    # qicharts2's convention: a run chart whose run rules find a pattern has a dashed median.
    centre = {"color": COLOURS["mean_line"], "width": 1.5}
    if runs and runs.get("signal"):
        centre |= {"dash": "dash"}
    for values, name, style in [
        (view.centre, "Median" if view.summary.chart == "run" else "Centre line", centre),
        (view.upper, "Upper limit", {"color": COLOURS["limit_line"], "width": 1}),
        (view.lower, "Lower limit", {"color": COLOURS["limit_line"], "width": 1}),
    ]:
        if all(v is None for v in values):
            continue
        xs, ys = _step_line(axis.xs, values, view.phase)
        traces.append({"type": "scatter", "mode": "lines", "name": name, "x": xs, "y": ys,
                       "line": {**style, "shape": "hv"}, "hoverinfo": "skip"})  # fmt: skip
    return traces


def _trajectory_xy(target, axis) -> tuple[list, list]:
    """A trajectory's steps as a stepped line over the chart's span: each step from its date
    (the first step before the chart starts begins at the chart's start)."""
    first, last = axis.xs[0], axis.xs[-1]
    xs, ys = [], []
    for day, value in target["steps"]:
        if day > last:
            break
        if day <= first:
            xs, ys = [first], [value]
        else:
            xs.append(day)
            ys.append(value)
    if xs:
        xs.append(last)
        ys.append(ys[-1])
    return xs, ys


def _targets(view, axis) -> list[dict]:
    traces = []
    for target in view.targets:
        if target.get("kind") == "trajectory" and not axis.by_event:
            xs, ys = _trajectory_xy(target, axis)
        elif target.get("value") is not None:
            xs, ys = [axis.xs[0], axis.xs[-1]], [target["value"], target["value"]]
        else:
            continue
        if not xs:
            continue
        percent = target.get("percent") or target.get("reduction_percent") or 0
        traces.append({
            "type": "scatter", "mode": "lines", "name": target_label(target),
            "x": xs, "y": ys,
            "line": {"color": COLOURS["target"], "width": 1.5, "shape": "hv",
                     "dash": "dot" if percent and percent < 50 else "dashdot"},
            "hoverinfo": "name", "meta": {"target": True},
        })  # fmt: skip
    return traces


def _marks(view, axis, change_ideas) -> tuple[list, list]:
    shapes, annotations = [], []
    baseline = [x for x, b, phase in zip(axis.xs, view.baseline, view.phase, strict=True)
                if b and phase == 0]  # fmt: skip
    if baseline and len(baseline) < len(view):
        shapes.append(_band(baseline[0], baseline[-1], "rgba(0, 94, 184, 0.08)"))
        annotations.append(_label(baseline[0], "Baseline", "left"))
    for item in view.breaks:
        if axis.inside(item["date"]):
            shapes.append(_vline(axis.at(item["date"]), "#425563", "solid"))
            annotations.append(_label(axis.at(item["date"]), f"New phase: {plain(item['reason'])}",
                                      "left"))  # fmt: skip
    for change in view.mix_changes:
        if axis.inside(change["date"]):
            shapes.append(_vline(axis.at(change["date"]), "#768692", "dash"))
            annotations.append(_label(axis.at(change["date"]), mix_change_label(change), "left",
                                      y=0.76))  # fmt: skip
    for idea in change_ideas:
        # An idea outside the chart's span (or dated in the future) would stretch the axis.
        if axis.inside(idea["date"]):
            shapes.append(_vline(axis.at(idea["date"]), "#007f3b", "dot"))
            annotations.append(_label(axis.at(idea["date"]), plain(idea["title"]), "left", y=0.88))
    return shapes, annotations


def figure(view, title: str, change_ideas=(), shared_range=None, compact=False) -> dict:
    """The Plotly figure of one stored view."""
    axis = _Axis(view)
    unit = view.summary.unit
    traces = [{
        "type": "scatter", "mode": "lines+markers", "name": unit[:1].upper() + unit[1:],
        "x": axis.xs, "y": list(view.value),
        "line": {"color": COLOURS["common_cause"], "width": 1.5},
        # Points are coloured by control-chart rules only: a run chart has none (its run
        # rules show on the median line).
        "marker": {"color": [_colour(c if view.has_limits else "common_cause")
                             for c in view.classification], "size": 7},  # fmt: skip
        "text": [_hover_text(view, i) for i in range(len(view))],
        "customdata": _customdata(view, axis), "hovertemplate": _hover_template(view, axis),
        "connectgaps": False,
    }]  # fmt: skip
    traces += _lines(view, axis) + _targets(view, axis)
    shapes, annotations = _marks(view, axis, change_ideas)
    yaxis = {"title": {"text": view.summary.unit}, "rangemode": "tozero"}
    if shared_range:
        yaxis["range"] = shared_range
    return {
        "data": traces,
        "layout": {
            "title": {"text": plain(title), "font": {"size": 16}},
            "height": 260 if compact else 340,
            "margin": {"l": 60, "r": 20, "t": 40, "b": 60 if axis.by_event else 40},
            "xaxis": axis.layout(),
            "yaxis": yaxis,
            "shapes": shapes,
            "annotations": annotations,
            "legend": {"orientation": "h", "y": -0.25 if axis.by_event else -0.2},
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
