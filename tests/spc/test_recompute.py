"""Recomputing stored charts: aggregation, staleness versions, unchanged inputs, faults."""

import datetime

import pytest

from measures.models import Measure, WeeklyReturn
from spc import recompute, store_batch
from spc.models import ChartSetting, Scope, StoredChart
from spc.refresh import charts_mark_stale
from tests.factories import WardFactory, WeeklyReturnFactory
from tests.spc.helpers import TODAY, fill, result, view, weeks

pytestmark = pytest.mark.django_db


def test_it_stores_ward_trust_region_and_national_charts(ward, enrolled):
    fill(ward)
    summary = recompute.charts_recompute(ward_ids=[ward.pk], today=TODAY)
    measures = Measure.objects.filter(is_active=True).count()
    assert summary.failed == 0
    assert StoredChart.objects.filter(scope=Scope.WARD).count() == measures
    for scope, scope_id in [
        (Scope.TRUST, ward.trust_id),
        (Scope.REGION, ward.trust.region_id),
        (Scope.NATIONAL, 0),
    ]:
        stored = result(scope, scope_id)
        assert stored.status == StoredChart.Status.OK
        assert not stored.is_stale
    ward_chart = view(Scope.WARD, ward.pk)
    assert ward_chart.summary.chart == "u" and ward_chart.summary.period == "week"
    assert len(ward_chart) == 26
    centre = 2 / 120 * 1000
    assert ward_chart.summary.baseline_centre == pytest.approx(centre, abs=1e-4)
    assert [t["value"] for t in ward_chart.targets] == [pytest.approx(centre / 2, abs=1e-4)]
    stored = result(Scope.WARD, ward.pk)
    assert (stored.chart, stored.period, stored.unit) == ("u", "week", "per 1,000 OBD")
    assert stored.baseline_centre == pytest.approx(centre, abs=1e-4)


def test_it_sums_only_wards_complete_for_the_measure_and_says_how_many(
    ward, other_ward, enrolled
):
    fill(ward, count=2, bed_days=100)
    fill(other_ward, count=4, bed_days=50, skip={3})
    # A draft and a return without the measure's count do not contribute.
    WeeklyReturnFactory(ward=other_ward, week_start=weeks(4)[3], occupied_bed_days=70)
    recompute.charts_recompute(ward_ids=[ward.pk, other_ward.pk], today=TODAY)
    trust = view(Scope.TRUST, ward.trust_id)
    assert trust.contributors[:5] == (2, 2, 2, 1, 2)
    assert trust.count[:5] == (6, 6, 6, 2, 6)
    assert trust.bed_days[:5] == (150, 150, 150, 100, 150)


def test_it_leaves_drafts_and_missing_counts_off_the_chart(ward, enrolled):
    fill(ward, skip={5})
    draft = WeeklyReturn.objects.get(ward=ward, week_start=weeks(6)[4])
    draft.status = WeeklyReturn.Status.DRAFT
    draft.save()
    recompute.charts_recompute(ward_ids=[ward.pk], today=TODAY)
    chart = view(Scope.WARD, ward.pk)
    assert chart.value[4] is None and chart.classification[4] is None  # a draft week
    assert chart.value[5] is None and chart.count[5] is None  # no return: missing, not zero


def test_it_uses_a_run_chart_for_a_ward_with_few_weeks(ward, enrolled):
    fill(ward, n=26, skip=set(range(8, 26)))
    recompute.charts_recompute(ward_ids=[ward.pk], today=TODAY)
    assert view(Scope.WARD, ward.pk).summary.chart == "run"


def test_it_marks_a_new_ward_with_no_data_as_insufficient_not_failed(ward, enrolled):
    summary = recompute.charts_recompute(ward_ids=[ward.pk], today=TODAY)
    assert summary.failed == 0
    stored = result(Scope.WARD, ward.pk)
    assert stored.status == StoredChart.Status.INSUFFICIENT and stored.message
    assert view(Scope.WARD, ward.pk) is None


def test_it_skips_charts_whose_inputs_did_not_change(ward, enrolled):
    fill(ward)
    first = recompute.charts_recompute(ward_ids=[ward.pk], today=TODAY)
    second = recompute.charts_recompute(ward_ids=[ward.pk], today=TODAY)
    assert second.computed == 0
    assert second.unchanged == first.computed + first.insufficient


