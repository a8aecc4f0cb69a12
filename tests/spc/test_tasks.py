"""The Celery tasks, run eagerly: each calls one recompute and overwrites the stored charts."""

import pytest

from spc import recompute, tasks
from spc.models import Scope, StoredChart
from spc.refresh import charts_mark_stale
from tests.spc.helpers import fill, result

pytestmark = pytest.mark.django_db


def test_it_refreshes_a_ward_then_the_charts_containing_it(ward, enrolled):
    fill(ward)
    tasks.charts_refresh_task.delay([ward.pk])
    assert not result(Scope.WARD, ward.pk).is_stale
    assert result(Scope.TRUST, ward.trust_id).status == StoredChart.Status.OK
    assert not result(Scope.NATIONAL, 0).is_stale


def test_it_recomputes_what_is_stale_and_everything_at_night(ward, other_ward, enrolled):
    fill(ward)
    recompute.charts_recompute(ward_ids=[ward.pk])
    charts_mark_stale(ward_ids=[ward.pk])
    assert result(Scope.WARD, ward.pk).is_stale
    tasks.charts_refresh_stale_task.delay()
    assert not result(Scope.WARD, ward.pk).is_stale
    tasks.charts_recompute_all_task.delay(force=True)
    assert result(Scope.WARD, other_ward.pk).status == StoredChart.Status.INSUFFICIENT
    assert not result(Scope.REGION, ward.trust.region_id).is_stale
