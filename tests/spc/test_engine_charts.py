"""Hand-worked examples for each chart type, rule, baseline, phase, target and bad input."""

import io
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from spc import engine
from spc.engine import ChartOptions, compute, compute_chart
from spc.engine.cli import main


def pts(result, key):
    return result["points"][key]


# --- chart types -------------------------------------------------------------------------

def test_run_chart_centre_is_baseline_median():
    r = compute({"values": [1, 5, 3, 8, 100], "chart": "run", "freeze": 4})
    assert pts(r, "centre") == [4.0] * 5  # median(1, 5, 3, 8)
    assert pts(r, "upper") == [None] * 5


@pytest.mark.parametrize(
    ("limits", "upper", "upper2"),
    [("mdc", 2.5 + 2.66 * 5 / 3, 2.5 + 2 * (2.66 / 3) * 5 / 3),
     ("qic", 2.5 + 3 * (5 / 3) / 1.128, 2.5 + 2 * (5 / 3) / 1.128)],
)
def test_xmr_conventions(limits, upper, upper2):
    # mean 2.5; moving ranges 2, 1, 2 -> mean MR 5/3
    r = compute({"values": [1, 3, 2, 4], "chart": "i", "limits": limits})
    assert pts(r, "centre")[0] == 2.5
    assert pts(r, "upper")[0] == pytest.approx(upper, rel=1e-15)
    assert pts(r, "lower")[0] == pytest.approx(5 - upper, rel=1e-15)
    assert pts(r, "upper_2sigma")[0] == pytest.approx(upper2, rel=1e-15)
    assert r["phases"][0]["mean_moving_range"] == pytest.approx(5 / 3)


def test_xmr_screening_drops_large_moving_ranges():
    values = [0, 1] * 4 + [0, 20]  # MRs: nine 1s... and one 20
    screened = compute({"values": values, "chart": "i"})
    raw = compute({"values": values, "chart": "i", "screen_mr": False})
    assert raw["phases"][0]["mean_moving_range"] == pytest.approx((8 + 20) / 9)
    assert screened["phases"][0]["mean_moving_range"] == 1.0  # 20 >= 3.267 * 28/9 dropped


def test_mr_chart():
    r = compute({"values": [1, 3, 2, 4], "chart": "mr"})
    assert pts(r, "rate") == [None, 2.0, 1.0, 2.0]
    assert pts(r, "centre")[1] == pytest.approx(5 / 3)
    assert pts(r, "upper")[1] == pytest.approx(3.267 * 5 / 3)
    assert pts(r, "lower")[1] == 0.0


def test_c_chart():
    r = compute({"values": [2, 4, 6, 4], "chart": "c"})
    assert pts(r, "centre")[0] == 4.0
    assert pts(r, "upper")[0] == 10.0
    assert pts(r, "lower")[0] == 0.0  # 4 - 6 clipped
    assert (pts(r, "lower_1sigma")[0], pts(r, "upper_2sigma")[0]) == (2.0, 8.0)


def test_u_chart_per_point_limits_and_multiply():
    r = compute({"values": [1, 2, 3], "denominators": [10, 20, 30], "chart": "u",
                 "multiply": 1000})
    assert pts(r, "centre")[0] == pytest.approx(100.0)  # 6 / 60 per 1,000
    assert pts(r, "upper")[0] == pytest.approx(1000 * (0.1 + 3 * math.sqrt(0.1 / 10)))
    assert pts(r, "upper")[2] == pytest.approx(1000 * (0.1 + 3 * math.sqrt(0.1 / 30)))
    assert pts(r, "lower")[0] == 0.0
    assert pts(r, "rate") == pytest.approx([100.0, 100.0, 100.0])


def test_p_chart_clipped_to_unit_interval():
    r = compute({"values": [9, 10], "denominators": [10, 10], "chart": "p"})
    assert pts(r, "centre")[0] == pytest.approx(0.95)
    assert pts(r, "upper")[0] == 1.0
    assert pts(r, "lower")[0] == pytest.approx(0.95 - 3 * math.sqrt(0.95 * 0.05 / 10))


