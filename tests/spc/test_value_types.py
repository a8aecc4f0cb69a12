"""Charts of composites, proportions, durations and scores: the series read from the
database (spc/inputs.py, spc/value_inputs.py), the specs (p for a proportion, XmR for a
duration and a score) and the stored charts with their sentence."""

import datetime

import numpy as np
import pytest

from measures.models import Measure, WeeklyCount
from spc import inputs, recompute
from spc.engine import compute_auto_batch
from spc.models import Scope
from spc.period_views import charts_with_view
from spc.presentation import plain_summary
from spc.specs import ChartConfig, WeeklySeries, value_labels, view_specs
from spc.value_inputs import composite_events
from tests.factories import WeeklyCountFactory, WeeklyReturnFactory, WeeklyValueFactory
from tests.spc.helpers import TODAY, result, view, weeks

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2024, 1, 1)


def series(values, den):
    days = tuple(MONDAY + datetime.timedelta(weeks=i) for i in range(len(values)))
    return WeeklySeries(days, np.array(values, dtype=float), np.array(den, dtype=float))


def test_a_proportion_is_a_p_chart_in_per_cent_in_every_view():
    views = view_specs(series([3, 4] * 15, [5, 5] * 15), ChartConfig(value_type="proportion"))
    assert {v["chart"] for v in views.values()} == {"p"}
    assert views["chosen"]["multiply"] == 100 and views["chosen"]["denominators"][0] == 5
    result = compute_auto_batch([views["chosen"]])[0]
    assert result["chart"] == "p"
    assert result["summary"]["baseline_centre"] == pytest.approx(70.0)


def test_a_duration_is_an_xmr_chart_per_1000_bed_days_and_a_score_an_xmr_of_the_mean():
    duration = view_specs(series([10, 14] * 15, [100] * 30),
                          ChartConfig(value_type="duration", value_unit="hours"))  # fmt: skip
    assert {v["chart"] for v in duration.values()} == {"i"}
    assert duration["chosen"]["multiply"] == 1000
    result = compute_auto_batch([duration["chosen"]])[0]
    assert result["chart"] == "i"
    assert result["summary"]["baseline_centre"] == pytest.approx(120.0)
    score = view_specs(series([6, 7] * 15, [np.nan] * 30), ChartConfig(value_type="score"))
    assert score["chosen"]["chart"] == "i" and "denominators" not in score["chosen"]
    assert compute_auto_batch([score["chosen"]])[0]["summary"]["baseline_centre"] == \
        pytest.approx(6.5)  # fmt: skip
    assert compute_auto_batch([score["month"]])[0]["chart"] == "i"


def test_counts_and_composites_keep_the_engines_choice():
    for value_type in ("count", "composite"):
        views = view_specs(series([2] * 30, [100] * 30), ChartConfig(value_type=value_type))
        assert views["chosen"]["chart"] == "auto"
        assert value_labels(ChartConfig(value_type=value_type)) is None
    assert "Making Data Count" in value_labels(ChartConfig(value_type="duration"))["reason"]


def week_return(ward, week, obd=100):
    return WeeklyReturnFactory(ward=ward, week_start=week, occupied_bed_days=obd,
                               status="submitted")  # fmt: skip


def test_a_composite_sums_its_parts_and_is_missing_if_any_part_is(ward, other_ward):
    codes = ["physical_restraint", "seclusion", "rapid_tranquillisation"]
    measures = {m.code: m for m in Measure.objects.filter(code__in=[*codes, "prone_restraint",
                                                                    "restrictive_practice_total"])}
    first, second = weeks(2)
    r1, r2 = week_return(ward, first), week_return(ward, second)
    for code, count in zip(codes, (3, 1, 2), strict=True):
        WeeklyCountFactory(weekly_return=r1, measure=measures[code], count=count)
    WeeklyCountFactory(weekly_return=r1, measure=measures["prone_restraint"], count=3)
    for code in codes[:2]:  # no rapid tranquillisation in week 2: the total is missing
        WeeklyCountFactory(weekly_return=r2, measure=measures[code], count=1)
    total = measures["restrictive_practice_total"]
    got = inputs.ward_series([ward], [total.pk], TODAY)[ward.pk, total.pk]
    assert got.counts[:2].tolist()[0] == 6  # prone restraint is not added (a subset)
    assert np.isnan(got.counts[1])
    # Aggregates add a ward's week only when it has every part.
    r3 = week_return(other_ward, first, obd=50)
    for code in codes:
        WeeklyCountFactory(weekly_return=r3, measure=measures[code], count=1)
    trust = inputs.aggregate_series(Scope.TRUST, ward.trust_id, [total.pk], TODAY)[total.pk]
    index = trust.weeks.index(first)
    assert (trust.counts[index], trust.bed_days[index], trust.contributors[index]) == (9, 150, 2)
    assert np.isnan(trust.counts[index + 1])


