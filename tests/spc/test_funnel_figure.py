"""The region page's funnel plot: outliers named unless crowded, and a sentence saying which
limits are shown and why."""

from spc.funnel_figure import funnel_figure
from spc.presentation import COLOURS


def units(*rows):
    return [{"name": n, "count": c, "bed_days": b} for n, c, b in rows]


SPREAD = units(("Oak", 10, 1000), ("Elm", 11, 1100), ("Ash", 60, 1000), ("Fir", 9, 900))


def test_it_names_funnel_outliers_and_colours_them_by_direction():
    plot = funnel_figure(SPREAD, "Seclusion", "ward")
    assert [o.name for o in plot.outliers] == ["Ash"]
    points = plot.figure["data"][-1]
    assert points["text"] == ["", "", "Ash", ""]
    assert points["marker"]["color"][2] == COLOURS["special_cause_concern"]
    pooled = next(t for t in plot.figure["data"] if t["name"].startswith("Regional rate"))
    assert pooled["y"][0] == 90 / 4000 * 1000
    increase = funnel_figure(SPREAD, "Seclusion", "ward", improvement="increase")
    assert increase.figure["data"][-1]["marker"]["color"][2] == (
        COLOURS["special_cause_improvement"]
    )
    assert [r.position for r in plot.rows][2] == "above the 99.8% limit"
    assert funnel_figure([], "Seclusion", "ward") is None


def test_it_says_too_few_units_to_judge_over_dispersion():
    plot = funnel_figure(SPREAD, "Seclusion", "ward")
    assert plot.method == "exact"
    assert plot.sentence.startswith("Shown: exact Poisson limits: 4 wards are too few")


# Ten wards of 1,000 bed days whose counts spread far wider than Poisson(20) would.
DISPERSED = units(*[(f"Ward {i}", c, 1000) for i, c in enumerate(
    [2, 5, 8, 12, 18, 22, 28, 34, 40, 45])])  # fmt: skip


def test_it_adjusts_the_limits_when_the_units_are_over_dispersed():
    plot = funnel_figure(DISPERSED, "Seclusion", "ward")
    assert plot.dispersion.overdispersed and plot.method == "additive"
    assert "vary more than chance alone would" in plot.sentence
    assert "additive random-effects" in plot.sentence
    poisson = funnel_figure(DISPERSED, "Seclusion", "ward", limits="poisson")
    assert len(poisson.outliers) > len(plot.outliers)
    assert f"would flag {len(poisson.outliers)} of them" in plot.sentence
    assert poisson.method == "exact" and "as chosen, although" in poisson.sentence
    assert "too narrow" in poisson.sentence
    multiplicative = funnel_figure(DISPERSED, "Seclusion", "ward", limits="multiplicative")
    assert "multiplied by φ" in multiplicative.sentence


def test_it_keeps_poisson_limits_when_the_spread_is_chance():
    even = units(*[(f"Ward {i}", 20 + d, 1000) for i, d in enumerate([-2, 1, 0, -1, 2, 0])])
    plot = funnel_figure(even, "Seclusion", "ward")
    assert plot.method == "exact" and not plot.dispersion.overdispersed
    assert "vary no more than chance would" in plot.sentence


def test_it_names_crowded_outliers_only_in_the_hover_and_table():
    crowded = units(("A", 60, 1000), ("B", 61, 1010), ("C", 10, 1000), ("D", 9, 1000),
                    ("E", 10, 1000))  # fmt: skip
    plot = funnel_figure(crowded, "Seclusion", "ward", limits="poisson")
    assert {o.name for o in plot.outliers} >= {"A", "B"}
    assert not plot.labelled
    points = plot.figure["data"][-1]
    assert points["mode"] == "markers" and set(points["text"]) == {""}
    assert "A<br>" in points["hovertext"][0]