def test_laney_u_prime():
    # u = 0.25, sigma_i = 0.05, z = -3, -1, 1, 3, MR 2 -> sigma_z = 2 / 1.128
    r = compute({"values": [10, 20, 30, 40], "denominators": [100] * 4, "chart": "up"})
    assert r["phases"][0]["sigma_z"] == pytest.approx(2 / 1.128)
    assert pts(r, "upper")[0] == pytest.approx(0.25 + 3 * 0.05 * 2 / 1.128)
    assert pts(r, "lower")[0] == 0.0


def test_laney_p_prime_matches_hand_calculation():
    counts, n = [10, 20, 15, 25], [100] * 4
    r = compute({"values": counts, "denominators": n, "chart": "pp"})
    p = 70 / 400
    s = math.sqrt(p * (1 - p) / 100)
    z = [(c / 100 - p) / s for c in counts]
    sigma_z = np.mean(np.abs(np.diff(z))) / 1.128
    assert pts(r, "upper")[0] == pytest.approx(p + 3 * s * sigma_z)


# --- rules ---------------------------------------------------------------------------------

def test_shift_six_vs_seven_points():
    six = compute({"values": [5, 5, 5, 5, 1, 1, 1, 1, 1, 1], "chart": "run", "freeze": 4})
    seven = compute({"values": [5, 5, 5, 5, 1, 1, 1, 1, 1, 1, 1], "chart": "run", "freeze": 4})
    assert not any("shift" in r for r in pts(six, "rules"))
    assert [("shift" in r) for r in pts(seven, "rules")] == [False] * 4 + [True] * 7


def test_trend_six_vs_seven_points():
    six = compute({"values": [3, 3, 1, 2, 3, 4, 5, 6], "chart": "run"})
    seven = compute({"values": [3, 3, 1, 2, 3, 4, 5, 6, 7], "chart": "run"})
    assert not any("trend" in r for r in pts(six, "rules"))
    assert [("trend" in r) for r in pts(seven, "rules")] == [False] * 2 + [True] * 7


def test_shift_and_trend_lengths_are_configurable():
    r = compute({"values": [5, 5, 5, 5, 1, 1, 1, 1, 1, 1], "chart": "run", "freeze": 4,
                 "shift_length": 6})
    assert sum("shift" in x for x in pts(r, "rules")) == 6


def test_point_on_centre_line_breaks_mdc_shift_but_not_anhoej_run():
    values = [1, 1, 1, 5, 5, 5, 3, 5, 5, 5, 5]  # baseline 1,5 ... median of first 7 is 3
    r = compute({"values": values, "chart": "run", "freeze": 7, "rules": "both"})
    assert not any("shift" in x for x in pts(r, "rules"))  # 3 = centre splits 3 + 4 points
    assert r["phases"][0]["runs"]["longest_run"] == 7  # Anhøj ignores the point on the line
    assert r["phases"][0]["runs"]["n_useful"] == 10


def test_missing_point_breaks_mdc_shift_but_anhoej_run_bridges_it():
    values = [1, 1, 1, 9, 9, 9, None, 9, 9, 9, 9]
    r = compute({"values": values, "chart": "run", "freeze": 4, "rules": "both"})
    assert not any("shift" in x for x in pts(r, "rules"))
    assert r["phases"][0]["runs"]["longest_run"] == 7
    assert pts(r, "classification")[6] is None
    assert pts(r, "missing")[6] is True


def test_outside_limits_and_classification_by_direction():
    values = [10, 11] * 10 + [30]
    up = compute({"values": values, "chart": "i", "improvement": "increase"})
    down = compute({"values": values, "chart": "i", "improvement": "decrease"})
    neutral = compute({"values": values, "chart": "i", "improvement": "neutral"})
    assert pts(up, "rules")[-1] == ["outside_limits"]
    assert pts(up, "classification")[-1] == "special_cause_improvement"
    assert pts(down, "classification")[-1] == "special_cause_concern"
    assert pts(neutral, "classification")[-1] == "special_cause_neutral_high"
    assert up["summary"]["variation_icon"] == "improvement_high"
    assert down["summary"]["variation_icon"] == "concern_high"
    assert neutral["summary"]["variation_icon"] == "neutral_high"


def test_two_of_three_beyond_two_sigma():
    base = [10, 12] * 10  # mean 11, MR 2: 2-sigma line at 11 + 3.5467, limit 11 + 5.32
    r = compute({"values": base + [15, 11.5, 15], "chart": "i", "freeze": 20})
    assert [("two_of_three" in x) for x in pts(r, "rules")[-3:]] == [True, False, True]


