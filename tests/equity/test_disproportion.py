"""Rates, ratios, baselines and suppression of a scope's breakdowns (equity/disproportion.py)."""

import pytest

from equity.disproportion import disproportion
from equity.trend import ratio_trend
from measures.models import Measure

from .helpers import breakdown, week

pytestmark = pytest.mark.django_db


@pytest.fixture
def restraint():
    return Measure.objects.get(code="physical_restraint")


def test_it_gives_each_groups_rate_and_its_ratio_against_white_patients(ward, restraint):
    # 26 weeks; White: 100 bed days and 1 restraint a week, Black: 20 bed days, 1 a fortnight.
    for n in range(26):
        breakdown(ward, week(n), {"A": (100, 1), "N": (20, n % 2)})
    table = disproportion("trust", ward.trust_id, restraint, "ethnicity", show_small_numbers=True)
    white, black = table.rows
    assert (white.group, white.events, white.bed_days, white.is_reference) == (
        "White", 26, 2600, True)
    assert black.rate == pytest.approx(13 / 520 * 1000)
    assert black.ratio.ratio == pytest.approx((13 / 520) / (26 / 2600))  # 2.5
    assert black.ratio.lower < 2.5 < black.ratio.upper
    assert table.sentences == [
        f"Black patients were restrained 2.5 times as often per bed day as White patients "
        f"(95% CI {black.ratio.lower:.1f}–{black.ratio.upper:.1f}) in the last 26 weeks."]


def test_it_compares_with_the_baseline_when_the_breakdowns_go_back_far_enough(ward, restraint):
    for n in range(52):
        breakdown(ward, week(n), {"A": (100, 1), "N": (20, 1 if n < 26 else n % 2)})
    table = disproportion("ward", ward.pk, restraint, "ethnicity", show_small_numbers=True)
    black = table.rows[1]
    assert black.baseline_ratio == pytest.approx(5.0)
    assert black.ratio.ratio == pytest.approx(2.5)
    assert table.sentences[0].endswith("in the last 26 weeks; baseline 5.0.")


def test_it_hides_small_counts_and_what_gives_them_away_outside_the_trust(ward, restraint):
    for n in range(10):
        breakdown(ward, week(n), {"A": (100, 3), "N": (20, 1 if n < 5 else 0),
                                  "H": (20, 1), "Z": (10, 0)})  # fmt: skip
    outside = disproportion("trust", ward.trust_id, restraint, "ethnicity",
                            show_small_numbers=False)  # fmt: skip
    shown = {r.group: r for r in outside.rows}
    # Black 5 (primary), Asian 10 shown; a single hidden cell would be worked out from the
    # total, so the smallest other non-zero (Asian, 10) is hidden too (secondary).
    assert shown["Black"].events is None and shown["Black"].rate is None
    assert shown["Asian"].events is None
    assert shown["White"].events == 30
    assert shown["Black"].ratio is None and "hidden" in shown["Black"].note
    assert outside.suppressed and not outside.sentences
    inside = disproportion("trust", ward.trust_id, restraint, "ethnicity",
                           show_small_numbers=True)  # fmt: skip
    assert {r.group: r.events for r in inside.rows} == {
        "White": 30, "Asian": 10, "Black": 5, "Not stated or not known": 0}


def test_it_says_too_few_events_rather_than_an_interval_that_means_nothing(ward, restraint):
    for n in range(26):
        breakdown(ward, week(n), {"A": (100, 1), "N": (20, 1 if n < 3 else 0)})
    table = disproportion("trust", ward.trust_id, restraint, "ethnicity", show_small_numbers=True)
    assert not table.rows[1].ratio.enough_events
    assert table.sentences == [
        "Too few events to compare Black patients with White patients in the last 26 weeks: "
        "an interval needs at least 5 events in each group."]


def test_a_ratio_that_narrows_shows_as_a_signal_on_its_run_chart(ward, restraint):
    # 24 periods of 4 weeks: Black patients 4x as often for 12 periods, then 1.5x.
    for n in range(96):
        black = (8 if n < 48 else 3) if n % 2 == 0 else 0
        breakdown(ward, week(n), {"A": (200, 2), "N": (100, black)})
    trend = ratio_trend("trust", ward.trust_id, restraint, "ethnicity", "Black", "White",
                        show_small_numbers=True)  # fmt: skip
    assert len(trend.periods) == 24
    assert trend.ratios[0] == pytest.approx(4.0) and trend.ratios[-1] == pytest.approx(1.5)
    assert trend.signal and "has changed" in trend.sentence


def test_a_steady_ratio_gives_no_signal_and_too_few_periods_say_so(ward, restraint):
    rng_pattern = [8, 7, 9, 8, 6, 9, 7, 8, 9, 7, 8, 6, 9, 8, 7, 8]
    for n, black in enumerate(rng_pattern * 4):
        breakdown(ward, week(n), {"A": (200, 4), "N": (100, black // 4)})
    steady = ratio_trend("trust", ward.trust_id, restraint, "ethnicity", "Black", "White",
                         show_small_numbers=True)  # fmt: skip
    assert not steady.signal and "no signal of change" in steady.sentence
    few = ratio_trend("trust", ward.trust_id, restraint, "ethnicity", "Black", "White",
                      show_small_numbers=False)  # fmt: skip
    assert "Too few 4-week periods" in few.sentence
