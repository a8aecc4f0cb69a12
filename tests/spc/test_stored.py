"""Stored charts read back as the engine computed them (at the stored precision), and a chart
stored in an older shape is recomputed, never misread."""

import datetime
import json

import numpy as np
import pytest

from measures.models import Measure, WeeklyCount
from spc import inputs, recompute, selectors
from spc.engine import compute_auto_batch
from spc.models import Scope, StoredChart, StoredView
from spc.period_views import charts_with_view
from spc.specs import ChartConfig, TargetLine, WeeklySeries, start_at, view_specs
from spc.stored import (
    DECIMALS,
    STORE_VERSION,
    decode_view,
    encode_view,
    read_charts,
    read_view,
    view_payload,
)
from tests.spc.helpers import FIRST, TODAY, fill, result

pytestmark = pytest.mark.django_db


def close(stored, fresh):
    want = np.round(np.asarray(fresh, dtype=float), DECIMALS)
    got = np.array([np.nan if v is None else v for v in stored], dtype=float)
    np.testing.assert_array_equal(got, want)


def test_every_stored_view_reads_back_as_the_engine_computed_it(ward, other_ward, enrolled):
    fill(ward, count=3)
    fill(other_ward, count=1, bed_days=80, skip={4, 9})
    recompute.charts_recompute(ward_ids=[ward.pk, other_ward.pk], today=TODAY)
    measures = list(Measure.objects.filter(is_active=True))
    configs = selectors.ward_configs([ward.pk, other_ward.pk], measures,
                                     selectors.programmes_with_measures())  # fmt: skip
    series = inputs.ward_series([ward, other_ward], [m.pk for m in measures], TODAY)
    checked = 0
    for (ward_id, measure_id), data in series.items():
        config = configs[ward_id, measure_id]
        specs = view_specs(start_at(data, config.baseline_start), config)
        fresh = dict(zip(specs, compute_auto_batch(list(specs.values()), on_error="return",
                                                   as_dict=False), strict=True))  # fmt: skip
        for name in specs:
            stored = charts_with_view({"scope": Scope.WARD, "scope_id": ward_id,
                                       "measure_id": measure_id}, name, TODAY)  # fmt: skip
            view = stored.view[(ward_id, measure_id)]
            engine = fresh[name]
            if isinstance(engine, dict):  # an error: the view is not stored
                assert view is None or name != "chosen" and view.summary.period != name
                continue
            if view.summary.period != (engine.choice.period if engine.choice else "week"):
                continue  # a period view identical to the chosen one is stored once
            points = engine.result.points
            for line in ("centre", "lower", "upper", "lower_2sigma", "upper_2sigma"):
                close(getattr(view, line), getattr(points, line))
            close(view.value, points.rate)
            assert view.classification == points.classification
            assert view.rules == points.rules
            assert view.dates == tuple(str(d) for d in points.date)
            run_chart = engine.result.options.chart == "run"  # no icon without limits
            want = None if run_chart else engine.result.summary.variation_icon
            assert view.summary.variation_icon == want
            assert (view.summary.runs is not None) == run_chart
            checked += 1
    # Physical restraint of both wards: the chosen chart and its 4-weekly and monthly views.
    assert checked >= 6


def test_a_chart_stored_in_an_older_shape_is_recomputed_not_misread(ward, enrolled):
    fill(ward)
    recompute.charts_recompute(ward_ids=[ward.pk], today=TODAY)
    chart = result(Scope.WARD, ward.pk)
    stored = StoredView.objects.get(chart=chart, view="chosen")
    old = {**decode_view(stored.payload), "v": STORE_VERSION - 1}
    assert read_view(old) is None
    # A payload an earlier store wrote as JSON of a JSON string reads as absent, not as text.
    assert decode_view(json.dumps(stored.payload)) is None
    StoredChart.objects.filter(pk=chart.pk).update(store_version=STORE_VERSION - 1)
    assert read_charts({"pk": chart.pk}).view[(ward.pk, chart.measure_id)] is None
    assert ward.pk in recompute.stale_ward_ids()
    recompute.charts_recompute_stale(today=TODAY)
    assert result(Scope.WARD, ward.pk).store_version == STORE_VERSION
    assert read_charts({"pk": chart.pk}).view[(ward.pk, chart.measure_id)] is not None


def test_a_ward_chart_of_160_weeks_stores_in_under_15_kb():
    """The issue's aim for a ward chart (the national bench has 160 weeks), on a busy ward
    (a u chart: every line varies with the bed days) with a target."""
    rng = np.random.default_rng(7)
    weeks = tuple(FIRST + datetime.timedelta(weeks=i) for i in range(160))
    bed_days = rng.integers(100, 180, 160).astype(float)
    data = WeeklySeries(weeks, rng.poisson(12 * bed_days / 140).astype(float), bed_days)
    config = ChartConfig(targets=(TargetLine("National", 50, datetime.date(2024, 3, 31)),))
    specs = view_specs(data, config)
    for computed in compute_auto_batch(list(specs.values()), as_dict=False):
        payload = view_payload(computed, data, config.targets, [], rates=True)
        assert len(encode_view(payload)) < 15_000


def test_a_period_view_is_made_on_first_request_and_remade_after_the_data_change(
    ward, enrolled
):
    fill(ward, count=3)
    recompute.charts_recompute(ward_ids=[ward.pk], today=TODAY)
    chart = result(Scope.WARD, ward.pk)
    assert list(chart.views.values_list("view", flat=True)) == ["chosen"]
    key = (ward.pk, chart.measure_id)
    assert read_charts({"pk": chart.pk}, "month").missing == (key,)
    monthly = charts_with_view({"pk": chart.pk}, "month", TODAY).view[key]
    assert monthly.summary.period == "month" and len(monthly) == 6
    assert read_charts({"pk": chart.pk}, "month").missing == ()  # stored now
    WeeklyCount.objects.filter(weekly_return__ward=ward).update(count=4)  # the data change
    recompute.charts_recompute(ward_ids=[ward.pk], today=TODAY)
    assert read_charts({"pk": chart.pk}, "month").missing == (key,)  # made from older data
    remade = charts_with_view({"pk": chart.pk}, "month", TODAY).view[key]
    assert remade.count[0] * 3 == monthly.count[0] * 4  # 4 a week now, 3 before
