"""Periods (4-weekly, months) and between-event values: pure functions, tiny series, edge
cases (ISO week 53, a week spanning two months, partial periods) and properties."""

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spc import engine
from spc.engine import aggregate_weeks, between_events, months_from_events
from spc.engine.periods import four_week_key, four_week_length, month_key


def mondays(first: str, n: int) -> list[str]:
    start = dt.date.fromisoformat(first)
    return [(start + dt.timedelta(weeks=k)).isoformat() for k in range(n)]


def test_iso_week_53_joins_the_13th_period():
    # 2020 has 53 ISO weeks: 2020-12-28 is week 53
    assert four_week_key(dt.date(2020, 12, 28)) == (2020, 13)
    assert four_week_length(2020, 13) == 5
    assert four_week_length(2021, 13) == 4
    assert four_week_key(dt.date(2021, 1, 4)) == (2021, 1)
    p = aggregate_weeks([1] * 10, [100] * 10, mondays("2020-11-30", 10), "4week")
    assert p.labels == ("2020 P13", "2021 P01", "2021 P02")
    assert p.weeks_in_period.tolist() == [5, 4, 4]
    assert p.values.tolist()[:2] == [5, 4]


def test_a_week_spanning_two_months_belongs_to_its_thursdays_month():
    assert month_key(dt.date(2024, 1, 29)) == (2024, 2)  # Thursday 1 February
    assert month_key(dt.date(2024, 2, 26)) == (2024, 2)  # Thursday 29 February
    p = aggregate_weeks([1] * 10, None, mondays("2024-01-01", 10), "month")
    assert p.labels == ("2024-01", "2024-02", "2024-03")
    assert p.weeks_in_period.tolist() == [4, 5, 4]  # Thursdays in each month
    assert p.values[:2].tolist() == [4, 5] and np.isnan(p.values[2])  # 1 of 4 weeks


def test_exact_calendar_months_split_bed_days_by_day_and_count_events_by_date():
    weeks = mondays("2024-01-29", 6)  # Mon 29 Jan .. Sun 10 Mar
    events = np.array(["2024-01-30", "2024-02-02", "2024-02-10"], dtype="datetime64[D]")
    p = months_from_events(events, [2, 1, 0, 0, 0, 0], [70, 140, 70, 70, 70, 70], weeks)
    assert p.labels == ("2024-01", "2024-02", "2024-03")
    assert np.isnan(p.values[0]) and np.isnan(p.values[2])  # 3 of 31, 10 of 31 days
    assert p.values[1] == 2  # Jan 30 counts in January, by its own date
    assert p.denominators[1] == pytest.approx(40 + 140 + 70 + 70 + 40)
    assert p.weeks_present.tolist() == pytest.approx([3 / 7, 29 / 7, 10 / 7])
    assert p.weeks_in_period.tolist() == pytest.approx([31 / 7, 29 / 7, 31 / 7])


def test_partial_periods_are_missing_unless_more_than_half_present():
    values = [1, 2, None, None, 3, None, 4, 5]
    p = aggregate_weeks(values, [10] * 8, mondays("2024-01-01", 8), "4week")
    assert p.weeks_present.tolist() == [2, 3]
    assert np.isnan(p.values[0])  # 2 of 4: not more than half
    assert p.values[1] == 12 and p.denominators[1] == 30


def test_a_week_without_a_denominator_is_not_present():
    p = aggregate_weeks([1, 1, 1, 1], [10, None, 0, 10], mondays("2024-01-01", 4), "4week")
    assert p.weeks_present.tolist() == [2]
    assert np.isnan(p.values[0])


def test_week_period_gives_the_weeks_back():
    p = aggregate_weeks([1, None], [10, 10], mondays("2024-01-01", 2), "week")
    assert p.values[0] == 1 and np.isnan(p.values[1])


