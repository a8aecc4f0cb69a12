"""Breakdown totals of a scope and period, read in two aggregate queries per period."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Max, Min, Sum

from .groups import DIMENSION, group_of
from .models import GroupBedDays, GroupCount

SCOPE_FILTERS = {
    "ward": "weekly_return__ward_id",
    "trust": "weekly_return__ward__trust_id",
    "region": "weekly_return__ward__trust__region_id",
}


@dataclass(frozen=True)
class GroupTotal:
    group: str
    events: int
    bed_days: int


def _scope(scope: str, scope_id: int) -> dict:
    # Soft-deleted returns (issue "data safety") and drafts leave breakdowns as they leave
    # charts: only submitted returns count.
    return {SCOPE_FILTERS[scope]: scope_id, "weekly_return__status": "submitted"}


def group_totals(scope: str, scope_id: int, measure_id: int, dimension: str,
                 start: datetime.date, end: datetime.date) -> list[GroupTotal]:
    """Events and bed days of each display group of the dimension, weeks start..end."""
    where = _scope(scope, scope_id) | {
        "dimension": dimension, "weekly_return__week_start__range": (start, end)}
    events, days = defaultdict(int), defaultdict(int)
    for code, total in (GroupCount.objects.filter(measure_id=measure_id, **where)
                        .values_list("code").annotate(Sum("count"))):  # fmt: skip
        events[group_of(dimension, code)] += total
    for code, total in (GroupBedDays.objects.filter(**where)
                        .values_list("code").annotate(Sum("occupied_bed_days"))):  # fmt: skip
        days[group_of(dimension, code)] += total
    return [GroupTotal(g, events[g], days[g]) for g in DIMENSION[dimension].groups
            if events[g] or days[g]]  # fmt: skip


def weekly_group_totals(scope: str, scope_id: int, measure_id: int, dimension: str):
    """{week: {group: (events, bed days)}} over all weeks with a breakdown (for trends)."""
    where = _scope(scope, scope_id) | {"dimension": dimension}
    weeks = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for week, code, total in (GroupCount.objects.filter(measure_id=measure_id, **where)
                              .values_list("weekly_return__week_start", "code")
                              .annotate(Sum("count"))):  # fmt: skip
        weeks[week][group_of(dimension, code)][0] += total
    for week, code, total in (GroupBedDays.objects.filter(**where)
                              .values_list("weekly_return__week_start", "code")
                              .annotate(Sum("occupied_bed_days"))):  # fmt: skip
        weeks[week][group_of(dimension, code)][1] += total
    return {week: dict(groups) for week, groups in sorted(weeks.items())}


def breakdown_span(scope: str, scope_id: int, dimension: str):
    """The first and last weeks with a breakdown of the dimension in the scope (or Nones)."""
    span = GroupBedDays.objects.filter(**_scope(scope, scope_id), dimension=dimension).aggregate(
        first=Min("weekly_return__week_start"), last=Max("weekly_return__week_start"))
    return span["first"], span["last"]
