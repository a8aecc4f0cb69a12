"""Coverage of aggregate charts: enrolled wards per week, contributing wards, and marks where
the enrolled mix changed by more than the set share (spc/coverage.py, inputs, figures)."""

import datetime

import numpy as np
import pytest

from measures.models import Enrolment, Programme
from spc import coverage, dashboards, figures, presentation, recompute
from spc.models import Scope
from tests.factories import WardFactory
from tests.spc.helpers import FIRST, TODAY, fill, view, weeks

W = weeks(6)


def test_it_counts_enrolled_wards_joins_and_leaves_per_week():
    spans = [(FIRST, None), (W[2], None), (datetime.date(2023, 6, 5), W[3])]
    enrolled, joins, leaves = coverage.enrolled_counts(W, spans)
    assert enrolled.tolist() == [2, 2, 3, 3, 2, 2]
    assert joins.tolist() == [2, 0, 1, 0, 0, 0] and leaves.tolist() == [0, 0, 0, 0, 1, 0]
    assert coverage.enrolled_counts([], spans)[0].tolist() == []


def test_it_marks_a_change_of_the_mix_above_the_share_and_not_below():
    enrolled = np.array([10, 10, 11, 11, 14, 14])
    contributors = np.array([10, 10, 11, 11, 14, 14])
    joins = np.array([10, 0, 1, 0, 3, 0])
    leaves = np.zeros(6, dtype=int)
    # 1 of 10 (10%) does not mark; 1 + 3 = 4 of 10 (40%) since the start does.
    assert coverage.mix_changes(W, enrolled, contributors, joins, leaves, 20) == [
        {"date": W[4].isoformat(), "joined": 4, "left": 0}]
    assert coverage.mix_changes(W, enrolled, contributors, joins, leaves, 50) == []
    assert coverage.mix_changes(W, enrolled, contributors, joins, leaves, 5) == [
        {"date": W[2].isoformat(), "joined": 1, "left": 0},
        {"date": W[4].isoformat(), "joined": 3, "left": 0}]
    assert coverage.mix_changes([], enrolled, contributors, joins, leaves, 20) == []


@pytest.mark.django_db
def test_trust_charts_say_how_many_enrolled_wards_reported_and_mark_the_mix_change(
    ward, other_ward, client, qi_lead, settings
):
    settings.MHSIP_COVERAGE_CHANGE_PERCENT = 20
    programme = Programme.objects.get(name="Restrictive practice: national aim")
    later = WardFactory(trust=ward.trust)
    Enrolment.objects.create(programme=programme, ward=ward, joined_on=FIRST)
    Enrolment.objects.create(programme=programme, ward=other_ward, joined_on=FIRST)
    Enrolment.objects.create(programme=programme, ward=later, joined_on=weeks(13)[12])
    fill(ward)
    fill(other_ward, skip={25}, bed_days=80)
    fill(later, skip=set(range(12)))
    recompute.charts_recompute(ward_ids=[ward.pk, other_ward.pk, later.pk], today=TODAY)
    trust = view(Scope.TRUST, ward.trust_id)
    assert trust.enrolled[:13] == (2,) * 12 + (3,)
    assert (trust.contributors[11], trust.contributors[12], trust.contributors[25]) == (2, 3, 2)
    # One ward joining two contributing wards is 50%, above 20%: marked at w/c 25 Mar.
    assert trust.mix_changes == ({"date": "2024-03-25", "joined": 1, "left": 0},)
    figure = figures.figure(trust, "Restraint")
    assert figure["data"][0]["text"][25].startswith("2 of 3 enrolled wards reported")
    assert "Ward mix changed: 1 joined" in [a["text"] for a in figure["layout"]["annotations"]]
    line = presentation.coverage_line(trust)
    assert line.startswith("The latest point (w/c 24 Jun 2024) sums 2 of 3 enrolled wards.")
    assert "w/c 25 Mar 2024 (1 joined)" in line
    client.force_login(qi_lead)
    page = client.get(f"/trusts/{ward.trust_id}/charts/").content.decode()
    assert "sums 2 of 3 enrolled wards" in page
    # A ward's own chart has no coverage line.
    panel = dashboards.chart_panels(Scope.WARD, ward.pk)[0]
    assert panel.coverage == ""


@pytest.mark.django_db
def test_a_higher_share_marks_nothing(ward, other_ward, settings):
    settings.MHSIP_COVERAGE_CHANGE_PERCENT = 60
    programme = Programme.objects.get(name="Restrictive practice: national aim")
    later = WardFactory(trust=ward.trust)
    for w, joined in ((ward, FIRST), (other_ward, FIRST), (later, weeks(13)[12])):
        Enrolment.objects.create(programme=programme, ward=w, joined_on=joined)
    fill(ward)
    fill(other_ward, bed_days=80)
    recompute.charts_recompute(ward_ids=[ward.pk], today=TODAY)
    assert view(Scope.TRUST, ward.trust_id).mix_changes == ()
