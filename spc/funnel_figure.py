"""The funnel plot of the region page as a person reads it: the Plotly figure, one sentence
saying which limits are shown and why (Poisson, or adjusted for over-dispersion), and a row
per unit for the table under it. Pure: units in (spc.selectors.funnel_units), no database.
"""

from dataclasses import dataclass

from .compact import figure_json
from .funnel import (
    Dispersion,
    funnel_curve_exposures,
    funnel_dispersion,
    funnel_limits,
    funnel_points,
)
from .presentation import COLOURS, number
from .specs import RATE_UNIT

# The limits a reader can ask for; "auto" is Poisson unless the units are over-dispersed.
LIMIT_CHOICES = {
    "auto": "Automatic: adjusted only when the units vary more than chance",
    "poisson": "Exact Poisson limits",
    "additive": "Adjusted for over-dispersion: random effects (additive)",
    "multiplicative": "Adjusted for over-dispersion: inflated variance (multiplicative)",
}
METHOD_NAMES = {
    "exact": "exact Poisson limits",
    "additive": "limits adjusted for over-dispersion (Spiegelhalter's additive random-effects "
                "limits)",
    "multiplicative": "limits adjusted for over-dispersion (Poisson variance multiplied by φ, "
                      "Spiegelhalter's multiplicative limits)",
}  # fmt: skip
# Labels drawn on the plot collide when two named points are closer than this share of the
# axes; then the points are named only in the hover and the table under the plot.
CROWDED = 0.08
MAX_LABELS = 6


@dataclass(frozen=True)
class FunnelRow:
    name: str
    count: int
    bed_days: int
    rate: float | None
    lower: float  # the 99.8% limits at its bed days
    upper: float
    flag: str

    @property
    def position(self) -> str:
        if self.flag == "within":
            return "within the limits"
        side, _, prob = self.flag.partition("_")
        return f"{'above' if side == 'above' else 'below'} the {float(prob):.1%} limit".replace(
            ".0%", "%"
        )


@dataclass(frozen=True)
class FunnelPlot:
    figure: dict
    sentence: str
    method: str  # "exact", "additive" or "multiplicative"
    dispersion: Dispersion
    rows: list[FunnelRow]
    outliers: list[FunnelRow]
    labelled: bool  # outliers named on the plot itself (not crowded)

    @property
    def figure_json(self):
        return figure_json(self.figure)


def choose_method(choice: str, dispersion: Dispersion) -> str:
    if choice in ("additive", "multiplicative"):
        return choice
    if choice == "auto" and dispersion.overdispersed:
        return "additive"
    return "exact"


def dispersion_sentence(method: str, choice: str, dispersion: Dispersion, plural: str,
                        poisson_flagged: int) -> str:  # fmt: skip
    """Which limits are shown and why, e.g. "Shown: limits adjusted for over-dispersion …:
    the 12 wards vary more than chance alone would (dispersion ratio 3.1 from winsorised
    z-scores; above 1.6 shows over-dispersion), so Poisson limits would flag 5 of them." """
    d = dispersion
    shown = f"Shown: {METHOD_NAMES[method]}"
    if not d.judged:
        return (f"{shown}: {d.units} {plural} are too few to tell whether they vary more than "
                "chance would (at least 5 are needed).")  # fmt: skip
    ratio = f"dispersion ratio {d.phi:.1f} from winsorised z-scores"
    bound = f"above {d.threshold / d.units:.1f} shows over-dispersion"
    if not d.overdispersed:
        why = f"the {d.units} {plural} vary no more than chance would ({ratio}; {bound})"
        if method == "exact":
            return f"{shown}: {why}."
        return f"{shown}, as chosen, although {why}: they are close to the Poisson limits."
    why = f"the {d.units} {plural} vary more than chance alone would ({ratio}; {bound})"
    if method == "exact":
        return (f"{shown}, as chosen, although {why}: these limits are too narrow, and some of "
                f"the {poisson_flagged} flagged may differ only as much as {plural} usually "
                "do.")  # fmt: skip
    flagged = f"{poisson_flagged} of them" if poisson_flagged else "none of them"
    return (f"{shown}: {why}, so exact Poisson limits, which would flag {flagged}, are too "
            "narrow; these allow for the usual spread between "
            f"{plural}.")  # fmt: skip


def _crowded(points, xs_range, ys_range) -> bool:
    for i, (x1, y1) in enumerate(points):
        for x2, y2 in points[i + 1:]:
            if abs(x1 - x2) < CROWDED * xs_range and abs(y1 - y2) < CROWDED * ys_range:
                return True
    return False


