"""Breakdowns for tests: a submitted return whose counts are the sums of its groups."""

import datetime

from equity.models import GroupBedDays, GroupCount
from measures.models import Measure, WeeklyCount, WeeklyReturn


def week(n: int) -> datetime.date:
    return datetime.date(2024, 1, 1) + datetime.timedelta(weeks=n)


def breakdown(ward, week_start, groups: dict[str, tuple[int, int]], *,
              dimension="ethnicity", measure="physical_restraint", extra_days=0):
    """groups: {code: (bed days, events)}; the return's bed days and count are their sums
    (plus extra_days of patients whose group is not recorded)."""
    measure = Measure.objects.get(code=measure)
    weekly_return, _ = WeeklyReturn.objects.get_or_create(
        ward=ward, week_start=week_start,
        defaults={"beds": ward.beds, "status": WeeklyReturn.Status.SUBMITTED,
                  "occupied_bed_days": min(ward.beds * 7, sum(d for d, _ in groups.values())
                                           + extra_days)})  # fmt: skip
    WeeklyCount.objects.update_or_create(
        weekly_return=weekly_return, measure=measure,
        defaults={"count": sum(e for _, e in groups.values())})
    for code, (days, events) in groups.items():
        GroupBedDays.objects.update_or_create(weekly_return=weekly_return, dimension=dimension,
                                              code=code, defaults={"occupied_bed_days": days})
        GroupCount.objects.update_or_create(weekly_return=weekly_return, measure=measure,
                                            dimension=dimension, code=code,
                                            defaults={"count": events})  # fmt: skip
    return weekly_return
