"""Charts read each programme's target and direction on a measure (measures.ProgrammeTarget):
increase and trajectory targets, reporting measures, and what holds after a deadline."""

import datetime

import pytest

from measures.models import Enrolment, Measure, Programme, ProgrammeTarget, WeeklyReturn
from spc import dashboards, figures, recompute
from spc.engine.errors import InvalidTargetError
from spc.engine.options import TargetSpec
from spc.models import Scope
from spc.specs import ChartConfig, TargetLine, WeeklySeries, view_specs
from tests.factories import WeeklyCountFactory, WeeklyReturnFactory
from tests.spc.helpers import FIRST, TODAY, fill, view, weeks

pytestmark = pytest.mark.django_db
SUBMITTED = WeeklyReturn.Status.SUBMITTED
CENTRE = 2 / 120 * 1000  # fill(): 2 incidents a week over 120 occupied bed days


def _target(**fields):
    target = ProgrammeTarget.objects.get(programme__name="Restrictive practice: national aim",
                                         measure__code="physical_restraint")  # fmt: skip
    for name, value in fields.items():
        setattr(target, name, value)
    target.full_clean()
    target.save()
    return target


def test_it_draws_an_increase_target_above_the_baseline(ward, enrolled):
    _target(direction="increase", kind="increase", percent=50)
    fill(ward)
    recompute.charts_recompute(ward_ids=[ward.pk], today=TODAY)
    chart = view(Scope.WARD, ward.pk)
    assert chart.summary.improvement_applied == "increase"
    assert chart.summary.target_value == pytest.approx(CENTRE * 1.5, abs=1e-3)
    assert chart.targets[0]["kind"] == "increase" and chart.targets[0]["percent"] == 50
    names = [t["name"] for t in figures.figure(chart, "Restraint")["data"]]
    assert "50% increase target by 31 Mar 2024: 25.0" in names


def test_it_draws_a_trajectory_as_steps_and_judges_the_step_in_force(ward, enrolled):
    _target(kind="trajectory", percent=None, deadline=datetime.date(2024, 6, 30),
            steps=[["2023-12-04", 20.0], ["2024-03-04", 15.0], ["2024-06-03", 12.0]])
    fill(ward)
    recompute.charts_recompute(ward_ids=[ward.pk], today=TODAY)
    chart = view(Scope.WARD, ward.pk)
    assert chart.summary.target_value == 12.0  # the latest week (24 Jun) is in the last step
    line = next(t for t in figures.figure(chart, "R")["data"] if t.get("meta", {}).get("target"))
    assert line["x"] == ["2024-01-01", "2024-03-04", "2024-06-03", "2024-06-24"]
    assert line["y"] == [20.0, 15.0, 12.0, 12.0] and line["line"]["shape"] == "hv"


def test_the_engine_gets_no_trajectory_target_before_its_first_step():
    line = TargetLine("P", None, datetime.date(2025, 1, 1), kind="trajectory",
                      steps=((datetime.date(2024, 9, 2), 3.0),))  # fmt: skip
    series = WeeklySeries(tuple(weeks(4)), *([[1.0] * 4] * 2))
    spec = view_specs(series, ChartConfig(targets=(line,)))["chosen"]
    assert "target" not in spec
    assert line.engine_target(datetime.date(2024, 9, 2)) == {"value": 3.0,
                                                            "deadline": "2025-01-01"}


def test_after_the_deadline_it_says_whether_the_target_was_met_then_and_now(ward, enrolled):
    # 2 a week for 14 weeks (to 1 Apr), then none: the 50% reduction (to 8.3) is met by the
    # deadline, 31 May 2024.
    _target(deadline=datetime.date(2024, 5, 31))
    restraint = Measure.objects.get(code="physical_restraint")
    for i, week in enumerate(weeks(26)):
        weekly = WeeklyReturnFactory(ward=ward, week_start=week, occupied_bed_days=120,
                                     status=SUBMITTED)
        WeeklyCountFactory(weekly_return=weekly, measure=restraint, count=2 if i < 14 else 0)
    recompute.charts_recompute(ward_ids=[ward.pk], today=TODAY)
    s = view(Scope.WARD, ward.pk).summary
    assert s.deadline_passed and s.deadline_met is True
    assert s.deadline_target == pytest.approx(CENTRE / 2, abs=1e-3)
    # The 12 weeks up to w/c 27 May: 4 at 2 incidents, 8 at none: 8 / 1440 × 1000.
    assert s.deadline_value == pytest.approx(8 / 1440 * 1000, abs=1e-3)
    panel = next(p for p in dashboards.chart_panels(Scope.WARD, ward.pk)
                 if p.measure.code == "physical_restraint")  # fmt: skip
    assert ("target 50% reduction by 31 May 2024: met at the deadline (5.6 vs target 8.3) "
            "and still met now (0.0 vs 8.3)") in panel.sentence  # fmt: skip
    assert "hit and miss" not in panel.sentence


def test_a_reporting_measure_has_no_direction_colours_or_assurance(ward):
    programme = Programme.objects.get(name="Sexual safety: national aim")
    Enrolment.objects.create(programme=programme, ward=ward, joined_on=FIRST)
    incidents = Measure.objects.get(code="sexual_safety_incidents")
    for i, week in enumerate(weeks(26)):
        weekly = WeeklyReturnFactory(ward=ward, week_start=week, occupied_bed_days=120,
                                     status=SUBMITTED)
        WeeklyCountFactory(weekly_return=weekly, measure=incidents, count=3 if i < 16 else 9)
    recompute.charts_recompute(ward_ids=[ward.pk], today=TODAY)
    chart = view(Scope.WARD, ward.pk, code="sexual_safety_incidents")
    assert chart.summary.improvement_applied == "neutral"
    assert chart.summary.assurance_icon is None and chart.targets == ()
    assert chart.summary.variation_icon.startswith("neutral")
    assert not {"special_cause_improvement", "special_cause_concern"} & set(
        chart.classification)
    panel = next(p for p in dashboards.chart_panels(Scope.WARD, ward.pk)
                 if p.measure.code == "sexual_safety_incidents")  # fmt: skip
    assert "more reports can mean better reporting" in panel.sentence


def test_the_chosen_programme_decides_the_direction(ward, enrolled):
    regional = Programme.objects.get(name="Restrictive practice: regional aim")
    Enrolment.objects.create(programme=regional, ward=ward, joined_on=FIRST)
    fill(ward)
    recompute.charts_recompute(ward_ids=[ward.pk], today=TODAY)
    # The latest deadline's target first (national, 50%), the regional one drawn as well.
    assert [t["percent"] for t in view(Scope.WARD, ward.pk).targets] == [50, 25]


def test_the_engine_takes_an_increase_as_a_negative_reduction_within_bounds():
    assert TargetSpec(reduction=-0.5).reduction == -0.5
    for bad in (0, -10.5):
        with pytest.raises(InvalidTargetError, match="non-zero fraction"):
            TargetSpec(reduction=bad)
