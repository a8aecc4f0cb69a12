"""Published reference values reproduced exactly; each test names its source.

qicharts2 = anhoej/qicharts2 @ 1b9487e, NHSRplotthedots = nhs-r-community/NHSRplotthedots @ 050b07d.
The qicharts2 cases in golden/qicharts2_reference.json were extracted from the package's own
testthat reference files (tests/testthat/*.rds, read with pyreadr): inputs and the expected
centre, limits, sigma signals and runs analysis, all at full double precision.
"""

import json
from pathlib import Path

import numpy as np
import pytest

from spc.engine import anhoej_limits, compute, find_shifts, find_trends, find_two_of_three

GOLDEN = json.loads((Path(__file__).parent / "golden" / "qicharts2_reference.json").read_text())
POINT_CASES = [c for c in GOLDEN["cases"] if "expected" in c]


def floats(values):
    return np.array([np.nan if v is None else v for v in values], dtype=float)


@pytest.mark.parametrize("case", POINT_CASES, ids=[c["name"] for c in POINT_CASES])
def test_qicharts2_testthat_reference(case):
    """Source: qicharts2 tests/testthat/test_montgomery.R and the .rds named in the case."""
    result = compute(case["spec"])
    expected = case["expected"]
    for key in ("rate", "centre", "upper", "lower"):
        np.testing.assert_allclose(floats(result["points"][key]), floats(expected[key]),
                                   rtol=1e-12, atol=0, err_msg=f"{case['source']}: {key}")
    outside = ["outside_limits" in r for r in result["points"]["rules"]]
    assert outside == expected["sigma_signal"], case["source"]
    if case["spec"]["chart"] != "mr":  # qicharts2 switches the runs analysis off for mr charts
        runs = result["phases"][0]["runs"]
        want = expected["runs"]
        assert runs["n_useful"] == want["n.useful"]
        assert runs["longest_run"] == want["longest.run"]
        assert runs["longest_run_max"] == want["longest.run.max"]
        assert runs["crossings"] == want["n.crossings"]
        assert runs["crossings_min"] == want["n.crossings.min"]
        assert runs["signal"] == expected["runs_signal"]


def test_qicharts2_hospital_infections_summary():
    """Source: qicharts2 tests/testthat/test_hai.R, hai_1.rds: summary() of
    qic(month, n, days, data = hospital_infections, chart = 'u') (monthly sums)."""
    case = next(c for c in GOLDEN["cases"] if c["name"] == "hospital_infections_u_summary")
    result = compute(case["spec"])
    want = case["expected_summary"]
    runs = result["phases"][0]["runs"]
    assert (runs["n_useful"], runs["longest_run"], runs["longest_run_max"], runs["crossings"],
            runs["crossings_min"], runs["signal"]) == (24, 4, 8, 12, 8, False)
    assert want["n.useful"] == 24 and want["longest.run"] == 4 and want["n.crossings"] == 12
    assert np.mean(floats(result["points"]["lower"])) == pytest.approx(want["aLCL"], rel=1e-12)
    assert np.mean(floats(result["points"]["upper"])) == pytest.approx(want["aUCL"], rel=1e-12)
    assert result["phases"][0]["centre"] == pytest.approx(want["CL"], rel=1e-12)
    assert sum("outside_limits" in r for r in result["points"]["rules"]) == want["sigma.signal"]


def test_anhoej_critical_values_table():
    """Source: qicharts2 vignette (docs/articles/qicharts2.html) Appendix 2, n = 10..100."""
    for row in GOLDEN["anhoej_critical_values"]["rows"]:
        assert anhoej_limits(row["n"]) == (row["longest_run_max"], row["crossings_min"]), row


def test_anhoej_vignette_worked_numbers():
    """Source: qicharts2 vignette, 'The Anhøj rules': with 24 useful points a run longer than
    round(log2(24) + 3) = 8 or fewer than qbinom(0.05, 23, 0.5) = 8 crossings signals."""
    assert anhoej_limits(24) == (8, 8)


# set.seed(123); rnorm(20) as printed by R (8 decimals); NHSRplotthedots'
# tests/testthat/test-ptd_spc_standard.R builds its data this way.
RNORM_123 = [-0.56047565, -0.23017749, 1.55870831, 0.07050839, 0.12928774, 1.71506499,
             0.46091621, -1.26506123, -0.68685285, -0.44566197, 1.22408180, 0.35981383,
             0.40077145, 0.11068272, -0.55584113, 1.78691314, 0.49785048, -1.96661716,
             0.70135590, -0.47279141]


@pytest.mark.parametrize(
    ("outlier", "screen", "mean", "lpl", "upl"),
    [
        (False, True, 0.1416238, -3.01138, 3.294627),
        (True, True, 0.6694159, -2.383666, 3.722497),
        (True, False, 0.6694159, -4.596625, 5.935457),
    ],
)
def test_nhsrplotthedots_spc_standard_snapshot(outlier, screen, mean, lpl, upl):
    """Source: NHSRplotthedots tests/testthat/_snaps/ptd_spc_standard.md (r1, r2, r3:
    y[15] <- 10, screen_outliers TRUE / FALSE). Values printed by R to 7 significant digits."""
    y = list(RNORM_123)
    if outlier:
        y[14] = 10
    result = compute({"values": y, "chart": "i", "screen_mr": screen})
    assert result["points"]["centre"][0] == pytest.approx(mean, abs=5e-8)
    assert result["points"]["lower"][0] == pytest.approx(lpl, abs=5e-6)
    assert result["points"]["upper"][0] == pytest.approx(upl, abs=5e-7)