def _colour(flag: str, improvement: str) -> str:
    if not flag.endswith("0.998"):
        return COLOURS["common_cause"]
    better = {"decrease": "below", "increase": "above"}.get(improvement)
    if better is None:
        return COLOURS["special_cause_neutral"]
    return COLOURS["special_cause_improvement" if flag.startswith(better) else
                   "special_cause_concern"]  # fmt: skip


def _limit_traces(curve_x, curve) -> list[dict]:
    traces = []
    for prob, dash in ((0.998, "solid"), (0.95, "dash")):
        for side in ("upper", "lower"):
            traces.append({
                "type": "scatter", "mode": "lines", "x": [round(x) for x in curve_x],
                "y": [round(y, 3) for y in getattr(curve, side)[prob]],
                "name": f"{prob:.1%} limits".replace(".0%", "%"),
                "legendgroup": str(prob), "showlegend": side == "upper",
                "line": {"color": "#768692", "dash": dash, "width": 1}, "hoverinfo": "skip",
            })  # fmt: skip
    return traces


def funnel_figure(
    units: list[dict], measure_name: str, unit_label: str, improvement: str = "decrease",
    limits: str = "auto",
) -> FunnelPlot | None:  # fmt: skip
    """A funnel plot of each unit's rate per 1,000 occupied bed days against its bed days,
    with 95% and 99.8% limits around the pooled rate (spc.funnel): Poisson, or adjusted for
    over-dispersion (`limits`, see LIMIT_CHOICES). Outliers (beyond 99.8%) are coloured and,
    unless crowded, named on the plot; every unit is in `rows`."""
    units = [u for u in units if u["bed_days"]]
    if not units:
        return None
    counts, exposures = [u["count"] for u in units], [u["bed_days"] for u in units]
    dispersion = funnel_dispersion(counts, exposures)
    method = choose_method(limits, dispersion)
    poisson = funnel_points(counts, exposures)
    result = poisson if method == "exact" else funnel_points(
        counts, exposures, method=method, dispersion=dispersion
    )  # fmt: skip
    curve_x = funnel_curve_exposures(max(exposures) * 1.1)
    curve = funnel_limits(result.target, curve_x, method=method, dispersion=dispersion)
    rows = [FunnelRow(u["name"], p.count, int(p.exposure), p.rate, p.lower[0.998],
                      p.upper[0.998], p.flag)
            for u, p in zip(units, result.points, strict=True)]  # fmt: skip
    outliers = [r for r in rows if r.flag.endswith("0.998")]
    y_top = max([r.rate or 0 for r in rows] + [max(curve.upper[0.95], default=0)])
    labelled = len(outliers) <= MAX_LABELS and not _crowded(
        [(r.bed_days, r.rate) for r in outliers], max(exposures) * 1.1, y_top or 1
    )
    plural = f"{unit_label}s"
    traces = _limit_traces(curve_x, curve)
    traces.append({
        "type": "scatter", "mode": "lines", "x": [round(curve_x[0]), round(curve_x[-1])],
        "y": [result.target, result.target], "name": f"Regional rate {number(result.target)}",
        "line": {"color": COLOURS["mean_line"], "width": 1.5}, "hoverinfo": "name",
    })  # fmt: skip
    traces.append({
        "type": "scatter", "mode": "markers+text" if labelled else "markers",
        "name": plural.capitalize(),
        "x": [r.bed_days for r in rows], "y": [r.rate for r in rows],
        "text": [r.name if labelled and r in outliers else "" for r in rows],
        "textposition": "top center",
        "marker": {"color": [_colour(r.flag, improvement) for r in rows], "size": 9},
        "hovertext": [f"{r.name}<br>{number(r.rate)} {RATE_UNIT}<br>{r.count} incidents / "
                      f"{r.bed_days:,} occupied bed days<br>{r.position}" for r in rows],
        "hoverinfo": "text",
    })  # fmt: skip
    flagged = sum(p.flag.endswith("0.998") for p in poisson.points)
    sentence = dispersion_sentence(method, limits, dispersion, plural, flagged)
    figure = {
        "data": traces,
        "layout": {
            "title": {"text": f"{measure_name}: rate against occupied bed days"},
            "height": 420,
            "margin": {"l": 60, "r": 20, "t": 40, "b": 50},
            "xaxis": {"title": {"text": "occupied bed days in the period"}, "rangemode": "tozero"},
            "yaxis": {"title": {"text": RATE_UNIT}, "rangemode": "tozero"},
            "legend": {"orientation": "h", "y": -0.25},
            "hovermode": "closest",
            "plot_bgcolor": "#ffffff",
        },
    }
    return FunnelPlot(figure, sentence, method, dispersion, rows, outliers, labelled)
