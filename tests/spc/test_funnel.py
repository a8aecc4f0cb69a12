"""Funnel limits against values worked by hand (Spiegelhalter 2005, appendix A.1.1).

Poisson(5) cumulative probabilities, from the pmf e^-5 5^r / r!:
P(R≤0) = 0.006738, P(R≤1) = 0.040428, P(R≤9) = 0.968172, P(R≤10) = 0.986305.

Target 10 per 1,000 bed days, 500 bed days: expected count θE = 0.01 × 500 = 5.
- 97.5%: r_p = 10; α = (0.986305 − 0.975) / (0.986305 − 0.968172) = 0.62345;
  limit 10 − 0.62345 = 9.37655 events → 9.37655 / 500 × 1000 = 18.7531 per 1,000.
- 2.5%: r_p = 1; α = (0.040428 − 0.025) / (0.040428 − 0.006738) = 0.45794;
  limit 0.54206 events → 1.08413 per 1,000.
- Normal approximation: 10 ± 1.959964 × √(0.01 / 500) × 1000 = 10 ± 8.76523.
"""

import pytest

from spc.funnel import funnel_curve_exposures, funnel_limits, funnel_points, poisson_limit


def test_it_interpolates_the_poisson_quantiles_as_worked_by_hand():
    assert poisson_limit(5, 0.975) == pytest.approx(9.37655, abs=1e-4)
    assert poisson_limit(5, 0.025) == pytest.approx(0.54206, abs=1e-4)


def test_it_gives_exact_95_limits_per_1000_bed_days():
    limits = funnel_limits(10, [500], probs=(0.95,))
    assert limits.upper[0.95][0] == pytest.approx(18.7531, abs=1e-3)
    assert limits.lower[0.95][0] == pytest.approx(1.08413, abs=1e-3)


def test_it_gives_the_normal_approximation():
    limits = funnel_limits(10, [500], probs=(0.95,), method="normal")
    assert limits.upper[0.95][0] == pytest.approx(18.76523, abs=1e-4)
    assert limits.lower[0.95][0] == pytest.approx(1.23477, abs=1e-4)


def test_exact_and_normal_limits_agree_for_large_exposures():
    exact = funnel_limits(10, [500_000], method="exact")
    normal = funnel_limits(10, [500_000], method="normal")
    for p in (0.95, 0.998):
        assert exact.upper[p][0] == pytest.approx(normal.upper[p][0], rel=2e-3)


def test_limits_never_go_below_zero_and_narrow_with_exposure():
    limits = funnel_limits(10, [50, 500, 5000])
    assert limits.lower[0.998][0] == 0.0
    widths = [hi - lo for lo, hi in zip(limits.lower[0.998], limits.upper[0.998], strict=True)]
    assert widths == sorted(widths, reverse=True)


def test_it_flags_units_by_the_widest_limit_they_pass():
    funnel = funnel_points([3, 20, 5], [500, 500, 1000])
    assert funnel.target == pytest.approx(28 / 2000 * 1000)
    assert [p.flag for p in funnel.points] == ["within", "above_0.998", "below_0.95"]


def test_it_copes_with_no_exposure_and_no_events():
    funnel = funnel_points([0, 0], [0, 100])
    assert funnel.target == 0.0
    assert funnel.points[0].rate is None and funnel.points[0].flag == "within"
    assert funnel_curve_exposures(0) == ()
    assert len(funnel_curve_exposures(1000, n=10)) == 10


def test_it_refuses_bad_input():
    with pytest.raises(ValueError):
        funnel_limits(-1, [10])
    with pytest.raises(ValueError):
        funnel_points([1], [1, 2])
    with pytest.raises(ValueError):
        funnel_limits(1, [10], probs=(1.5,))
