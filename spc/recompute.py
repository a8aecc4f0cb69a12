"""Recomputing stored charts: a ward's charts, then the trust, region and national charts
that contain it; everything stale; everything. What the tasks (spc/tasks.py) and the
`recompute_charts` command call; idempotent, as each recompute overwrites the stored chart."""

import time
from collections.abc import Callable

from django.db.models import Count, F
from django.utils import timezone

from measures.models import Measure
from wards.models import Ward

from . import inputs, selectors
from .models import Scope, StoredChart
from .store_batch import RecomputeSummary, store_charts
from .stored import STORE_VERSION

__all__ = ["RecomputeSummary", "charts_recompute", "charts_recompute_all",
           "charts_recompute_stale", "stale_ward_ids"]  # fmt: skip


def ward_charts_recompute(
    *, ward_ids: list[int], today=None, force: bool = False
) -> RecomputeSummary:
    """Recompute every measure's chart of these wards (an unchanged input is skipped)."""
    today = today or timezone.localdate()
    summary = RecomputeSummary()
    measures = list(Measure.objects.filter(is_active=True))
    programmes = selectors.programmes_with_measures()
    wards = list(Ward.objects.filter(pk__in=ward_ids))
    if not wards:
        return summary
    # The versions first, then the data (see StoredChart).
    versions = dict(
        StoredChart.objects.filter(scope=Scope.WARD, scope_id__in=ward_ids).values_list(
            "pk", "dirty_version"
        )
    )
    series = inputs.ward_series(wards, [m.pk for m in measures], today)
    configs = selectors.ward_configs([w.pk for w in wards], measures, programmes)
    local = selectors.local_measure_scopes()
    items = [
        ((Scope.WARD, w.pk, m.pk), series[w.pk, m.pk], configs[w.pk, m.pk])
        for w in wards
        for m in measures
        if selectors.charted_on_ward(m.pk, w, local)
    ]
    summary.add(store_charts(items, versions, force))
    return summary


def aggregate_charts_recompute(
    *, scopes: list[tuple[str, int]], today=None, force: bool = False, only_stale: bool = False
) -> RecomputeSummary:
    """Recompute the trust, region or national charts named by (scope, id).

    `only_stale` skips a scope whose charts all exist and are fresh: when a burst of saves
    queues many refreshes of the national chart, the first one that runs does the work."""
    today = today or timezone.localdate()
    summary = RecomputeSummary()
    every = list(Measure.objects.filter(is_active=True))
    programmes = selectors.programmes_with_measures()
    local = selectors.local_measure_scopes()
    local_targets = selectors.local_target_lines()
    for scope, scope_id in scopes:
        measures = [m for m in every if selectors.charted_on_scope(m.pk, scope, scope_id, local)]
        versions = dict(
            StoredChart.objects.filter(scope=scope, scope_id=scope_id).values_list(
                "pk", "dirty_version"
            )
        )
        if only_stale and len(versions) >= len(measures):
            fresh = StoredChart.objects.filter(
                pk__in=list(versions), computed_version__gte=F("dirty_version")
            ).count()
            if fresh == len(versions):
                summary.unchanged += len(versions)
                continue
        series = inputs.aggregate_series(scope, scope_id, [m.pk for m in measures], today)
        items = [
            ((scope, scope_id, m.pk), series[m.pk],
             selectors.aggregate_config(m, programmes, local_targets))
            for m in measures
        ]
        summary.add(store_charts(items, versions, force))
    return summary


def charts_recompute(*, ward_ids: list[int], today=None) -> RecomputeSummary:
    """What a data change needs: these wards' charts, then every chart containing them."""
    started = time.monotonic()
    summary = ward_charts_recompute(ward_ids=ward_ids, today=today)
    summary.add(
        aggregate_charts_recompute(scopes=selectors.scopes_containing(ward_ids), today=today)
    )
    summary.seconds = time.monotonic() - started
    return summary


def stale_ward_ids() -> list[int]:
    """Wards with a stale chart, one stored in an older shape, or none yet (never computed)."""
    stale = set(
        StoredChart.objects.filter(selectors.stale_filter(), scope=Scope.WARD).values_list(
            "scope_id", flat=True
        )
    ) | set(
        StoredChart.objects.filter(scope=Scope.WARD)
        .exclude(store_version=STORE_VERSION)
        .values_list("scope_id", flat=True)
    )
    # Completeness counts national charts; a local measure's missing charts are found below.
    measures = Measure.objects.filter(is_active=True, local__isnull=True).count()
    complete = set(
        StoredChart.objects.filter(scope=Scope.WARD, measure__local__isnull=True)
        .values_list("scope_id")
        .annotate(n=Count("pk"))
        .filter(n__gte=measures)
        .values_list("scope_id", flat=True)
    )
    all_wards = set(Ward.objects.values_list("pk", flat=True))
    charted = set(StoredChart.objects.filter(scope=Scope.WARD, measure__local__isnull=False)
                  .values_list("scope_id", "measure_id"))  # fmt: skip
    uncharted = {ward_id for measure_id, (_, ward_ids) in selectors.local_measure_scopes().items()
                 for ward_id in ward_ids if (ward_id, measure_id) not in charted}  # fmt: skip
    return sorted(stale | (all_wards - complete) | uncharted)


def charts_recompute_stale(*, today=None) -> RecomputeSummary:
    """The periodic check: recompute whatever is stale (recovers lost enqueues)."""
    started = time.monotonic()
    ward_ids = stale_ward_ids()
    summary = RecomputeSummary()
    if ward_ids:
        summary.add(ward_charts_recompute(ward_ids=ward_ids, today=today))
    stale_aggregates = set(
        StoredChart.objects.filter(selectors.stale_filter())
        .exclude(scope=Scope.WARD)
        .values_list("scope", "scope_id")
    ) | set(
        StoredChart.objects.exclude(scope=Scope.WARD)
        .exclude(store_version=STORE_VERSION)
        .values_list("scope", "scope_id")
    )
    scopes = sorted(stale_aggregates | set(selectors.scopes_containing(ward_ids)))
    if scopes:
        summary.add(aggregate_charts_recompute(scopes=scopes, today=today))
    summary.seconds = time.monotonic() - started
    return summary


def charts_recompute_all(
    *,
    ward_ids: list[int] | None = None,
    today=None,
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> RecomputeSummary:
    """Recompute every chart (or those of `ward_ids` and their scopes), a trust at a time."""
    started = time.monotonic()
    summary = RecomputeSummary()
    wards = Ward.objects.all() if ward_ids is None else Ward.objects.filter(pk__in=ward_ids)
    by_trust = {}
    for ward_id, trust_id in wards.values_list("pk", "trust_id"):
        by_trust.setdefault(trust_id, []).append(ward_id)
    total = len(by_trust)
    for done, ids in enumerate(by_trust.values(), start=1):
        summary.add(ward_charts_recompute(ward_ids=ids, today=today, force=force))
        if progress:
            progress(done, total)
    if ward_ids is None:
        scopes = selectors.all_aggregate_scopes()
    else:
        scopes = selectors.scopes_containing(ward_ids)
    summary.add(aggregate_charts_recompute(scopes=scopes, today=today, force=force))
    summary.seconds = time.monotonic() - started
    return summary
