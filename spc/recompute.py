"""Recomputing stored charts: a ward's charts, then the trust, region and national charts
that contain it; everything stale; everything. What the tasks (spc/tasks.py) and the
`recompute_charts` command call; idempotent, as each recompute overwrites the stored chart."""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Count, F
from django.utils import timezone

from measures.models import Measure
from mhsip.bulk import update_rows
from spc.engine import compute_batch
from wards.models import Ward

from . import selectors
from .models import Scope, StoredChart
from .specs import (
    ChartConfig,
    WeeklySeries,
    chart_unit,
    engine_spec,
    spec_hash,
    start_at,
    target_lines,
)

logger = logging.getLogger(__name__)


@dataclass
class RecomputeSummary:
    computed: int = 0
    unchanged: int = 0
    failed: int = 0
    insufficient: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)

    def add(self, other: "RecomputeSummary") -> None:
        self.computed += other.computed
        self.unchanged += other.unchanged
        self.failed += other.failed
        self.insufficient += other.insufficient
        self.errors += other.errors

    def __str__(self):
        return (
            f"{self.computed} charts computed, {self.unchanged} unchanged, "
            f"{self.insufficient} with too little data, {self.failed} failed "
            f"in {self.seconds:.1f} s"
        )


# Bump when the stored payload's shape changes, so every chart is rebuilt in the new shape.
PAYLOAD_VERSION = 2

# Engine errors that mean "not enough data yet", a normal state for a new ward, not a fault.
INSUFFICIENT = {"EmptySeriesError", "SeriesTooShortError", "BaselineError"}


def key_of(row: StoredChart) -> tuple[str, int, int]:
    return (row.scope, row.scope_id, row.measure_id)


def _payload(result: dict, series: WeeklySeries, config: ChartConfig, spec: dict) -> dict:
    summary = result.get("summary") or {}
    return {
        "status": "ok",
        "unit": chart_unit(series, spec["chart"]),
        "engine": result,
        "counts": [None if c != c else int(c) for c in series.counts],
        "bed_days": [None if b != b else int(b) for b in series.bed_days],
        "contributors": None if series.contributors is None else series.contributors.tolist(),
        "chart_type_setting": config.chart_type,
        "baseline": {
            "start": spec["dates"][0] if spec["dates"] else None,
            "weeks": spec.get("freeze", len(spec["dates"])),
        },
        "breaks": [{"date": d.isoformat(), "reason": r} for d, r in config.breaks],
        "targets": target_lines(config, summary.get("baseline_centre")),
    }