def test_anhoej_few_crossings_flags_phase():
    values = [1] * 10 + [9] * 10
    r = compute({"values": values, "chart": "run", "rules": "anhoej"})
    runs = r["phases"][0]["runs"]
    assert (runs["crossings"], runs["crossings_min"], runs["signal"]) == (1, 6, True)
    assert all("few_crossings" in x for x in pts(r, "rules"))


# --- baselines, phases, missing values ---------------------------------------------------

def test_freeze_extends_baseline_limits():
    values = [1, 3, 2, 4] + [50, 60]
    r = compute({"values": values, "chart": "i", "freeze": 4})
    assert pts(r, "centre") == [2.5] * 6
    assert pts(r, "baseline") == [True] * 4 + [False] * 2
    assert pts(r, "rules")[-1] == ["outside_limits"]


def test_breaks_like_qicharts2_part():
    values = [1, 3, 2, 4, 11, 13, 12, 14]
    r = compute({"values": values, "chart": "i", "breaks": [4]})
    assert pts(r, "phase") == [0] * 4 + [1] * 4
    assert pts(r, "centre") == [2.5] * 4 + [12.5] * 4
    assert [(p["start"], p["end"]) for p in r["phases"]] == [(0, 3), (4, 7)]


def test_breaks_by_date_and_freeze_within_each_phase():
    dates = [f"2024-01-{d:02d}" for d in range(1, 9)]
    values = [1, 3, 100, 100, 11, 13, 100, 100]
    r = compute({"values": values, "dates": dates, "chart": "i", "breaks": ["2024-01-05"],
                 "freeze": 2})
    assert pts(r, "centre") == [2.0] * 4 + [12.0] * 4
    assert pts(r, "baseline") == [True, True, False, False] * 2


def test_freeze_by_date_range():
    dates = [f"2024-01-{d:02d}" for d in range(1, 7)]
    r = compute({"values": [9, 1, 3, 9, 9, 9], "dates": dates, "chart": "i",
                 "freeze": ["2024-01-02", "2024-01-03"]})
    assert pts(r, "centre")[0] == 2.0


def test_missing_values_keep_place_and_are_not_zero():
    r = compute({"values": [2, None, 4, float("nan")], "chart": "c"})
    assert pts(r, "centre")[0] == 3.0
    assert pts(r, "missing") == [False, True, False, True]
    assert pts(r, "rate")[1] is None


def test_missing_point_breaks_moving_range():
    r = compute({"values": [1, 3, None, 10, 12], "chart": "i", "screen_mr": False})
    assert r["phases"][0]["mean_moving_range"] == 2.0  # |3-1| and |12-10|, nothing across None


def test_missing_count_drops_its_denominator_like_qicharts2():
    r = compute({"values": [1, None, 3], "denominators": [10, 1000, 30], "chart": "u"})
    assert pts(r, "centre")[0] == pytest.approx(4 / 40)
    assert pts(r, "upper")[1] is None


# --- targets, icons and summary ----------------------------------------------------------

def test_reduction_target_and_assurance():
    values = [10, 12] * 10
    r = compute({"values": values, "chart": "i", "improvement": "decrease",
                 "target": {"reduction": 0.5, "deadline": "2030-01-01"}})
    t = r["summary"]["target"]
    assert t["value"] == pytest.approx(5.5)  # 50% below the baseline centre 11
    assert t["kind"] == "reduction" and t["deadline"] == "2030-01-01"
    assert t["met"] is False
    assert r["summary"]["assurance_icon"] == "consistent_fail"  # 5.5 < lower limit 5.68


def test_assurance_none_without_target_or_for_run_chart():
    assert compute({"values": [1, 2, 3], "chart": "i"})["summary"]["assurance_icon"] is None
    r = compute({"values": [1, 2, 3], "chart": "run", "target": 2})
    assert r["summary"]["assurance_icon"] is None


def test_summary_recent_change_and_sustained_signal():
    dates = [f"2024-{m:02d}-01" for m in range(1, 13)]
    values = [10, 12] * 3 + [4, 4, 4, 4, 4, 4]
    r = compute({"values": values, "dates": dates, "chart": "i", "freeze": 6,
                 "improvement": "decrease", "recent_n": 4, "shift_length": 6})
    s = r["summary"]
    assert s["baseline_centre"] == 11.0
    assert s["recent_value"] == 4.0
    assert s["percent_change"] == pytest.approx(-700 / 11)
    assert s["sustained_signal"] is True
    assert (s["sustained_since_index"], s["sustained_since_date"]) == (6, "2024-07-01")
    assert s["sustained_side"] == "below"
    assert s["latest_date"] == "2024-12-01"


