"""From weekly data to the engine spec: pure, no database."""

import datetime

import numpy as np

from spc.engine import compute
from spc.specs import (
    ChartConfig,
    TargetLine,
    WeeklySeries,
    choose_chart,
    engine_spec,
    spec_hash,
    start_at,
    target_lines,
)

MONDAY = datetime.date(2024, 1, 1)
NAN = np.nan


def series(counts, bed_days=None):
    weeks = tuple(MONDAY + datetime.timedelta(weeks=i) for i in range(len(counts)))
    bed_days = [100.0] * len(counts) if bed_days is None else bed_days
    return WeeklySeries(weeks, np.array(counts, dtype=float), np.array(bed_days, dtype=float))


def test_it_uses_a_run_chart_below_12_points_and_a_u_chart_from_12():
    assert choose_chart("auto", series([1] * 11 + [NAN] * 5)) == "run"
    assert choose_chart("auto", series([1] * 12)) == "u"


def test_it_uses_a_c_chart_when_no_bed_days_exist():
    assert choose_chart("auto", series([1] * 20, [NAN] * 20)) == "c"
    assert choose_chart("u", series([1] * 20, [NAN] * 20)) == "c"


def test_it_keeps_missing_weeks_missing_never_zero():
    spec = engine_spec(series([2, NAN, 0] + [1] * 10), ChartConfig())
    assert spec["values"][:3] == [2, None, 0]
    assert spec["denominators"][:3] == [100, None, 100]
    assert spec["chart"] == "u" and spec["multiply"] == 1000


def test_it_drops_points_whose_bed_days_are_missing_or_zero_from_rate_charts():
    spec = engine_spec(series([1] * 14, [100, NAN, 0] + [100] * 11), ChartConfig())
    assert spec["values"][:3] == [1, None, None]
    assert spec["denominators"][:3] == [100, None, None]


def test_it_freezes_the_baseline_on_the_first_weeks_of_each_phase():
    assert engine_spec(series([1] * 30), ChartConfig(baseline_weeks=20))["freeze"] == 20


def test_it_starts_the_chart_at_a_chosen_baseline_start():
    trimmed = start_at(series([1, 2, 3, 4]), datetime.date(2024, 1, 15))
    assert trimmed.weeks == (datetime.date(2024, 1, 15), datetime.date(2024, 1, 22))
    assert trimmed.counts.tolist() == [3, 4]
    assert start_at(series([1, 2]), None).counts.tolist() == [1, 2]


def test_it_does_not_freeze_when_the_baseline_covers_the_whole_series():
    assert "freeze" not in engine_spec(series([1] * 15), ChartConfig(baseline_weeks=20))


def test_it_passes_phase_breaks_inside_the_series_as_dates():
    config = ChartConfig(
        breaks=(
            (datetime.date(2024, 3, 4), "new policy"),
            (datetime.date(2030, 1, 7), "after the data"),
            (MONDAY, "on the first week: no new phase"),
        )
    )
    assert engine_spec(series([1] * 30), config)["breaks"] == ["2024-03-04"]


def test_it_judges_the_first_target_and_lists_all_as_lines():
    config = ChartConfig(
        targets=(
            TargetLine("National", 50, datetime.date(2024, 3, 31)),
            TargetLine("Regional", 25, datetime.date(2023, 4, 30)),
        )
    )
    spec = engine_spec(series([1] * 30), config)
    assert spec["target"] == {"reduction": 0.5, "deadline": "2024-03-31"}
    lines = target_lines(config, 4.0)
    assert [(t["programme"], t["value"]) for t in lines] == [("National", 2.0), ("Regional", 3.0)]


def test_it_charts_the_rate_itself_on_xmr_and_run_charts():
    spec = engine_spec(series([1, 2] * 10, [500] * 20), ChartConfig(chart_type="i"))
    assert spec["chart"] == "i"
    assert spec["values"][:2] == [2, 4]  # per 1,000 bed days
    assert "denominators" not in spec


def test_it_hashes_inputs_so_only_a_change_recomputes():
    a = engine_spec(series([1] * 30), ChartConfig())
    b = engine_spec(series([1] * 29 + [2]), ChartConfig())
    assert spec_hash(a) == spec_hash(dict(a))
    assert spec_hash(a) != spec_hash(b)


def test_it_builds_specs_the_engine_accepts():
    rng = np.random.default_rng(1)
    counts = rng.poisson(3, 40).astype(float)
    counts[[5, 17]] = NAN
    config = ChartConfig(
        breaks=((MONDAY + datetime.timedelta(weeks=25), "rebase"),),
        targets=(TargetLine("National", 50, datetime.date(2024, 3, 31)),),
    )
    result = compute(engine_spec(series(counts, [120] * 40), config))
    assert result["chart"] == "u"
    assert len(result["phases"]) == 2
    assert result["points"]["missing"][5] is True
    assert result["summary"]["recent_n"] == 12