def test_nhsrplotthedots_two_in_three_needs_same_side():
    """Source: NHSRplotthedots test-ptd_spc_standard.R, 'it only reports special cause for
    2of3 points close to limits when they are on the same side of the mean'."""
    data = [1.0, -1.0] * 8
    data[14], data[15] = 5.5, -5.5
    result = compute({"values": data, "chart": "i"})
    assert result["points"]["classification"][-2:] == ["common_cause", "common_cause"]


def test_nhsrplotthedots_seven_point_one_side():
    """Source: NHSRplotthedots test-ptd_calculate_point_type.R, ptd_seven_point_one_side_mean
    and ptd_part_of_seven_trend: 6 points do not make a shift; 8 then a change do."""
    flags, _ = find_shifts(np.array([1] * 6, dtype=np.int8))
    assert not flags.any()
    flags, _ = find_shifts(np.array([1] * 6 + [-1], dtype=np.int8))
    assert not flags.any()
    flags, _ = find_shifts(np.array([-1] * 8 + [1], dtype=np.int8))
    assert flags.tolist() == [True] * 8 + [False]


@pytest.mark.parametrize(
    ("y", "expected"),
    [
        (list(range(1, 7)), [0] * 6),
        ([1, 2, 3, 3, 4, 5, 6], [0] * 7),
        (list(range(1, 8)), [1] * 7),
        ([2, 1, 2, 3, 4, 5, 6, 7, 3], [0] + [1] * 7 + [0]),
        (list(range(7, 0, -1)), [1] * 7),
        ([2, 7, 6, 5, 4, 3, 2, 1, 3], [0] + [1] * 7 + [0]),
    ],
)
def test_nhsrplotthedots_seven_point_trend(y, expected):
    """Source: NHSRplotthedots test-ptd_calculate_point_type.R, ptd_seven_point_trend cases
    (the trend ends there; every point of it is part of the trend)."""
    flags, direction = find_trends(np.array(y, dtype=float))
    assert flags.astype(int).tolist() == expected
    if any(expected):
        assert set(direction[flags].tolist()) == {1 if y[1] < y[2] else -1}


@pytest.mark.parametrize(
    ("close", "side", "expected"),
    [
        ([1, 0, 1], [1, 1, 1], [1, 0, 1]),
        ([0, 1, 1], [1, 1, 1], [0, 1, 1]),
        ([0, 0, 1, 0, 1, 0, 0], [1] * 7, [0, 0, 1, 0, 1, 0, 0]),
        ([0, 0, 1, 1, 0, 0, 0], [1] * 7, [0, 0, 1, 1, 0, 0, 0]),
        ([1, 0, 0, 1], [1] * 4, [0, 0, 0, 0]),
        ([1, 0, 0, 1, 1], [1] * 5, [0, 0, 0, 1, 1]),
        ([1, 0, 1], [1, -1, 1], [0, 0, 0]),
        ([0, 0, 1, 1, 0, 0, 0], [-1, 1, -1, 1, -1, 1, -1], [0] * 7),
    ],
)
def test_nhsrplotthedots_part_of_two_in_three(close, side, expected):
    """Source: NHSRplotthedots test-ptd_calculate_point_type.R, ptd_two_in_three and
    ptd_part_of_two_in_three cases."""
    flags = find_two_of_three(np.array(close, dtype=bool), np.array(side, dtype=np.int8))
    assert flags.astype(int).tolist() == expected


@pytest.mark.parametrize(
    ("improvement", "expected"),
    [
        ("increase", ["consistent_fail", "consistent_pass", "hit_and_miss"]),
        ("decrease", ["consistent_pass", "consistent_fail", "hit_and_miss"]),
        ("neutral", [None, None, None]),
    ],
)
def test_nhsrplotthedots_assurance(improvement, expected):
    """Source: NHSRplotthedots test-ptd_calculate_assurance_type.R: limits (1, 3), (5, 7),
    (1, 5) against target 4 ("inconsistent" there is our "hit_and_miss")."""
    got = []
    for lpl, upl in [(1, 3), (5, 7), (1, 5)]:
        # A constant-spread XmR series: mean (lpl + upl) / 2, MR such that 2.66 × MR̄ = half width.
        mean, half = (lpl + upl) / 2, (upl - lpl) / 2
        step = half / 2.66
        values = [mean - step / 2, mean + step / 2] * 10
        r = compute({"values": values, "chart": "i", "improvement": improvement, "target": 4})
        assert r["points"]["lower"][-1] == pytest.approx(lpl)
        assert r["points"]["upper"][-1] == pytest.approx(upl)
        got.append(r["summary"]["assurance_icon"])
    assert got == expected