def _store(
    items: list[tuple[tuple[str, int, int], WeeklySeries, ChartConfig]],
    versions: dict[int, int],
    summary: RecomputeSummary,
    force: bool,
) -> None:
    """Compute and store the charts named by (scope, scope id, measure id) keys.

    `versions` maps result ids to the `dirty_version` read *before* the caller read the data
    (see StoredChart); a row missing from it stays stale for the next check to redo."""
    keys = [key for key, _, _ in items]
    existing = {
        key_of(r): r
        # The old payload is only overwritten, never read: do not load and decode it.
        for r in StoredChart.objects.defer("payload").filter(
            scope__in={k[0] for k in keys},
            scope_id__in={k[1] for k in keys},
            measure_id__in={k[2] for k in keys},
        )
    }
    specs, to_compute = [], []
    now = timezone.now()
    to_update, to_create = [], []
    for key, series, config in items:
        series = start_at(series, config.baseline_start)
        spec = engine_spec(series, config)
        digest = spec_hash(spec, {"config": repr(config), "payload": PAYLOAD_VERSION})
        row = existing.get(key)
        if row is None:
            row = StoredChart(scope=key[0], scope_id=key[1], measure_id=key[2], dirty_version=1)
            to_create.append(row)
        else:
            to_update.append(row)
        row.computed_version = versions.get(row.pk, 1 if row.pk is None else 0)
        if row.input_hash == digest and not force and not row.error:
            summary.unchanged += 1
            continue
        row.input_hash = digest
        specs.append(spec)
        to_compute.append((row, series, config, spec))

    results = compute_batch(specs, on_error="return") if specs else []
    for (row, series, config, spec), result in zip(to_compute, results, strict=True):
        error = result.get("error") if isinstance(result, dict) else None
        row.computed_at = now
        if error and error.get("type") in INSUFFICIENT:
            row.payload = {"status": "insufficient", "message": error["message"]}
            row.error = ""
            summary.insufficient += 1
        elif error:
            row.error = f"{error.get('type')}: {error.get('message')}"
            row.error_at = now
            summary.failed += 1
            summary.errors.append("{} {} measure {}: ".format(*key_of(row)) + row.error)
            logger.error("Chart %s %s measure %s failed: %s", *key_of(row), row.error)
        else:
            row.payload = _payload(result, series, config, spec)
            row.error = ""
            summary.computed += 1
    for row in to_update + to_create:
        if row.computed_version >= row.dirty_version:
            row.stale_since = None
    StoredChart.objects.bulk_create(to_create, batch_size=500, ignore_conflicts=True)
    # Write only what changed: an unchanged chart just catches up its version, a failed one
    # keeps its last good payload (never loaded here: it is deferred).
    new_payload = {id(row) for row, *_ in to_compute if not row.error}
    failed = {id(row) for row, *_ in to_compute if row.error}
    version = ["computed_version", "stale_since"]
    update_rows(
        StoredChart,
        ["payload", "input_hash", "computed_at", "error", "error_at", *version],
        [r for r in to_update if id(r) in new_payload],
    )
    update_rows(
        StoredChart,
        ["input_hash", "computed_at", "error", "error_at", *version],
        [r for r in to_update if id(r) in failed],
    )
    update_rows(
        StoredChart, version, [r for r in to_update if id(r) not in new_payload | failed]
    )


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
    series = selectors.ward_series(wards, [m.pk for m in measures], today)
    configs = selectors.ward_configs([w.pk for w in wards], measures, programmes)
    items = [
        ((Scope.WARD, w.pk, m.pk), series[w.pk, m.pk], configs[w.pk, m.pk])
        for w in wards
        for m in measures
    ]
    _store(items, versions, summary, force)
    return summary


def aggregate_charts_recompute(
    *, scopes: list[tuple[str, int]], today=None, force: bool = False, only_stale: bool = False
) -> RecomputeSummary:
    """Recompute the trust, region or national charts named by (scope, id).

    `only_stale` skips a scope whose charts all exist and are fresh: when a burst of saves
    queues many refreshes of the national chart, the first one that runs does the work."""
    today = today or timezone.localdate()
    summary = RecomputeSummary()
    measures = list(Measure.objects.filter(is_active=True))
    programmes = selectors.programmes_with_measures()
    for scope, scope_id in scopes:
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
        series = selectors.aggregate_series(scope, scope_id, [m.pk for m in measures], today)
        items = [
            ((scope, scope_id, m.pk), series[m.pk], selectors.aggregate_config(m, programmes))
            for m in measures
        ]
        _store(items, versions, summary, force)
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
    """Wards with a stale chart, or active wards lacking one (never computed)."""
    stale = set(
        StoredChart.objects.filter(selectors.stale_filter(), scope=Scope.WARD).values_list(
            "scope_id", flat=True
        )
    )
    measures = Measure.objects.filter(is_active=True).count()
    complete = set(
        StoredChart.objects.filter(scope=Scope.WARD)
        .values_list("scope_id")
        .annotate(n=Count("pk"))
        .filter(n__gte=measures)
        .values_list("scope_id", flat=True)
    )
    all_wards = set(Ward.objects.values_list("pk", flat=True))
    return sorted(stale | (all_wards - complete))


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