def test_it_keeps_a_chart_stale_when_data_change_during_its_recompute(ward, enrolled, monkeypatch):
    fill(ward)
    recompute.charts_recompute(ward_ids=[ward.pk], today=TODAY)
    charts_mark_stale(ward_ids=[ward.pk])
    real_series = recompute.inputs.ward_series

    def series_then_a_save(*args, **kwargs):
        data = real_series(*args, **kwargs)
        charts_mark_stale(ward_ids=[ward.pk])  # a save lands after the data read
        return data

    monkeypatch.setattr(recompute.inputs, "ward_series", series_then_a_save)
    recompute.ward_charts_recompute(ward_ids=[ward.pk], today=TODAY, force=True)
    assert result(Scope.WARD, ward.pk).is_stale
    monkeypatch.setattr(recompute.inputs, "ward_series", real_series)
    recompute.charts_recompute_stale(today=TODAY)
    assert not result(Scope.WARD, ward.pk).is_stale


def test_it_keeps_going_when_one_chart_fails(ward, enrolled, monkeypatch):
    fill(ward)
    real = store_batch.compute_auto_batch

    def one_fails(specs, on_error, as_dict):
        results = real(specs, on_error=on_error, as_dict=as_dict)
        results[0] = {"error": {"type": "InvalidValueError", "message": "broken input"}}
        return results

    monkeypatch.setattr(store_batch, "compute_auto_batch", one_fails)
    summary = recompute.ward_charts_recompute(ward_ids=[ward.pk], today=TODAY)
    assert summary.failed == 1
    assert summary.computed + summary.insufficient == Measure.objects.count() - 1
    failed = StoredChart.objects.exclude(error="").get()
    assert "InvalidValueError: broken input" in failed.error
    assert failed.error_at is not None


def test_it_recomputes_a_closed_ward_only_up_to_its_closing(trust, enrolled):
    closed = WardFactory(trust=trust, name="Closed Ward", active_to=datetime.date(2024, 3, 10))
    fill(closed, n=10)
    recompute.charts_recompute(ward_ids=[closed.pk], today=TODAY)
    assert view(Scope.WARD, closed.pk).dates[-1] == "2024-03-04"


def test_it_skips_fresh_aggregates_when_a_burst_queued_many_refreshes(ward, enrolled, monkeypatch):
    fill(ward)
    recompute.charts_recompute(ward_ids=[ward.pk], today=TODAY)
    scopes = recompute.selectors.scopes_containing([ward.pk])

    def no_reads(*args, **kwargs):
        raise AssertionError("a fresh scope's data must not be read again")

    monkeypatch.setattr(recompute.inputs, "aggregate_series", no_reads)
    summary = recompute.aggregate_charts_recompute(scopes=scopes, today=TODAY, only_stale=True)
    assert summary.computed == 0 and summary.unchanged == 3 * Measure.objects.count()
    charts_mark_stale(ward_ids=[ward.pk])
    with pytest.raises(AssertionError, match="must not be read again"):
        recompute.aggregate_charts_recompute(scopes=scopes, today=TODAY, only_stale=True)


def test_it_only_catches_up_versions_of_unchanged_charts(
    ward, enrolled, django_assert_max_num_queries
):
    fill(ward)
    recompute.charts_recompute(ward_ids=[ward.pk], today=TODAY)
    charts_mark_stale(ward_ids=[ward.pk])
    # Unchanged inputs: no payload is loaded or rewritten, so a handful of queries, not one
    # per chart.
    # (and the savepoint of the write, and the local measures' trusts and wards, and the
    # value types' 3: measures' types, composites' parts, the figures, and the local
    # measures' own targets)
    with django_assert_max_num_queries(23):
        summary = recompute.ward_charts_recompute(ward_ids=[ward.pk], today=TODAY)
    assert summary.computed == 0
    assert not result(Scope.WARD, ward.pk).is_stale
    assert result(Scope.WARD, ward.pk).status == StoredChart.Status.OK


def test_it_takes_the_default_baseline_length_from_the_setting(ward, enrolled, settings):
    fill(ward)

    def baseline_weeks(scope, scope_id):
        return sum(view(scope, scope_id).baseline)

    recompute.charts_recompute(ward_ids=[ward.pk], today=TODAY)
    assert baseline_weeks(Scope.WARD, ward.pk) == baseline_weeks(Scope.TRUST, ward.trust_id) == 20
    settings.MHSIP_DEFAULT_BASELINE_WEEKS = 13
    assert recompute.charts_recompute(ward_ids=[ward.pk], today=TODAY).computed > 0
    assert baseline_weeks(Scope.WARD, ward.pk) == baseline_weeks(Scope.TRUST, ward.trust_id) == 13
    # A QI lead's saved length still wins over the default.
    ChartSetting.objects.create(ward=ward, measure=Measure.objects.get(code="physical_restraint"),
                                baseline_weeks=15)  # fmt: skip
    recompute.charts_recompute(ward_ids=[ward.pk], today=TODAY)
    assert baseline_weeks(Scope.WARD, ward.pk) == 15