@pytest.mark.parametrize(("weeks", "error"), [
    (["2024-01-02"], engine.InvalidDateError),  # a Tuesday
    (["2024-01-08", "2024-01-01"], engine.InvalidDateError),
])
def test_weeks_must_be_increasing_mondays(weeks, error):
    with pytest.raises(error):
        aggregate_weeks([1] * len(weeks), None, weeks, "4week")


def test_unknown_period_and_empty_input_are_refused():
    with pytest.raises(engine.InvalidOptionError):
        aggregate_weeks([1], None, ["2024-01-01"], "quarter")
    with pytest.raises(engine.InvalidOptionError):
        aggregate_weeks([], None, [], "4week")


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(0, 9)), min_size=1, max_size=80),
       st.integers(0, 400), st.sampled_from(["4week", "month"]))
def test_aggregation_conserves_totals_of_present_periods(counts, offset, period):
    weeks = mondays((dt.date(2019, 1, 7) + dt.timedelta(weeks=offset)).isoformat(),
                    len(counts))
    bed_days = [100 + (k % 7) for k in range(len(counts))]
    p = aggregate_weeks(counts, bed_days, weeks, period)
    y = np.array([np.nan if c is None else c for c in counts], dtype=float)
    kept = ~np.isnan(p.values)
    in_kept = kept[p.week_period] & ~np.isnan(y)
    assert np.nansum(p.values) == pytest.approx(y[in_kept].sum())
    assert np.nansum(p.denominators) == pytest.approx(np.array(bed_days)[in_kept].sum())
    assert p.weeks_present.sum() == np.count_nonzero(~np.isnan(y))
    assert (p.weeks_in_period >= 4).all() and (p.weeks_in_period <= 5).all()


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=1, max_size=40), st.integers(0, 300))
def test_exact_months_conserve_events_and_bed_days(per_week, offset):
    weeks = mondays((dt.date(2019, 1, 7) + dt.timedelta(weeks=offset)).isoformat(),
                    len(per_week))
    rng = np.random.default_rng(len(per_week) + offset)
    events = np.sort(np.array([np.datetime64(w) + int(rng.integers(0, 7))
                               for w, k in zip(weeks, per_week, strict=True)
                               for _ in range(k)], dtype="datetime64[D]"))
    p = months_from_events(events, per_week, [70.0] * len(per_week), weeks)
    kept = ~np.isnan(p.values)
    months = events.astype("datetime64[M]").astype(str)
    assert np.nansum(p.values) == sum(1 for m in months if m in
                                      {lab for lab, k in zip(p.labels, kept, strict=True) if k})
    assert p.weeks_present.sum() == pytest.approx(len(per_week))


# --- between-event values --------------------------------------------------------------------

def test_between_events_days_bed_days_and_same_day_pairs():
    g = between_events(["2024-01-01", "2024-01-01", "2024-01-03", "2024-01-10"],
                       ["2024-01-01", "2024-01-08"], [70, 140])
    assert g.days.tolist() == [0, 2, 7]
    assert g.same_day == 1
    assert g.bed_days.tolist() == pytest.approx([0, 20, 50 + 40])
    assert g.dates == ("2024-01-01", "2024-01-03", "2024-01-10")
    assert g.event_number.tolist() == [2, 3, 4]


def test_a_gap_across_a_week_without_bed_days_is_missing():
    g = between_events(["2024-01-01", "2024-01-20"], mondays("2024-01-01", 3),
                       [70, None, 70])
    assert np.isnan(g.bed_days[0])


def test_between_events_needs_sorted_dates_inside_the_weeks():
    with pytest.raises(engine.InvalidDateError):
        between_events(["2024-01-03", "2024-01-01"])
    with pytest.raises(engine.InvalidEventsError):
        between_events(["2024-01-01", "2024-02-01"], ["2024-01-01"], [70])


def test_no_or_one_event_gives_no_gaps():
    assert len(between_events([]).days) == 0
    assert len(between_events(["2024-01-01"]).days) == 0