def test_rate_summary_pools_counts_and_denominators():
    r = compute({"values": [1, 2, 3, 4], "denominators": [100, 100, 200, 100], "chart": "u",
                 "multiply": 1000, "recent_n": 2})
    assert r["summary"]["recent_value"] == pytest.approx(7 / 300 * 1000)


def test_output_is_strict_json():
    r = compute({"values": [1, None, 3, 4], "denominators": [10, None, 10, 10], "chart": "u"})
    json.dumps(r, allow_nan=False)


def test_compute_chart_object_api():
    result = compute_chart([1, 3, 2, 4], options=ChartOptions(chart="i"))
    assert result.points.centre.tolist() == [2.5] * 4
    assert result.phases[0].limits.centre == 2.5
    assert result.to_dict()["points"]["centre"] == [2.5] * 4


# --- bad input -----------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("spec", "error"),
    [
        ({"values": []}, engine.EmptySeriesError),
        ({"values": [1], "chart": "i"}, engine.SeriesTooShortError),
        ({"values": [1, None, 2], "chart": "i"}, engine.SeriesTooShortError),
        ({"values": [1, -1], "chart": "c"}, engine.NegativeCountError),
        ({"values": [1, 2], "chart": "u"}, engine.InvalidDenominatorError),
        ({"values": [1, 2], "denominators": [1, 0], "chart": "u"}, engine.InvalidDenominatorError),
        ({"values": [1, 2], "denominators": [1, None], "chart": "u"},
         engine.InvalidDenominatorError),
        ({"values": [3, 2], "denominators": [2, 5], "chart": "p"},
         engine.CountExceedsDenominatorError),
        ({"values": [1, 2, 3], "freeze": 4}, engine.BaselineError),
        ({"values": [1, 2, 3], "breaks": [3]}, engine.InvalidBreaksError),
        ({"values": [1, 2, 3], "breaks": [0]}, engine.InvalidBreaksError),
        ({"values": [1, 2, 3, 4], "breaks": [2, 1]}, engine.InvalidBreaksError),
        ({"values": [1, 2], "dates": ["2024-01-02", "2024-01-01"]}, engine.InvalidDateError),
        ({"values": [1, 2], "dates": ["2024-01-01"]}, engine.LengthMismatchError),
        ({"values": [1, "x"]}, engine.InvalidValueError),
        ({"values": [1, float("inf")]}, engine.InvalidValueError),
        ({"values": [1, 2], "chart": "xbar"}, engine.InvalidOptionError),
        ({"values": [1, 2], "colour": "red"}, engine.InvalidOptionError),
        ({"values": [1, 2], "target": {"reduction": 1.5}}, engine.InvalidTargetError),
    ],
)
def test_bad_input_raises_specific_error(spec, error):
    spec = {"chart": "c", **spec}
    with pytest.raises(error) as info:
        compute(spec)
    assert isinstance(info.value, ValueError)


def test_batch_on_error_return():
    out = engine.compute_batch([{"values": [1, 2, 3], "chart": "c"},
                                {"values": [1, -2], "chart": "c"},
                                {"values": [1], "chart": "i"}], on_error="return")
    assert out[0]["points"]["centre"][0] == 2.0
    assert out[1]["error"]["type"] == "NegativeCountError"
    assert out[2]["error"]["type"] == "SeriesTooShortError"


def test_engine_imports_without_django():
    code = "import sys, spc.engine; assert 'django' not in sys.modules"
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", code], cwd=root, check=True)


def test_command_line_reads_csv(tmp_path):
    out = io.StringIO()
    csv_text = "date,value,denominator\n2024-01-01,3,300\n2024-01-08,,310\n2024-01-15,5,290\n"
    assert main(["--chart", "u", "--multiply", "1000"], io.StringIO(csv_text), out) == 0
    result = json.loads(out.getvalue())
    assert result["points"]["missing"] == [False, True, False]
    assert result["points"]["centre"][0] == pytest.approx(8 / 590 * 1000)
