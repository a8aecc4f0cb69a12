"""Automatic chart choice on weekly input (spc.engine.auto, spc.engine.choice)."""

import datetime as dt
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spc import engine
from spc.engine import AutoResult, choose_chart, compute, compute_auto_batch, compute_batch
from spc.engine.choice import GAP_CHART_MIN_PER_WEEK, RANK, U_CHART_MIN_PER_POINT


def ward(rate: float, weeks: int = 46, seed: int = 1, start: str = "2024-01-01",
         events: bool = True, **extra) -> dict:
    rng = np.random.default_rng(seed)
    first = dt.date.fromisoformat(start)
    mondays = [(first + dt.timedelta(weeks=k)).isoformat() for k in range(weeks)]
    bed_days = rng.integers(120, 160, size=weeks).astype(float)
    counts = rng.poisson(rate * bed_days / 140)
    spec = {"chart": "auto", "values": counts.tolist(), "denominators": bed_days.tolist(),
            "dates": mondays, "freeze": 20, "improvement": "decrease", "multiply": 1000}
    if events:
        spec["events"] = sorted(
            (first + dt.timedelta(weeks=k, days=int(rng.integers(0, 7)))).isoformat()
            for k, c in enumerate(counts) for _ in range(c))
    return {**spec, **extra}


def test_it_picks_a_weekly_u_chart_when_incidents_are_common():
    r = compute(ward(6))
    assert r["chart"] == "u"
    assert r["auto"]["period"] == "week"
    assert r["auto"]["expected_per_week"] >= U_CHART_MIN_PER_POINT
    assert r["auto"]["reason"].endswith("weekly u chart")
    assert r["auto"]["statistic"] == "rate"
    json.dumps(r, allow_nan=False)


def test_it_picks_a_g_chart_of_bed_days_between_incidents_in_the_band():
    spec = ward(1.8, seed=3)
    r = compute(spec)
    e = r["auto"]["expected_per_week"]
    assert GAP_CHART_MIN_PER_WEEK <= e < U_CHART_MIN_PER_POINT, e
    assert r["chart"] == "g" and r["auto"]["period"] == "event"
    assert r["auto"]["statistic"] == "bed_days_between"
    assert "bed days between incidents" in r["auto"]["reason"]
    assert r["summary"]["improvement_applied"] == "increase"
    assert r["n"] == len(spec["events"]) - 1
    assert r["auto"]["event_number"][0] == 2
    assert r["points"]["date"] == spec["events"][1:]


def test_without_event_dates_the_band_gets_a_run_chart():
    r = compute(ward(1.8, seed=3, events=False))
    assert r["chart"] == "run"
    assert "too few incidents for SPC" in r["summary"]["warnings"][0]


def test_it_warns_plainly_when_there_are_too_few_events():
    r = compute(ward(0.2))
    assert r["chart"] == "run" and r["auto"]["period"] == "week"
    assert r["points"]["upper"] == [None] * r["n"]
    assert r["summary"]["warnings"][0].startswith("too few incidents for SPC")
    assert "incidents expected a week: too few incidents for SPC" in r["auto"]["reason"]


def test_a_baseline_without_incidents_never_gets_zero_width_limits():
    spec = ward(3)
    spec["values"] = [0] * 20 + spec["values"][20:]
    spec["events"] = [e for e in spec["events"] if e >= spec["dates"][20]]
    r = compute(spec)
    assert r["chart"] == "run" and r["auto"]["expected_per_week"] == 0


def test_a_period_asks_for_4_weekly_points_with_the_baseline_inside_the_baseline_weeks():
    # 2024-05-20 is week 21; the chart is asked for (a 5-point baseline gives an automatic
    # chart no limits, below).
    r = compute(ward(3, period="4week", chart="u", breaks=["2024-05-20"]))
    periods = r["auto"]["periods"]
    assert r["chart"] == "u" and r["auto"]["period"] == "4week"
    assert periods["label"][0] == "2024 P01" and periods["start"][0] == "2024-01-01"
    assert r["points"]["baseline"][:5] == [True] * 5  # weeks 1-20 = P01..P05
    assert r["points"]["phase"][5] == 1  # the break starts P06 (ISO week 21)
    assert r["options"]["recent_n"] == 1


def test_an_automatic_chart_with_fewer_than_12_baseline_points_is_a_run_chart():
    """Making Data Count's 12-point minimum: a 20-week baseline is 5 four-week points."""
    r = compute(ward(6, period="4week"))
    assert r["chart"] == "run" and r["auto"]["period"] == "4week"
    assert "the baseline has only 5 4-weekly points" in r["auto"]["reason"]
    assert all(v is None for v in r["points"]["upper"])
    weekly = compute(ward(6, weeks=46, freeze=None))  # every week a baseline point: u
    assert weekly["chart"] == "u"
    few = compute(ward(6, weeks=10, freeze=None))
    assert few["chart"] == "run" and "only 10 weekly points" in few["auto"]["reason"]


