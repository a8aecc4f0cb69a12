"""Database reads that build chart inputs: weekly series and chart configurations.

A week counts on a chart only from a *submitted* return (a draft is not final), and a
measure's point is missing when that return has no count for it: never zero.
"""

import datetime
from collections import defaultdict

import numpy as np
from django.conf import settings
from django.db.models import Count, F, Min, Q, Sum

from measures.models import Enrolment, Measure, Programme, WeeklyCount, WeeklyReturn
from mhsip.weeks import latest_complete_week, monday_of
from wards.models import Region, Trust, Ward

from .models import ChartSetting, Scope
from .specs import ChartConfig, TargetLine, WeeklySeries

SUBMITTED = WeeklyReturn.Status.SUBMITTED


def week_axis(first: datetime.date, last: datetime.date) -> tuple[datetime.date, ...]:
    weeks = max(0, (last - first).days // 7 + 1)
    return tuple(first + datetime.timedelta(weeks=i) for i in range(weeks))


def ward_start_weeks(ward_ids) -> dict[int, datetime.date]:
    """The week each ward's charts start: when it joined the programme (its earliest
    enrolment), else its first return; never before the ward opened."""
    joined = dict(
        Enrolment.objects.filter(ward_id__in=ward_ids)
        .values("ward_id")
        .annotate(first=Min("joined_on"))
        .values_list("ward_id", "first")
    )
    first_return = dict(
        WeeklyReturn.objects.filter(ward_id__in=ward_ids)
        .values("ward_id")
        .annotate(first=Min("week_start"))
        .values_list("ward_id", "first")
    )
    starts = {}
    for ward_id, active_from in Ward.objects.filter(pk__in=ward_ids).values_list(
        "pk", "active_from"
    ):
        opened = monday_of(active_from)
        if opened < active_from:
            opened += datetime.timedelta(weeks=1)  # the first full week the ward was open
        starts[ward_id] = max(joined.get(ward_id) or first_return.get(ward_id) or opened, opened)
    return starts


def ward_end_week(ward: Ward, today: datetime.date) -> datetime.date:
    last = latest_complete_week(today)
    if ward.active_to is not None:
        last = min(last, monday_of(ward.active_to))
    return last


def ward_series(
    wards: list[Ward], measure_ids: list[int], today: datetime.date
) -> dict[tuple[int, int], WeeklySeries]:
    """(ward id, measure id) -> weekly series, for many wards in three queries."""
    ward_ids = [w.pk for w in wards]
    starts = ward_start_weeks(ward_ids)
    returns = WeeklyReturn.objects.filter(ward_id__in=ward_ids, status=SUBMITTED)
    bed_days = {}
    return_week = {}
    for return_id, ward_id, week, obd in returns.values_list(
        "pk", "ward_id", "week_start", "occupied_bed_days"
    ):
        bed_days[ward_id, week] = np.nan if obd is None else float(obd)
        return_week[return_id] = (ward_id, week)
    counts = defaultdict(dict)
    for return_id, measure_id, count in WeeklyCount.objects.filter(
        weekly_return__ward_id__in=ward_ids,
        weekly_return__status=SUBMITTED,
        measure_id__in=measure_ids,
    ).values_list("weekly_return_id", "measure_id", "count"):
        ward_id, week = return_week[return_id]
        counts[ward_id, measure_id][week] = float(count)

    result = {}
    for ward in wards:
        weeks = week_axis(starts[ward.pk], ward_end_week(ward, today))
        obd = np.array([bed_days.get((ward.pk, w), np.nan) for w in weeks], dtype=float)
        for measure_id in measure_ids:
            by_week = counts.get((ward.pk, measure_id), {})
            values = np.array([by_week.get(w, np.nan) for w in weeks], dtype=float)
            result[ward.pk, measure_id] = WeeklySeries(weeks, values, obd)
    return result


def aggregate_series(
    scope: str, scope_id: int, measure_ids: list[int], today: datetime.date
) -> dict[int, WeeklySeries]:
    """measure id -> the weekly sums over the scope's wards, one query.

    A ward adds to a week only when its submitted return has a count for the measure and its
    bed days; `contributors` says how many wards did, so partial weeks are visible."""
    counts = WeeklyCount.objects.filter(
        weekly_return__status=SUBMITTED,
        weekly_return__occupied_bed_days__isnull=False,
        measure_id__in=measure_ids,
    )
    wards = Ward.objects.all()
    if scope == Scope.TRUST:
        counts = counts.filter(weekly_return__ward__trust_id=scope_id)
        wards = wards.filter(trust_id=scope_id)
    elif scope == Scope.REGION:
        counts = counts.filter(weekly_return__ward__trust__region_id=scope_id)
        wards = wards.filter(trust__region_id=scope_id)
    rows = counts.values_list("weekly_return__week_start", "measure_id").annotate(
        total=Sum("count"),
        bed_days=Sum("weekly_return__occupied_bed_days"),
        wards=Count("weekly_return__ward_id", distinct=True),
    )
    first = Enrolment.objects.filter(ward__in=wards).aggregate(first=Min("joined_on"))["first"]
    by_measure = defaultdict(dict)
    for week, measure_id, total, obd, contributors in rows:
        by_measure[measure_id][week] = (total, obd, contributors)
        first = min(first or week, week)
    weeks = week_axis(first, latest_complete_week(today)) if first else ()
    result = {}
    for measure_id in measure_ids:
        data = by_measure.get(measure_id, {})
        result[measure_id] = WeeklySeries(
            weeks,
            np.array([data[w][0] if w in data else np.nan for w in weeks], dtype=float),
            np.array([data[w][1] if w in data else np.nan for w in weeks], dtype=float),
            np.array([data[w][2] if w in data else 0 for w in weeks], dtype=int),
        )
    return result


def _targets(programmes: list[Programme], measure_id: int, chosen_id=None) -> tuple:
    """The programme targets covering a measure, the chosen (or latest-deadline) one first."""
    covering = [
        p for p in programmes if p.reduction_percent and measure_id in p.measure_ids_cached
    ]
    covering.sort(key=lambda p: (p.pk != chosen_id, -p.deadline.toordinal(), p.name))
    return tuple(TargetLine(p.name, p.reduction_percent, p.deadline) for p in covering)


def programmes_with_measures() -> list[Programme]:
    programmes = list(Programme.objects.prefetch_related("measures"))
    for p in programmes:
        p.measure_ids_cached = {m.pk for m in p.measures.all()}
    return programmes


def default_baseline_weeks() -> int:
    """A chart's baseline length where its ward has saved none (MHSIP_DEFAULT_BASELINE_WEEKS)."""
    return settings.MHSIP_DEFAULT_BASELINE_WEEKS


def ward_configs(
    ward_ids, measures: list[Measure], programmes: list[Programme]
) -> dict[tuple[int, int], ChartConfig]:
    """(ward id, measure id) -> the chart configuration: the QI lead's settings where saved,
    the defaults otherwise."""
    saved = {
        (s.ward_id, s.measure_id): s
        for s in ChartSetting.objects.filter(ward_id__in=ward_ids).prefetch_related("breaks")
    }
    enrolled = defaultdict(set)
    for ward_id, programme_id in Enrolment.objects.filter(ward_id__in=ward_ids).values_list(
        "ward_id", "programme_id"
    ):
        enrolled[ward_id].add(programme_id)
    default_weeks = default_baseline_weeks()
    configs = {}
    for ward_id in ward_ids:
        ward_programmes = [p for p in programmes if p.pk in enrolled[ward_id]]
        for measure in measures:
            setting = saved.get((ward_id, measure.pk))
            configs[ward_id, measure.pk] = ChartConfig(
                chart_type=setting.chart_type if setting else "auto",
                improvement=measure.improvement,
                baseline_start=setting.baseline_start if setting else None,
                baseline_weeks=(setting and setting.baseline_weeks) or default_weeks,
                breaks=tuple((b.starts_on, b.reason) for b in setting.breaks.all())
                if setting
                else (),
                targets=_targets(
                    ward_programmes, measure.pk, setting.programme_id if setting else None
                ),
            )
    return configs


def aggregate_config(measure: Measure, programmes: list[Programme]) -> ChartConfig:
    return ChartConfig(
        chart_type="auto",
        improvement=measure.improvement,
        baseline_weeks=default_baseline_weeks(),
        targets=_targets(programmes, measure.pk),
    )


def scopes_containing(ward_ids) -> list[tuple[str, int]]:
    """The trust, region and national charts that include any of these wards."""
    rows = Ward.objects.filter(pk__in=ward_ids).values_list("trust_id", "trust__region_id")
    trusts = sorted({t for t, _ in rows})
    regions = sorted({r for _, r in rows})
    scopes = [(Scope.TRUST, t) for t in trusts] + [(Scope.REGION, r) for r in regions]
    return [*scopes, (Scope.NATIONAL, 0)] if scopes else []


def all_aggregate_scopes() -> list[tuple[str, int]]:
    trusts = list(Trust.objects.values_list("pk", "region_id"))
    scopes = {(Scope.TRUST, t) for t, _ in trusts} | {(Scope.REGION, r) for _, r in trusts}
    return [*sorted(scopes), (Scope.NATIONAL, 0)]


def stale_filter() -> Q:
    return Q(dirty_version__gt=F("computed_version"))


def funnel_units(
    scope_object: Region | Trust, measure: Measure, first: datetime.date, last: datetime.date,
    unit: str,
) -> list[dict]:  # fmt: skip
    """The funnel plot's units: per ward (unit "ward") or trust ("trust") of a region or trust,
    Σcount and Σoccupied bed days over the weeks first..last, from submitted returns that have
    the measure's count and bed days > 0, as the charts count them (a missing count drops its
    bed days: it is never a zero). Sorted by name; one query. The region page and the API's
    comparison both read this, so they show the same funnel."""
    if unit not in ("ward", "trust"):
        raise ValueError(f"unit must be 'ward' or 'trust', not {unit!r}")
    ward = "weekly_return__ward"
    key = f"{ward}__trust" if unit == "trust" else ward
    within = (
        {f"{ward}__trust__region": scope_object}
        if isinstance(scope_object, Region)
        else {f"{ward}__trust": scope_object}
    )
    rows = (
        WeeklyCount.objects.filter(
            measure=measure,
            weekly_return__status=SUBMITTED,
            weekly_return__occupied_bed_days__gt=0,
            weekly_return__week_start__range=(first, last),
            **within,
        )
        .values(key, f"{key}__name", f"{ward}__trust")
        .annotate(count=Sum("count"), bed_days=Sum("weekly_return__occupied_bed_days"))
        .order_by(f"{key}__name", key)
    )
    return [
        {
            "id": r[key],
            "name": r[f"{key}__name"],
            "trust": r[f"{ward}__trust"],
            "count": r["count"],
            "bed_days": r["bed_days"],
        }
        for r in rows
    ]
