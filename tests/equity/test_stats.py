"""Exact intervals and suppression (equity/stats.py): hand-worked values and properties."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equity.stats import (
    binomial_cdf,
    clopper_pearson,
    rate_ratio,
    suppressed_cells,
)

binomtest = pytest.importorskip("scipy.stats").binomtest  # dev-only dependency


def test_it_gives_the_textbook_clopper_pearson_interval():
    # Clopper & Pearson's exact 95% interval for 2 of 10 (also R: binom.test(2, 10)$conf.int):
    # 0.02521073 to 0.55609546.
    lower, upper = clopper_pearson(2, 10)
    assert lower == pytest.approx(0.02521073, abs=1e-8)
    assert upper == pytest.approx(0.55609546, abs=1e-8)


def test_it_bounds_the_interval_at_zero_and_all():
    assert clopper_pearson(0, 10)[0] == 0.0
    assert clopper_pearson(0, 10)[1] == pytest.approx(1 - 0.025 ** (1 / 10), abs=1e-10)
    assert clopper_pearson(10, 10) == (pytest.approx(0.025 ** (1 / 10), abs=1e-10), 1.0)


def test_it_works_out_a_rate_ratio_by_hand():
    # Hand-worked: 60 restraints in 2,000 bed days of Black patients, 100 in 10,000 of White
    # patients: rates 30 and 10 per 1,000, ratio 60/100 × 10,000/2,000 = 3.0. Conditional on
    # 160 events, Black patients' share is Binomial(160, π), π = 3·2,000 / (3·2,000 + 10,000);
    # the exact interval for 60 of 160 is 0.29982 to 0.45490 (scipy's binomtest, below), and
    # RR = π / (1 − π) × 5 maps it to 2.1410 to 4.1726.
    rr = rate_ratio(60, 2000, 100, 10000)
    assert rr.ratio == pytest.approx(3.0)
    assert rr.lower == pytest.approx(0.29982280 / (1 - 0.29982280) * 5, abs=1e-6)
    assert rr.upper == pytest.approx(0.45489990 / (1 - 0.45489990) * 5, abs=1e-6)
    assert rr.enough_events


@settings(deadline=None)
@given(st.integers(0, 300), st.integers(1, 300), st.floats(100, 50_000), st.floats(100, 50_000))
def test_it_agrees_with_scipys_exact_binomial_interval(a, b, days_a, days_b):
    """An independent implementation: scipy.stats.binomtest (a dev-only dependency)."""
    ci = binomtest(a, a + b).proportion_ci(confidence_level=0.95, method="exact")
    rr = rate_ratio(a, days_a, b, days_b)
    scale = days_b / days_a
    assert rr.lower == pytest.approx(ci.low / (1 - ci.low) * scale, rel=1e-7, abs=1e-12)
    assert rr.upper == pytest.approx(ci.high / (1 - ci.high) * scale, rel=1e-7)


def test_it_says_when_there_are_too_few_events_to_compare():
    assert not rate_ratio(3, 500, 40, 9000).enough_events
    assert rate_ratio(0, 500, 0, 9000).ratio is None
    assert rate_ratio(4, 500, 0, 9000).upper is None


def test_it_refuses_a_group_without_bed_days():
    with pytest.raises(ValueError, match="bed days"):
        rate_ratio(3, 0, 10, 100)


@given(st.integers(0, 60), st.integers(1, 60), st.floats(0.01, 0.99))
def test_the_cdf_matches_a_direct_sum(k, n, p):
    direct = sum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(min(k, n) + 1))
    assert binomial_cdf(k, n, p) == pytest.approx(direct, abs=1e-9)


@given(st.integers(1, 200).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_the_interval_holds_the_estimate(xn):
    x, n = xn
    lower, upper = clopper_pearson(x, n)
    assert 0 <= lower <= x / n <= upper <= 1


def test_it_hides_small_counts_and_one_more_when_one_alone_would_show():
    assert suppressed_cells([0, 3, 40, 12]) == [False, True, False, True]
    assert suppressed_cells([2, 3, 40]) == [True, True, False]
    assert suppressed_cells([0, 40, 12]) == [False, False, False]
    assert suppressed_cells([5, 0, 0]) == [True, False, False]  # nothing else to hide
    assert suppressed_cells([8, 9], up_to=9) == [True, True]