def test_month_period_with_events_uses_exact_calendar_months():
    r = compute(ward(3, period="month"))
    assert r["auto"]["periods"]["label"][0] == "2024-01"
    assert r["auto"]["periods"]["weeks_in_period"][0] == pytest.approx(31 / 7)


def test_g_chart_baseline_is_the_gaps_closing_in_baseline_weeks():
    spec = ward(1.8, seed=3)
    r = compute(spec)
    last_baseline_day = dt.date.fromisoformat(spec["dates"][19]) + dt.timedelta(days=6)
    want = [dt.date.fromisoformat(d) <= last_baseline_day for d in spec["events"][1:]]
    assert r["points"]["baseline"] == want


def test_events_must_agree_with_the_weekly_counts_when_they_are_used():
    spec = ward(1.8, seed=3)
    spec["events"] = spec["events"][1:]
    with pytest.raises(engine.InvalidEventsError, match="event dates fall in it"):
        compute(spec)
    spec = ward(1.8, seed=3)
    spec["events"] = [*spec["events"], "2030-01-01"]
    with pytest.raises(engine.InvalidEventsError, match="no week"):
        compute(spec)
    spec = ward(3, period="month")
    spec["events"] = spec["events"][1:]
    with pytest.raises(engine.InvalidEventsError):
        compute(spec)


def test_events_a_weekly_u_chart_cannot_use_are_not_read():
    spec = ward(6)
    assert compute(dict(spec, events=["not a date"])) == compute(spec)


def test_explicit_t_chart_stops_on_same_day_incidents_and_g_counts_events():
    spec = ward(3, chart="t")
    with pytest.raises(engine.NonPositiveTimeError):
        compute(spec)
    few = ward(3, chart="g", weeks=3, freeze=None)
    few["values"] = [1, 0, 0]
    few["events"] = ["2024-01-02"]
    with pytest.raises(engine.TooFewEventsError, match="needs at least 2 events; there is 1"):
        compute(few)


def test_a_fixed_target_is_not_drawn_on_gaps():
    r = compute(ward(1.8, seed=3, target=5.0))
    assert r["chart"] == "g" and r["summary"]["target"] is None
    assert any("fixed target" in w for w in r["summary"]["warnings"])


def test_without_bed_days_each_present_week_is_one_unit():
    spec = ward(6)
    del spec["denominators"]
    spec.pop("events")
    r = compute(spec)
    assert r["chart"] == "u"
    assert r["points"]["denominator"][0] == 1.0


def test_auto_batch_equals_one_by_one_and_mixes_with_plain_specs():
    specs = [ward(r, seed=k) for k, r in enumerate((0.2, 1.8, 6, 6, 1.8))]
    plain = {"values": [1, 2, 3], "chart": "c"}
    got = compute_batch([*specs, plain, {"chart": "auto", "values": []}], on_error="return")
    assert got[:5] == [compute(s) for s in specs]
    assert got[5] == compute(plain)
    assert "error" in got[6]
    objects = compute_auto_batch(specs, as_dict=False)
    assert all(isinstance(o, AutoResult) for o in objects)
    assert [o.to_dict() for o in objects] == got[:5]


def test_the_choice_is_deterministic():
    assert compute(ward(1.8, seed=3)) == compute(ward(1.8, seed=3))


@settings(max_examples=60, deadline=None)
@given(st.floats(0, 20), st.floats(0, 20), st.booleans(), st.sampled_from(["auto", "week"]))
def test_the_choice_is_monotone_in_the_rate(e1, e2, has_events, period):
    lo, hi = sorted((e1, e2))

    def rank(e):
        gaps = int(e * 20) if has_events else None
        return RANK[choose_chart("auto", period, e, gaps).chart]

    assert rank(lo) <= rank(hi)


@pytest.mark.parametrize(("spec", "error"), [
    ({"chart": "auto", "values": [1], "dates": ["2024-01-02"]}, engine.InvalidDateError),
    ({"chart": "auto", "values": [1, 2], "dates": ["2024-01-01"]}, engine.LengthMismatchError),
    ({"chart": "auto", "values": [-1], "dates": ["2024-01-01"]}, engine.NegativeCountError),
    ({"chart": "p", "period": "week", "values": [1], "dates": ["2024-01-01"]},
     engine.InvalidOptionError),
    ({"chart": "auto", "period": "year", "values": [1], "dates": ["2024-01-01"]},
     engine.InvalidOptionError),
    ({"chart": "auto", "values": [1], "dates": ["2024-01-01"], "colour": 1},
     engine.InvalidOptionError),
])
def test_bad_weekly_input_is_refused(spec, error):
    with pytest.raises(error):
        compute(spec)