def test_proportions_durations_and_scores_are_read_as_series(ward, other_ward):
    debrief = Measure.objects.get(code="restraint_debrief_72h")
    hours = Measure.objects.get(code="seclusion_hours")
    score = Measure.objects.get(code="staff_feel_safe_score")
    first, second = weeks(2)
    for w, num, den in ((ward, 3, 4), (other_ward, 1, 2)):
        r = week_return(w, first, obd=100 if w == ward else 50)
        WeeklyValueFactory(weekly_return=r, measure=debrief, numerator=num, denominator=den)
        WeeklyValueFactory(weekly_return=r, measure=hours, numerator=None, denominator=None,
                           value=12 if w == ward else 6)  # fmt: skip
        WeeklyValueFactory(weekly_return=r, measure=score, numerator=None, denominator=None,
                           value=8 if w == ward else 6)  # fmt: skip
    week_return(ward, second)
    ids = [debrief.pk, hours.pk, score.pk]
    got = inputs.ward_series([ward], ids, TODAY)
    assert got[ward.pk, debrief.pk].counts[0] == 3 and got[ward.pk, debrief.pk].bed_days[0] == 4
    assert np.isnan(got[ward.pk, debrief.pk].counts[1])  # no figure: missing, not zero
    assert got[ward.pk, hours.pk].counts[0] == 12 and got[ward.pk, hours.pk].bed_days[0] == 100
    assert got[ward.pk, score.pk].counts[0] == 8 and np.isnan(got[ward.pk, score.pk].bed_days[0])
    trust = inputs.aggregate_series(Scope.TRUST, ward.trust_id, ids, TODAY)
    i = trust[debrief.pk].weeks.index(first)
    assert (trust[debrief.pk].counts[i], trust[debrief.pk].bed_days[i]) == (4, 6)
    assert (trust[hours.pk].counts[i], trust[hours.pk].bed_days[i]) == (18, 150)
    assert (trust[score.pk].counts[i], trust[score.pk].bed_days[i]) == (14, 2)  # mean 7


def test_the_stored_charts_say_which_chart_and_why(ward, enrolled):
    debrief = Measure.objects.get(code="restraint_debrief_72h")
    hours = Measure.objects.get(code="seclusion_hours")
    rng = np.random.default_rng(4)
    for week in weeks(26):
        r = week_return(ward, week, obd=120)
        denominator = int(rng.integers(4, 9))
        WeeklyValueFactory(weekly_return=r, measure=debrief, denominator=denominator,
                           numerator=int(rng.integers(0, denominator + 1)))  # fmt: skip
        WeeklyValueFactory(weekly_return=r, measure=hours, numerator=None, denominator=None,
                           value=round(float(rng.uniform(2, 30)), 2))  # fmt: skip
        WeeklyCount.objects.create(weekly_return=r, measure=Measure.objects.get(code="seclusion"),
                                   count=1)  # fmt: skip
    recompute.charts_recompute(ward_ids=[ward.pk], today=TODAY)
    stored = result(Scope.WARD, ward.pk, "restraint_debrief_72h")
    assert (stored.chart, stored.unit) == ("p", "%")
    stored = result(Scope.WARD, ward.pk, "seclusion_hours")
    assert (stored.chart, stored.unit) == ("i", "hours per 1,000 OBD")
    sentence = plain_summary("Hours in seclusion", view(Scope.WARD, ward.pk, "seclusion_hours"))
    assert "XmR chart" in sentence and "continuous measure" in sentence
    assert view(Scope.TRUST, ward.trust_id, "restraint_debrief_72h").summary.chart == "p"
    stored = charts_with_view({"scope": Scope.WARD, "scope_id": ward.pk,
                               "measure__code": "seclusion_hours"}, "month", TODAY)  # fmt: skip
    month = next(iter(stored.view.values()))
    assert month.summary.period == "month" and month.summary.chart == "i"
    assert month.summary.unit == "hours per 1,000 OBD"


def test_a_composites_days_leave_out_the_weeks_it_is_missing():
    """A week a part has no count is missing on the composite: its parts' days go too, or the
    engine is told of incidents in a week it has no count for (seen on the demo)."""
    weeks = [datetime.date(2025, 6, 16), datetime.date(2025, 6, 23), datetime.date(2025, 6, 30)]
    restraint = np.array(["2025-06-17", "2025-06-24", "2025-07-01"], dtype="datetime64[D]")
    seclusion = np.array(["2025-06-25"], dtype="datetime64[D]")
    values = np.array([1.0, np.nan, 1.0])
    days, undated = composite_events([(restraint, 0), (seclusion, 0)], weeks, values)
    assert days.tolist() == [datetime.date(2025, 6, 17), datetime.date(2025, 7, 1)]
    assert undated == 0
    assert composite_events([(restraint, 0), (None, 2)], weeks, values) == (None, 2)
