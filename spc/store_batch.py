"""Compute a batch of charts and store them: each chart's views in one engine call for the
whole batch (`compute_auto_batch`, the engine's batch kernel), then the summaries and views
written in bulk. What `spc.recompute` runs for a trust's wards or an aggregate scope."""

import logging
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from mhsip.bulk import insert_rows, update_rows
from spc.engine import compute_auto_batch

from .models import StoredChart, StoredView
from .specs import (
    DEFAULT_VIEW,
    ChartConfig,
    WeeklySeries,
    has_bed_days,
    series_hash,
    start_at,
    value_labels,
)
from .specs import view_specs as make_view_specs
from .stored import STORE_VERSION, encode_view, view_payload

logger = logging.getLogger(__name__)

# Engine errors that mean "not enough data yet", a normal state for a new ward, not a fault.
INSUFFICIENT = {"EmptySeriesError", "SeriesTooShortError", "TooFewEventsError", "BaselineError"}
SUMMARY_FIELDS = [
    "status", "message", "chart", "period", "unit", "reason", "recent_value",
    "baseline_centre", "percent_change", "target_value", "variation_icon", "assurance_icon",
    "store_version",
]  # fmt: skip
VERSION_FIELDS = ["computed_version", "stale_since"]


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


def key_of(row: StoredChart) -> tuple[str, int, int]:
    return (row.scope, row.scope_id, row.measure_id)


@dataclass
class _Job:
    row: StoredChart
    series: WeeklySeries
    config: ChartConfig
    specs: dict[str, dict]
    results: dict = field(default_factory=dict)


def _existing(keys) -> dict:
    return {
        key_of(r): r
        for r in StoredChart.objects.filter(
            scope__in={k[0] for k in keys},
            scope_id__in={k[1] for k in keys},
            measure_id__in={k[2] for k in keys},
        )
    }


def _plan(items, versions, summary, force):
    """Rows to write, and the jobs whose input changed (an unchanged chart only catches up
    its version)."""
    existing = _existing([key for key, _, _ in items])
    rows, jobs = [], []
    for key, series, config in items:
        series = start_at(series, config.baseline_start)
        digest = series_hash(series, config, f"store {STORE_VERSION}")
        row = existing.get(key)
        if row is None:
            row = StoredChart(scope=key[0], scope_id=key[1], measure_id=key[2], dirty_version=1)
        row.computed_version = versions.get(row.pk, 1 if row.pk is None else 0)
        rows.append(row)
        if row.input_hash == digest and row.store_version == STORE_VERSION and not force \
                and not row.error:  # fmt: skip
            summary.unchanged += 1
            continue
        row.input_hash = digest
        # Only the chosen view here: period views are made on first request (period_views).
        specs = {DEFAULT_VIEW: make_view_specs(series, config)[DEFAULT_VIEW]} if series.weeks \
            else {}  # fmt: skip
        jobs.append(_Job(row, series, config, specs))
    return rows, jobs


def _compute(jobs) -> None:
    flat = [(job, view, spec) for job in jobs for view, spec in job.specs.items()]
    results = compute_auto_batch([spec for _, _, spec in flat], on_error="return",
                                 as_dict=False) if flat else []  # fmt: skip
    for (job, view, _), result in zip(flat, results, strict=True):
        job.results[view] = result


def _error(result) -> dict | None:
    return result.get("error") if isinstance(result, dict) else None


def _clear(row: StoredChart) -> None:
    row.chart = row.period = row.unit = row.reason = row.variation_icon = ""
    row.assurance_icon = ""
    row.recent_value = row.baseline_centre = row.percent_change = row.target_value = None


