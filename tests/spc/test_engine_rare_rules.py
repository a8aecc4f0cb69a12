"""Rules of the t and g charts, zero-variation baselines and denominators on run / i / mr
charts, on tiny series (including empty and too-short input)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spc import engine
from spc.engine import compute


def pts(r, key):
    return r["points"][key]


# --- t and g charts -----------------------------------------------------------------------

def test_it_inverts_improvement_on_gap_charts_and_says_so():
    gaps = [10.0, 12, 9, 11, 10, 13, 9, 11, 10, 12, 300]
    r = compute({"values": gaps, "chart": "g", "improvement": "decrease"})
    assert r["summary"]["improvement_applied"] == "increase"
    assert "outside_limits" in pts(r, "rules")[-1]
    assert pts(r, "classification")[-1] == "special_cause_improvement"
    assert r["summary"]["variation_icon"] == "improvement_high"
    u = compute({"values": [1, 2], "denominators": [10, 10], "chart": "u",
                 "improvement": "decrease"})
    assert u["summary"]["improvement_applied"] == "decrease"


def test_it_refuses_a_zero_gap_on_a_t_chart_and_points_to_g():
    with pytest.raises(engine.NonPositiveTimeError, match="g chart"):
        compute({"values": [3, 0, 4], "chart": "t"})
    r = compute({"values": [3, 0, 4], "chart": "g"})  # the g chart allows same-day pairs
    assert pts(r, "centre")[0] == 3.0  # median


def test_it_refuses_negative_gaps_and_denominators_on_gap_and_c_charts():
    with pytest.raises(engine.NegativeCountError):
        compute({"values": [3, -1, 4], "chart": "g"})
    for chart in ("t", "g", "c"):
        with pytest.raises(engine.UnusedDenominatorError):
            compute({"values": [3, 1, 4], "denominators": [1, 1, 1], "chart": chart})


@pytest.mark.parametrize(("chart", "values", "match"), [
    ("t", [5.0], "at least 3 events .* it has 1 gap \\(2 events\\)"),
    ("g", [None, None], "at least 2 events .* it has 0 gaps"),
])
def test_it_says_how_many_events_a_gap_chart_needs_and_has(chart, values, match):
    with pytest.raises(engine.TooFewEventsError, match=match):
        compute({"values": values, "chart": chart})


def test_too_few_events_is_a_series_too_short_error():
    assert issubclass(engine.TooFewEventsError, engine.SeriesTooShortError)


def test_empty_gap_chart_is_empty_series():
    with pytest.raises(engine.EmptySeriesError):
        compute({"values": [], "chart": "t"})


def test_gap_chart_dates_may_repeat_but_not_go_back():
    r = compute({"values": [2, 0, 5], "chart": "g",
                 "dates": ["2024-01-03", "2024-01-03", "2024-01-08"]})
    assert pts(r, "date") == ["2024-01-03", "2024-01-03", "2024-01-08"]
    with pytest.raises(engine.InvalidDateError):
        compute({"values": [2, 0, 5], "chart": "g",
                 "dates": ["2024-01-03", "2024-01-02", "2024-01-08"]})
    with pytest.raises(engine.InvalidDateError):  # one point per period elsewhere
        compute({"values": [2, 0], "chart": "c", "dates": ["2024-01-03", "2024-01-03"]})


def test_gap_chart_date_breaks_start_at_the_first_event_on_or_after():
    r = compute({"values": [2, 3, 5, 4, 6], "chart": "g", "breaks": ["2024-01-05"],
                 "dates": ["2024-01-01", "2024-01-03", "2024-01-04", "2024-01-07",
                           "2024-01-09"]})
    assert pts(r, "phase") == [0, 0, 0, 1, 1]


def test_gap_chart_reduction_target_lengthens_the_gaps():
    r = compute({"values": [10.0, 12, 9, 11, 10], "chart": "t", "improvement": "decrease",
                 "target": {"reduction": 0.5}})
    assert r["summary"]["target"]["value"] == pytest.approx(r["summary"]["baseline_centre"] * 2)


def test_t_chart_freeze_and_phases_use_their_own_baseline():
    gaps = [5.0, 7, 6, 8, 5, 40, 42, 39, 41, 45]
    r = compute({"values": gaps, "chart": "t", "freeze": 3, "breaks": [5]})
    assert pts(r, "baseline") == [True] * 3 + [False] * 2 + [True] * 3 + [False] * 2
    assert pts(r, "centre")[0] < 8 < 38 < pts(r, "centre")[-1]


@settings(max_examples=30, deadline=None)
@given(st.floats(0.5, 1e4, allow_nan=False), st.integers(3, 40))
def test_t_chart_of_constant_gaps_has_no_variation_and_no_limits(gap, n):
    r = compute({"values": [gap] * n, "chart": "t", "rules": "both"})
    assert pts(r, "upper") == pts(r, "lower") == [None] * n
    assert all(not ({"outside_limits", "two_of_three"} & set(x)) for x in pts(r, "rules"))
    assert any("no variation" in w for w in r["summary"]["warnings"])


# --- zero-variation and no-event baselines ------------------------------------------------------

@pytest.mark.parametrize("screen_mr", [True, False])
def test_i_chart_with_flat_baseline_draws_no_limits_and_flags_nothing_outside(screen_mr):
    r = compute({"values": [4, 4, 4, 4, 9, 1], "chart": "i", "freeze": 4,
                 "screen_mr": screen_mr})
    assert pts(r, "upper") == [None] * 6
    assert not any("outside_limits" in x for x in pts(r, "rules"))
    assert r["phases"][0]["mean_moving_range"] == 0.0


def test_mr_chart_with_flat_baseline_draws_no_limits():
    r = compute({"values": [4, 4, 4, 4, 9, 1], "chart": "mr", "freeze": 4})
    assert pts(r, "upper") == [None] * 6
    assert any("no variation" in w for w in r["summary"]["warnings"])


@pytest.mark.parametrize("spec", [
    {"values": [0, 0, 0, 0, 3, 1], "chart": "c", "freeze": 4},
    {"values": [0, 0, 0, 0, 3, 1], "denominators": [100] * 6, "chart": "u", "freeze": 4},
    {"values": [0, 0, 0, 0, 3, 1], "denominators": [100] * 6, "chart": "p", "freeze": 4},
])
def test_count_chart_with_no_baseline_events_draws_no_limits(spec):
    r = compute(spec)
    assert pts(r, "upper") == [None] * 6
    assert not any("outside_limits" in x for x in pts(r, "rules"))
    assert any("no events (centre 0)" in w for w in r["summary"]["warnings"])
    assert pts(r, "centre")[0] == 0.0


def test_only_the_flat_phase_loses_its_limits():
    r = compute({"values": [0, 0, 0, 0, 2, 3, 1, 2], "chart": "c", "breaks": [4]})
    assert pts(r, "upper")[:4] == [None] * 4
    assert all(v is not None for v in pts(r, "upper")[4:])


# --- denominators on run / i / mr charts (qicharts2 qic(y, n, chart = "i")) -----------------

def test_i_chart_with_denominators_charts_the_ratio_like_qicharts2():
    """qicharts2 qic.agg(): y = sum(y) / sum(n) per subgroup, then qic.i(); multiply after."""
    r = compute({"values": [1, 2, 3, 4], "denominators": [10, 10, 20, 20], "chart": "i",
                 "limits": "qic", "multiply": 100})
    ratios = [0.1, 0.2, 0.15, 0.2]
    assert pts(r, "rate") == pytest.approx([100 * v for v in ratios])
    cl = sum(ratios) / 4
    mr = [abs(b - a) for a, b in zip(ratios, ratios[1:], strict=False)]
    amr = sum(mr) / 3
    assert pts(r, "centre")[0] == pytest.approx(100 * cl)
    assert pts(r, "upper")[0] == pytest.approx(100 * (cl + 3 * amr / 1.128))


def test_run_and_mr_charts_with_denominators_chart_the_ratio():
    run = compute({"values": [1, 4, 3], "denominators": [10, 20, 10], "chart": "run"})
    assert pts(run, "rate") == [0.1, 0.2, 0.3]
    assert pts(run, "centre")[0] == 0.2
    mr = compute({"values": [1, 4, 3], "denominators": [10, 20, 10], "chart": "mr"})
    assert pts(mr, "rate") == pytest.approx([None, 0.1, 0.1], nan_ok=True) or \
        pts(mr, "rate")[1:] == pytest.approx([0.1, 0.1])


def test_denominators_on_i_charts_must_be_positive_where_the_value_is_present():
    with pytest.raises(engine.InvalidDenominatorError):
        compute({"values": [1, 2], "denominators": [10, 0], "chart": "i"})
    r = compute({"values": [1, 3, None, 2], "denominators": [10, 10, 0, 10], "chart": "i"})
    assert pts(r, "missing") == [False, False, True, False]


def test_batch_mixes_i_charts_with_and_without_denominators_exactly():
    a = {"values": [1.5, 2.5, 3.25, 4.0], "chart": "i"}
    b = {"values": [1, 2, 3, 4], "denominators": [10, 10, 20, 20], "chart": "i"}
    assert engine.compute_batch([a, b]) == [compute(a), compute(b)]


# --- explanation of apparent contradictions ------------------------------------------------------

def test_it_explains_an_improving_trend_that_is_still_worse_than_baseline():
    values = [5, 15] * 5 + [35, 33, 31, 29, 27, 25, 23]
    r = compute({"values": values, "chart": "i", "freeze": 10, "improvement": "decrease"})
    s = r["summary"]
    assert pts(r, "rules")[-1] == ["shift", "trend"]
    assert s["variation_icon"] == "improvement_low"  # classification unchanged
    assert "worse than the baseline" in s["explanation"]
    assert "rising or falling" in s["explanation"]


def test_no_explanation_when_icon_and_level_agree():
    values = [5, 6, 5, 6, 5, 6, 5, 6, 5, 6, 1, 1, 1, 1, 1, 1, 1]
    r = compute({"values": values, "chart": "i", "freeze": 10, "improvement": "decrease"})
    assert r["summary"]["variation_icon"] == "improvement_low"
    assert r["summary"]["explanation"] is None


def test_explanation_on_gap_charts_compares_mean_gaps():
    gaps = [20.0, 22, 18, 21, 19, 20, 22, 18, 21, 19, 1, 2, 3, 4, 5, 6, 7]
    r = compute({"values": gaps, "chart": "g", "freeze": 10, "improvement": "decrease"})
    s = r["summary"]
    assert s["variation_icon"] == "improvement_high"
    assert "shorter than the baseline" in s["explanation"]
    assert not math.isnan(np.mean(gaps))
