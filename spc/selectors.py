"""Database reads for the chart pipeline: chart configurations (settings, baselines, phases,
targets), the scopes a ward belongs to, staleness, and the funnel's units. The weekly series
themselves come from spc/inputs.py."""

import datetime
from collections import defaultdict

from django.conf import settings
from django.db.models import F, Q, Sum

from measures import selectors as measure_selectors
from measures import targets
from measures.models import (
    Enrolment,
    LocalMeasure,
    Measure,
    Programme,
    ProgrammeTarget,
    WeeklyCount,
    WeeklyReturn,
)
from wards.models import Region, Trust, Ward

from .models import ChartSetting, Scope
from .specs import ChartConfig, TargetLine

SUBMITTED = WeeklyReturn.Status.SUBMITTED


def _covering(programmes: list[Programme], measure_id: int, chosen_id=None) -> list:
    """The programmes' targets on a measure, the chosen programme's (else the latest
    deadline's) first."""
    covering = [(p, p.targets_cached[measure_id]) for p in programmes
                if measure_id in p.targets_cached]  # fmt: skip
    covering.sort(key=lambda pt: (pt[0].pk != chosen_id, -pt[1].deadline.toordinal(), pt[0].name))
    return [t for _, t in covering]


def _target_line(programme_name: str, t: ProgrammeTarget) -> TargetLine:
    return TargetLine(programme_name, t.percent, t.deadline, kind=t.kind, value=t.value,
                      steps=tuple(t.typed_steps()))  # fmt: skip


def _targets(programmes: list[Programme], measure_id: int, chosen_id=None) -> tuple:
    """The numeric targets covering a measure as chart lines, the one that applies first."""
    names = {p.pk: p.name for p in programmes}
    return tuple(_target_line(names[t.programme_id], t)
                 for t in _covering(programmes, measure_id, chosen_id)
                 if t.kind != targets.NONE)  # fmt: skip


def local_target_lines(measure_ids=None) -> dict[int, TargetLine]:
    """measure id -> the trust's own target on its local measure (one query), drawn after any
    programme's: a local measure is in no programme, so it is usually the only one."""
    rows = LocalMeasure.objects.exclude(target_kind=targets.NONE).select_related("trust")
    if measure_ids is not None:
        rows = rows.filter(pk__in=list(measure_ids))
    return {
        local.pk: TargetLine(f"{local.trust.name} (local target)", local.target_percent,
                             local.target_deadline, kind=local.target_kind,
                             value=local.target_value)
        for local in rows
    }  # fmt: skip


def _with_local(lines: tuple, measure_id: int, local_targets: dict) -> tuple:
    local = local_targets.get(measure_id)
    return (*lines, local) if local else lines


def _direction(programmes: list[Programme], measure: Measure, chosen_id=None) -> str:
    """The engine's improvement direction: that of the target that applies (a reporting
    measure has none: "neutral"), else the measure's own."""
    covering = _covering(programmes, measure.pk, chosen_id)
    if covering:
        return targets.ENGINE_DIRECTION[covering[0].direction]
    return measure.improvement


def local_measure_scopes() -> dict[int, tuple[int, frozenset[int]]]:
    """measure id -> (trust id, enrolled ward ids) of every local measure: the charts' view
    of the rule's scopes (measures.selectors), one query."""
    return {scope.measure_id: (scope.trust_id, scope.ward_ids)
            for scope in measure_selectors.local_measure_scopes().values()}  # fmt: skip


def charted_on_ward(measure_id: int, ward: Ward, local: dict) -> bool:
    """National measures are charted on every ward; a local one on its trust's enrolled wards."""
    if measure_id not in local:
        return True
    trust_id, ward_ids = local[measure_id]
    return trust_id == ward.trust_id and ward.pk in ward_ids


def charted_on_scope(measure_id: int, scope: str, scope_id: int, local: dict) -> bool:
    """A local measure is summed into its own trust's chart, never a region's or the nation's."""
    if measure_id not in local:
        return True
    return scope == Scope.TRUST and local[measure_id][0] == scope_id


def programmes_with_measures() -> list[Programme]:
    programmes = list(Programme.objects.prefetch_related("measures", "targets"))
    for p in programmes:
        p.measure_ids_cached = {m.pk for m in p.measures.all()}
        p.targets_cached = {t.measure_id: t for t in p.targets.all()}
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
    local_targets = local_target_lines(m.pk for m in measures)
    configs = {}
    for ward_id in ward_ids:
        ward_programmes = [p for p in programmes if p.pk in enrolled[ward_id]]
        for measure in measures:
            setting = saved.get((ward_id, measure.pk))
            configs[ward_id, measure.pk] = ChartConfig(
                chart_type=setting.chart_type if setting else "auto",
                period=setting.period if setting else "auto",
                improvement=_direction(
                    ward_programmes, measure, setting.programme_id if setting else None
                ),
                baseline_start=setting.baseline_start if setting else None,
                baseline_weeks=(setting and setting.baseline_weeks) or default_weeks,
                breaks=tuple((b.starts_on, b.reason) for b in setting.breaks.all())
                if setting
                else (),
                targets=_with_local(_targets(
                    ward_programmes, measure.pk, setting.programme_id if setting else None
                ), measure.pk, local_targets),
                value_type=measure.value_type,
                value_unit=measure.duration_unit,
            )
    return configs


def aggregate_config(measure: Measure, programmes: list[Programme],
                     local_targets: dict) -> ChartConfig:  # fmt: skip
    """A trust, region or national chart's configuration; `local_targets`: the caller's one
    read of `local_target_lines` for all its measures (never a query per chart)."""
    return ChartConfig(
        chart_type="auto",
        improvement=_direction(programmes, measure),
        baseline_weeks=default_baseline_weeks(),
        targets=_with_local(_targets(programmes, measure.pk), measure.pk, local_targets),
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
    unit: str, ward_type: str | None = None,
) -> list[dict]:  # fmt: skip
    """The funnel plot's units: per ward (unit "ward") or trust ("trust") of a region or trust,
    Σcount and Σoccupied bed days over the weeks first..last, from submitted returns that have
    the measure's count and bed days > 0, as the charts count them (a missing count drops its
    bed days: it is never a zero). Sorted by name; one query. The region page and the API's
    comparison both read this, so they show the same funnel. `ward_type` keeps only wards of
    that type (a peer group: a PICU is compared with PICUs, trusts by their wards of the type)."""
    if unit not in ("ward", "trust"):
        raise ValueError(f"unit must be 'ward' or 'trust', not {unit!r}")
    ward = "weekly_return__ward"
    key = f"{ward}__trust" if unit == "trust" else ward
    within = (
        {f"{ward}__trust__region": scope_object}
        if isinstance(scope_object, Region)
        else {f"{ward}__trust": scope_object}
    )
    if ward_type:
        within[f"{ward}__ward_type"] = ward_type
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
