"""Shared data for the chart pipeline's tests: 26 weeks from 1 January 2024."""

import datetime

from measures.models import Measure, WeeklyReturn
from spc.models import StoredChart
from spc.stored import read_charts
from tests.factories import WeeklyCountFactory, WeeklyReturnFactory

FIRST = datetime.date(2024, 1, 1)
TODAY = datetime.date(2024, 7, 3)  # latest complete week: w/c 24 June 2024 (26 weeks)


def weeks(n, start=FIRST):
    return [start + datetime.timedelta(weeks=i) for i in range(n)]


def fill(ward, n=26, count=2, bed_days=120, skip=(), status=WeeklyReturn.Status.SUBMITTED):
    restraint = Measure.objects.get(code="physical_restraint")
    for i, week in enumerate(weeks(n)):
        if i in skip:
            continue
        weekly_return = WeeklyReturnFactory(
            ward=ward, week_start=week, occupied_bed_days=bed_days, status=status
        )
        WeeklyCountFactory(weekly_return=weekly_return, measure=restraint, count=count)


def result(scope, scope_id, code="physical_restraint"):
    return StoredChart.objects.get(scope=scope, scope_id=scope_id, measure__code=code)


def view(scope, scope_id, code="physical_restraint", name="chosen"):
    """The stored view of a chart, as the pages read it (spc.stored.ChartView)."""
    stored = read_charts({"scope": scope, "scope_id": scope_id, "measure__code": code}, name)
    measure_id = Measure.objects.get(code=code).pk
    return stored.view.get((scope_id, measure_id))
