"""Database reads for the chart pipeline: chart configurations (settings, baselines, phases,
targets), the scopes a ward belongs to, staleness, and the funnel's units. The weekly series
themselves come from spc/inputs.py."""

import datetime
from collections import defaultdict

from django.conf import settings
from django.db.models import F, Q, Sum

from measures.models import Enrolment, Measure, Programme, WeeklyCount, WeeklyReturn
from wards.models import Region, Trust, Ward

from .models import ChartSetting, Scope
from .specs import ChartConfig, TargetLine

SUBMITTED = WeeklyReturn.Status.SUBMITTED


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
                period=setting.period if setting else "auto",
                improvement=measure.improvement,
                baseline_start=setting.baseline_start if setting else None,
                baseline_weeks=(setting and setting.baseline_weeks) or default_weeks,
                breaks=tuple((b.starts_on, b.reason) for b in setting.breaks.all())
                if setting
                else (),
                targets=_targets(
                    ward_programmes, measure.pk, setting.programme_id if setting else None
                ),
                value_type=measure.value_type,
                value_unit=measure.duration_unit,
            )
    return configs


def aggregate_config(measure: Measure, programmes: list[Programme]) -> ChartConfig:
    return ChartConfig(
        chart_type="auto",
        improvement=measure.improvement,
        baseline_weeks=default_baseline_weeks(),
        targets=_targets(programmes, measure.pk),
        value_type=measure.value_type,
        value_unit=measure.duration_unit,
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
