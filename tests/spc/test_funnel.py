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

from spc.funnel import (
    chi2_upper,
    funnel_curve_exposures,
    funnel_dispersion,
    funnel_limits,
    funnel_points,
    poisson_limit,
)


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


# Over-dispersion (Spiegelhalter 2005, "Handling over-dispersion of performance indicators"),
# worked by hand: five units of 100 bed days each, target 90 per 1,000 (θ = 0.09 a bed day,
# so E = 9 and √E = 3), counts 1, 4, 9, 16, 25 (√O = 1 … 5).
# - z = 2(√O − √E) = −4, −2, 0, 2, 4.
# - 10% winsorising: the 10th percentile (R type 7) is −4 + 0.4 × 2 = −3.2, the 90th 3.2, so
#   z becomes −3.2, −2, 0, 2, 3.2; I·φ = 10.24 + 4 + 0 + 4 + 10.24 = 28.48, φ = 5.696.
# - χ² on 4 degrees of freedom, 95%: 9.488 (Wilson-Hilferty 9.456) < 28.48: over-dispersed.
# - s = 1 / (2√100) = 0.05, w = 1 / s² = 400; Σw = 2,000, Σw² / Σw = 400;
#   τ² = (28.48 − 4) / (2,000 − 400) = 0.0153.
# - Additive 95% limits at 100 bed days: √θ = 0.3, half-width 1.959964 × √(0.0025 + 0.0153)
#   = 0.261500; (0.561500)² = 0.315282 and (0.038500)² = 0.001482 a bed day:
#   315.28 and 1.482 per 1,000.
# - Multiplicative: half-width 1.959964 × √5.696 × 0.05 = 0.233887; (0.533887)² = 0.285035
#   and (0.066113)² = 0.004371: 285.04 and 4.371 per 1,000.
DISPERSED = {"counts": [1, 4, 9, 16, 25], "exposures": [100] * 5, "target": 90}


def test_it_measures_over_dispersion_with_winsorised_z_scores():
    d = funnel_dispersion(DISPERSED["counts"], DISPERSED["exposures"], target=90)
    assert d.z == pytest.approx((-4, -2, 0, 2, 4))
    assert d.statistic == pytest.approx(28.48)
    assert d.phi == pytest.approx(5.696)
    assert d.tau2 == pytest.approx(0.0153)
    assert d.threshold == pytest.approx(9.488, rel=5e-3)
    assert d.overdispersed


def test_it_gives_the_additive_random_effects_limits_worked_by_hand():
    d = funnel_dispersion(DISPERSED["counts"], DISPERSED["exposures"], target=90)
    limits = funnel_limits(90, [100], probs=(0.95,), method="additive", dispersion=d)
    assert limits.upper[0.95][0] == pytest.approx(315.282, abs=1e-2)
    assert limits.lower[0.95][0] == pytest.approx(1.482, abs=1e-2)


def test_it_gives_the_multiplicative_limits_worked_by_hand():
    d = funnel_dispersion(DISPERSED["counts"], DISPERSED["exposures"], target=90)
    limits = funnel_limits(90, [100], probs=(0.95,), method="multiplicative", dispersion=d)
    assert limits.upper[0.95][0] == pytest.approx(285.035, abs=1e-2)
    assert limits.lower[0.95][0] == pytest.approx(4.371, abs=1e-2)


def test_adjusted_limits_flag_fewer_units_than_poisson_ones():
    args = (DISPERSED["counts"], DISPERSED["exposures"])
    d = funnel_dispersion(*args, target=90)
    poisson = funnel_points(*args, target=90)
    additive = funnel_points(*args, target=90, method="additive", dispersion=d)
    # Poisson(9): 1, 16 and 25 lie beyond its 95% limits (about 3.4 and 15.3 events).
    assert [p.flag != "within" for p in poisson.points] == [True, False, False, True, True]
    assert [p.flag for p in additive.points] == ["within"] * 5


def test_it_finds_no_over_dispersion_in_poisson_spread():
    # Counts at their expected value give z = 0: less spread than chance, τ² = 0.
    d = funnel_dispersion([10, 20, 30, 40, 50], [1000, 2000, 3000, 4000, 5000])
    assert d.phi == pytest.approx(0.0) and d.tau2 == 0.0
    assert not d.overdispersed


def test_it_does_not_judge_dispersion_from_too_few_units():
    d = funnel_dispersion([1, 25], [100, 100], target=90)
    assert d.units == 2 and not d.judged and not d.overdispersed
    empty = funnel_dispersion([0, 0], [0, 100])
    assert empty.units == 1 and not empty.overdispersed


def test_adjusted_limits_need_the_dispersion():
    with pytest.raises(ValueError, match="dispersion"):
        funnel_limits(90, [100], method="additive")


def test_the_chi_squared_approximation_is_close_to_tables():
    # Tables: 95% points of χ² on 4, 9 and 29 degrees of freedom.
    for df, exact in ((4, 9.488), (9, 16.919), (29, 42.557)):
        assert chi2_upper(df, 0.95) == pytest.approx(exact, rel=5e-3)
