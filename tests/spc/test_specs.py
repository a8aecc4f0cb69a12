"""From weekly data and settings to the engine's weekly specs: pure, no database."""

import datetime

import numpy as np

from spc.engine import compute, compute_auto_batch
from spc.specs import (
    ChartConfig,
    TargetLine,
    WeeklySeries,
    spec_hash,
    start_at,
    view_specs,
)

MONDAY = datetime.date(2024, 1, 1)
NAN = np.nan


def series(counts, bed_days=None, events=None):
    weeks = tuple(MONDAY + datetime.timedelta(weeks=i) for i in range(len(counts)))
    bed_days = [100.0] * len(counts) if bed_days is None else bed_days
    return WeeklySeries(weeks, np.array(counts, dtype=float), np.array(bed_days, dtype=float),
                        events=events)  # fmt: skip


def test_it_asks_the_engine_for_the_chosen_chart_and_three_period_views():
    views = view_specs(series([1] * 30), ChartConfig())
    assert list(views) == ["chosen", "week", "4week", "month"]
    assert (views["chosen"]["chart"], views["chosen"]["period"]) == ("auto", "auto")
    assert [views[p]["period"] for p in ("week", "4week", "month")] == ["week", "4week", "month"]
    assert all(views[p]["chart"] == "auto" for p in ("week", "4week", "month"))


def test_a_qi_leads_override_is_the_chosen_view_and_carries_into_the_periods():
    views = view_specs(series([1] * 30), ChartConfig(chart_type="u", period="month"))
    assert (views["chosen"]["chart"], views["chosen"]["period"]) == ("u", "month")
    assert views["4week"]["chart"] == "u"
    gaps = view_specs(series([1] * 30), ChartConfig(chart_type="g"))
    assert gaps["chosen"]["chart"] == "g" and gaps["week"]["chart"] == "auto"


def test_it_keeps_missing_weeks_missing_never_zero():
    spec = view_specs(series([2, NAN, 0] + [1] * 10), ChartConfig())["chosen"]
    assert spec["values"][:3] == [2, None, 0]
    assert spec["denominators"][:3] == [100, 100, 100]


def test_it_charts_incidents_per_week_where_no_bed_days_exist():
    spec = view_specs(series([1] * 20, [NAN] * 20), ChartConfig())["chosen"]
    assert "denominators" not in spec and spec["multiply"] == 1
    with_bed_days = view_specs(series([1] * 20), ChartConfig())["chosen"]
    assert with_bed_days["multiply"] == 1000


def test_it_freezes_the_baseline_on_the_first_weeks_of_each_phase():
    assert view_specs(series([1] * 30), ChartConfig(baseline_weeks=20))["chosen"]["freeze"] == 20
    assert "freeze" not in view_specs(series([1] * 15), ChartConfig(baseline_weeks=20))["chosen"]


def test_it_starts_the_chart_at_a_chosen_baseline_start():
    start = MONDAY + datetime.timedelta(weeks=3)
    events = np.array(["2024-01-02", "2024-01-23", "2024-02-06"], dtype="datetime64[D]")
    cut = start_at(series([1, 2, 3, 4, 5], events=events), start)
    assert cut.weeks[0] == start and cut.counts.tolist() == [4.0, 5.0]
    assert [str(d) for d in cut.events] == ["2024-01-23", "2024-02-06"]


def test_it_passes_phase_breaks_inside_the_series_as_dates():
    config = ChartConfig(breaks=(
        (MONDAY + datetime.timedelta(weeks=10), "New policy"),
        (MONDAY - datetime.timedelta(weeks=10), "Before the chart"),
    ))  # fmt: skip
    spec = view_specs(series([1] * 30), config)["chosen"]
    assert spec["breaks"] == ["2024-03-11"]


def test_it_judges_the_first_target():
    config = ChartConfig(targets=(
        TargetLine("National", 50, datetime.date(2024, 3, 31)),
        TargetLine("Regional", 25, datetime.date(2023, 4, 30)),
    ))  # fmt: skip
    spec = view_specs(series([1] * 30), config)["chosen"]
    assert spec["target"] == {"reduction": 0.5, "deadline": "2024-03-31"}


def test_it_passes_complete_incident_dates_and_none_otherwise():
    events = np.array(["2024-01-02", "2024-01-09"], dtype="datetime64[D]")
    assert view_specs(series([1, 1]), ChartConfig())["chosen"].get("events") is None
    spec = view_specs(series([1, 1], events=events), ChartConfig())["chosen"]
    assert spec["events"] == ["2024-01-02", "2024-01-09"]


def test_it_hashes_inputs_so_only_a_change_recomputes():
    one = view_specs(series([1] * 30), ChartConfig())
    assert spec_hash(one) == spec_hash(view_specs(series([1] * 30), ChartConfig()))
    assert spec_hash(one) != spec_hash(view_specs(series([1] * 29 + [2]), ChartConfig()))


def test_it_builds_specs_the_engine_accepts():
    views = view_specs(series([3] * 40, [120.0] * 40), ChartConfig())
    results = compute_auto_batch(list(views.values()), on_error="raise")
    assert [r["auto"]["period"] for r in results] == ["week", "week", "4week", "month"]
    assert results[0]["chart"] == "u"
    assert compute(views["chosen"])["summary"]["baseline_centre"] == 25.0
