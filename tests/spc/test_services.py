"""The chart layer's writes: each saves with history and queues the chart's refresh on commit."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from measures.models import Measure
from spc import services
from tests.spc.helpers import FIRST

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch):
    ids = []
    monkeypatch.setattr("spc.tasks.charts_refresh_task.delay", ids.append)
    return ids


def test_each_write_queues_its_wards_refresh_after_commit(
    ward, qi_lead, enrolled, queued, django_capture_on_commit_callbacks
):
    seclusion = Measure.objects.get(code="seclusion")
    with django_capture_on_commit_callbacks(execute=True):
        services.chart_setting_update(
            ward=ward, measure=seclusion, user=qi_lead, chart_type="c", baseline_weeks=15
        )
        phase_break = services.phase_break_add(
            ward=ward, measure=seclusion, user=qi_lead,
            starts_on=FIRST + datetime.timedelta(weeks=8), reason="New policy",
        )  # fmt: skip
        services.phase_break_delete(phase_break=phase_break)
    assert queued == [[ward.pk]] * 3


def test_it_refuses_a_phase_from_the_first_week_or_twice_the_same_week(
    ward, qi_lead, enrolled, queued
):
    seclusion = Measure.objects.get(code="seclusion")
    with pytest.raises(ValidationError, match="after the chart's first week"):
        services.phase_break_add(
            ward=ward, measure=seclusion, user=qi_lead, starts_on=FIRST, reason="Too early"
        )
    week = FIRST + datetime.timedelta(weeks=4)
    services.phase_break_add(ward=ward, measure=seclusion, user=qi_lead, starts_on=week,
                             reason="New policy")  # fmt: skip
    with pytest.raises(ValidationError, match="already starts that week"):
        services.phase_break_add(ward=ward, measure=seclusion, user=qi_lead, starts_on=week,
                                 reason="Again")  # fmt: skip