def _summarise(job: _Job, now, summary: RecomputeSummary) -> list[tuple]:
    """Fill the row from its chosen view; the views to store as (view, payload)."""
    row = job.row
    row.computed_at = now
    row.store_version = STORE_VERSION
    chosen = job.results.get(DEFAULT_VIEW)
    error = _error(chosen) if chosen is not None else {
        "type": "EmptySeriesError", "message": "No weeks to chart yet."}  # fmt: skip
    if error:
        if error["type"] in INSUFFICIENT:
            _clear(row)
            row.status, row.message, row.error = StoredChart.Status.INSUFFICIENT, "", ""
            row.message = error["message"]
            summary.insufficient += 1
        else:
            row.error, row.error_at = f"{error['type']}: {error['message']}", now
            summary.failed += 1
            summary.errors.append("{} {} measure {}: ".format(*key_of(row)) + row.error)
            logger.error("Chart %s %s measure %s failed: %s", *key_of(row), row.error)
        return []
    rates = has_bed_days(job.series)
    breaks = [{"date": d.isoformat(), "reason": r} for d, r in job.config.breaks]
    views, seen = [], set()
    for view, result in job.results.items():
        if _error(result):
            continue  # that view cannot be drawn for these data; the page says so
        payload = view_payload(result, job.series, job.config.targets, breaks, rates=rates,
                               labels=value_labels(job.config))  # fmt: skip
        shape = (payload["summary"]["chart"], payload["summary"]["period"])
        if view != DEFAULT_VIEW and shape in seen:
            continue  # the same chart as the chosen one: the page shows that
        seen.add(shape)
        views.append((view, payload))
    s = views[0][1]["summary"]
    row.status, row.message, row.error = StoredChart.Status.OK, "", ""
    row.chart, row.period, row.unit = s["chart"], s["period"], s["unit"]
    row.reason = s["reason"][:300]
    row.recent_value, row.baseline_centre = s["recent_value"], s["baseline_centre"]
    row.percent_change, row.target_value = s["percent_change"], s["target_value"]
    row.variation_icon = s["variation_icon"] or ""
    row.assurance_icon = s["assurance_icon"] or ""
    summary.computed += 1
    return views


def _create(rows) -> set[int]:
    """Insert the charts not stored yet; their ids are read back (SQLite's bulk insert with
    ignore_conflicts returns none). Returns the Python ids of the rows inserted."""
    new = [r for r in rows if r.pk is None]
    StoredChart.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
    if any(r.pk is None for r in new):
        ids = {key: r.pk for key, r in _existing([key_of(r) for r in new]).items()}
        for r in new:
            r.pk = ids[key_of(r)]
    return {id(r) for r in new}


def _write(rows, jobs) -> None:
    """Write only what changed: a recomputed chart its summary, a failed one its error (its
    last good views stay), an unchanged one just its version."""
    created = _create(rows)
    computed = {id(job.row) for job in jobs}
    ok = {id(job.row) for job in jobs if not job.row.error}
    base = ["input_hash", "computed_at", "error", "error_at"]
    old = [r for r in rows if id(r) not in created]
    update_rows(StoredChart, [*base, *SUMMARY_FIELDS, *VERSION_FIELDS],
                [r for r in old if id(r) in ok])  # fmt: skip
    update_rows(StoredChart, [*base, *VERSION_FIELDS],
                [r for r in old if id(r) in computed - ok])  # fmt: skip
    update_rows(StoredChart, VERSION_FIELDS, [r for r in old if id(r) not in computed])
    if created:
        update_rows(StoredChart, [*base, *SUMMARY_FIELDS, *VERSION_FIELDS],
                    [r for r in rows if id(r) in created])  # fmt: skip


def _write_views(views_by_row: dict[int, list]) -> None:
    """Replace the views of the recomputed charts (one DELETE per 500 charts, one bulk
    INSERT: COPY on PostgreSQL). The charts' rows are locked first, in id order, so two
    workers recomputing the same chart take turns instead of inserting its view twice."""
    replaced = sorted(views_by_row)
    if not replaced:
        return
    list(StoredChart.objects.filter(pk__in=replaced).order_by("pk").select_for_update()
         .values_list("pk", flat=True))  # fmt: skip
    for start in range(0, len(replaced), 500):
        # _raw_delete: no cascades or signals to run for these rows.
        StoredView.objects.filter(chart_id__in=replaced[start : start + 500])._raw_delete(
            connection.alias
        )
    insert_rows(StoredView, ["chart", "view", "payload"], [
        (row_pk, view, encode_view(payload))
        for row_pk, views in views_by_row.items() for view, payload in views
    ])  # fmt: skip


def store_charts(items: list[tuple[tuple[str, int, int], WeeklySeries, ChartConfig]],
                 versions: dict[int, int], force: bool = False) -> RecomputeSummary:  # fmt: skip
    """Compute and store the charts named by (scope, scope id, measure id) keys.

    `versions` maps chart ids to the `dirty_version` read *before* the caller read the data
    (see StoredChart); a row missing from it stays stale for the next check to redo."""
    summary = RecomputeSummary()
    rows, jobs = _plan(items, versions, summary, force)
    _compute(jobs)
    now = timezone.now()
    views = {id(job.row): _summarise(job, now, summary) for job in jobs}
    for row in rows:
        if row.computed_version >= row.dirty_version:
            row.stale_since = None
    with transaction.atomic():
        _write(rows, jobs)
        _write_views({job.row.pk: views[id(job.row)] for job in jobs if not job.row.error})
    return summary
