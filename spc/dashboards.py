"""Reads that feed the dashboards: stored charts only, never a recompute."""

import datetime
from dataclasses import dataclass

from django.db.models import F

from measures import completeness
from measures.models import Measure
from mhsip.weeks import latest_complete_week
from wards.models import Trust, Ward

from . import figures, icons, presentation, selectors
from .compact import figure_json
from .models import Scope, StoredChart
from .period_views import charts_with_view
from .stored import ChartView


def is_local(measure: Measure) -> bool:
    """A trust's own measure (measures.LocalMeasure), labelled "Local measure" on pages."""
    return hasattr(measure, "local")


@dataclass(frozen=True)
class ChartPanel:
    measure: Measure
    result: StoredChart | None
    view: ChartView | None
    sentence: str
    figure: dict | None

    @property
    def stale(self) -> bool:
        return self.result is None or self.result.is_stale

    @property
    def variation_icon(self) -> str | None:
        return self.view.summary.variation_icon if self.view else None

    @property
    def assurance_icon(self) -> str | None:
        return self.view.summary.assurance_icon if self.view else None

    @property
    def is_local(self) -> bool:
        return is_local(self.measure)

    @property
    def retired_on(self):
        return self.measure.local.retired_on if self.is_local else None

    @property
    def coverage(self) -> str:
        """Aggregates: how many enrolled wards the latest point sums, where the mix changed."""
        return presentation.coverage_line(self.view)

    @property
    def dom_id(self) -> str:
        return f"chart-{self.measure.code}"

    @property
    def figure_json(self):
        return figure_json(self.figure)

    @property
    def data_id(self) -> str:
        return f"chart-{self.measure.code}-data"

    @property
    def variation_svg(self):
        return icons.variation_svg(self.variation_icon)

    @property
    def assurance_svg(self):
        return icons.assurance_svg(self.assurance_icon)


def active_measures() -> list[Measure]:
    """The national catalogue's active measures (region and national pages show only these)."""
    # select_related: `is_local` then asks no query of a national measure.
    return list(Measure.objects.filter(is_active=True, local__isnull=True)
                .select_related("local").order_by("display_order"))  # fmt: skip


def scope_measures(scope: str, scope_id: int) -> list[Measure]:
    """The measures charted for a scope: the national ones, then a ward's local measures (those
    it is enrolled in, retired ones too: their charts stay readable) or a trust's own."""
    local = Measure.objects.filter(is_active=True).select_related("local")
    if scope == Scope.WARD:
        local = local.filter(local__wards=scope_id)
    elif scope == Scope.TRUST:
        local = local.filter(local__trust_id=scope_id)
    else:
        return active_measures()
    return [*active_measures(), *local.order_by("display_order", "name")]


def _sentence(measure, chart, view) -> str:
    if chart is None or chart.status == StoredChart.Status.PENDING:
        return f"{measure.name}: the chart is being prepared."
    if chart.status == StoredChart.Status.INSUFFICIENT:
        return f"{measure.name}: not enough data for a chart yet ({chart.message.rstrip('.')})."
    return presentation.plain_summary(measure.name, view)


def chart_panels(scope: str, scope_id: int, change_ideas=None, view: str = "chosen"):
    """One panel per measure of a ward, trust, region or the nation, showing `view` (the
    chosen chart, or the weekly, 4-weekly or monthly view); three queries. `change_ideas`
    maps a measure's id to the markers of the ideas that target it (drawn on its chart
    only)."""
    change_ideas = change_ideas or {}
    measures = scope_measures(scope, scope_id)
    stored = charts_with_view({"scope": scope, "scope_id": scope_id, "measure__in": measures}, view)
    panels = []
    for measure in measures:
        key = (scope_id, measure.pk)
        chart, shown = stored.chart.get(key), stored.view.get(key)
        panels.append(ChartPanel(
            measure=measure, result=chart, view=shown,
            sentence=_sentence(measure, chart, shown),
            figure=figures.figure(shown, measure.name, change_ideas.get(measure.pk, ()))
            if shown else None,
        ))  # fmt: skip
    return panels


@dataclass(frozen=True)
class MatrixCell:
    measure: Measure
    recent_value: float | None
    percent_change: float | None
    variation_icon: str | None
    assurance_icon: str | None
    unit: str
    stale: bool
    status: str

    @property
    def variation_svg(self):
        return icons.variation_svg(self.variation_icon, size=28)

    @property
    def assurance_svg(self):
        return icons.assurance_svg(self.assurance_icon, size=28)


@dataclass(frozen=True)
class MatrixRow:
    label: str
    ward: Ward | None  # None for the trust's own aggregate row
    cells: list[MatrixCell]


def _cells(scope: str, scope_ids: list[int], measures: list[Measure]) -> dict:
    """(scope id, measure id) -> cell, from the charts' summary columns (no points read)."""
    rows = StoredChart.objects.filter(
        scope=scope, scope_id__in=scope_ids, measure__in=measures
    ).values_list(
        "scope_id", "measure_id", "status", "unit", "recent_value", "percent_change",
        "variation_icon", "assurance_icon", F("dirty_version") - F("computed_version"),
    )  # fmt: skip
    by_id = {m.pk: m for m in measures}
    cells = {}
    for scope_id, measure_id, status, unit, recent, change, variation, assurance, behind in rows:
        cells[scope_id, measure_id] = MatrixCell(
            measure=by_id[measure_id], recent_value=recent, percent_change=change,
            variation_icon=variation or None, assurance_icon=assurance or None, unit=unit,
            stale=behind > 0, status=status,
        )  # fmt: skip
    return cells


def _empty(measure) -> MatrixCell:
    return MatrixCell(measure, None, None, None, None, "", True, "")


def trust_matrix(trust: Trust, ward_type: str | None = None) -> tuple[list[Measure], list]:
    """Rows of wards (optionally of one type) × columns of measures (the trust's local ones
    last), and the trust row."""
    measures = scope_measures(Scope.TRUST, trust.pk)
    wards = list(trust.wards.order_by("name"))
    if ward_type:
        wards = [w for w in wards if w.ward_type == ward_type]
    ward_cells = _cells(Scope.WARD, [w.pk for w in wards], measures)
    trust_cells = _cells(Scope.TRUST, [trust.pk], measures)
    rows = [
        MatrixRow(
            f"{trust.name} (all wards)",
            None,
            [trust_cells.get((trust.pk, m.pk)) or _empty(m) for m in measures],
        )
    ]
    rows += [
        MatrixRow(w.name, w, [ward_cells.get((w.pk, m.pk)) or _empty(m) for m in measures])
        for w in wards
    ]
    return measures, rows


@dataclass(frozen=True)
class TrustComparison:
    trust: Trust
    result: StoredChart | None
    figure: dict | None
    recent_value: float | None
    percent_change: float | None
    variation_icon: str | None
    assurance_icon: str | None
    target_value: float | None
    percent_complete: int | None
    unit: str = ""
    coverage: str = ""  # how many enrolled wards the latest point sums (presentation)
    # Its rate per 1,000 occupied bed days over the page's period, as the funnel counts it.
    period_rate: float | None = None

    @property
    def data_id(self) -> str:
        return f"trust-{self.trust.pk}-data"

    @property
    def figure_json(self):
        return figure_json(self.figure)

    @property
    def variation_svg(self):
        return icons.variation_svg(self.variation_icon, size=28)

    @property
    def assurance_svg(self):
        return icons.assurance_svg(self.assurance_icon, size=28)


def period_weeks(today: datetime.date, weeks: int) -> tuple[datetime.date, datetime.date]:
    last = latest_complete_week(today)
    return last - datetime.timedelta(weeks=weeks - 1), last


def _shared_range(views) -> list | None:
    """One y-axis for the small multiples when every trust's chart shows the same unit."""
    shown = [v for v in views if v is not None]
    if not shown or len({v.summary.unit for v in shown}) > 1:
        return None
    top = max((x for v in shown for x in (*v.value, *v.upper) if x is not None), default=0)
    return [0, top * 1.05] if top else None


def region_comparison(region, measure: Measure, today: datetime.date, weeks: int):
    """Each trust's aggregated chart of one measure (its chosen chart), on a shared y-axis
    where they share a unit, with its summary and how complete its returns were."""
    trusts = list(region.trusts.order_by("name"))
    stored = charts_with_view({"scope": Scope.TRUST, "scope_id__in": [t.pk for t in trusts],
                          "measure": measure})  # fmt: skip
    first, last = period_weeks(today, weeks)
    complete = completeness.submitted_share_by_trust(
        Ward.objects.filter(trust__region=region), first=first, last=last
    )
    rates = {u["id"]: u["count"] / u["bed_days"] * 1000
             for u in selectors.funnel_units(region, measure, first, last, "trust")
             if u["bed_days"]}  # fmt: skip
    views = {t.pk: stored.view.get((t.pk, measure.pk)) for t in trusts}
    shared = _shared_range(views.values())
    rows = []
    for trust in trusts:
        view = views[trust.pk]
        s = view.summary if view else None
        rows.append(TrustComparison(
            trust=trust, result=stored.chart.get((trust.pk, measure.pk)),
            figure=figures.figure(view, trust.name, shared_range=shared, compact=True)
            if view else None,
            recent_value=s and s.recent_value, percent_change=s and s.percent_change,
            variation_icon=s and s.variation_icon, assurance_icon=s and s.assurance_icon,
            target_value=s and s.target_value, percent_complete=complete.get(trust.pk),
            unit=s.unit if s else "", coverage=presentation.coverage_line(view),
            period_rate=rates.get(trust.pk),
        ))  # fmt: skip
    return rows


@dataclass(frozen=True)
class Coverage:
    week: datetime.date
    reported: int  # wards of the trust with a submitted return that week
    enrolled: int  # wards enrolled in a programme and open that week

    @property
    def complete(self) -> bool:
        return self.reported >= self.enrolled


def trust_coverage(trust: Trust, today: datetime.date | None = None) -> Coverage:
    """How many of the trust's enrolled, open wards reported in the latest complete week: the
    trust's charts sum only those that did."""
    week = latest_complete_week(today or datetime.date.today())
    rows = completeness.ward_weeks(list(trust.wards.all()), today=week + datetime.timedelta(7),
                                   since=week)  # fmt: skip
    due = [r for r in rows if r.weeks and r.weeks[-1].status != completeness.NOT_DUE]
    reported = sum(1 for r in due if r.weeks[-1].status == "submitted")
    return Coverage(week, reported, len(due))


def region_matrix(region) -> tuple[list[Measure], list]:
    """Rows of the region's trusts (their aggregated charts) × columns of measures, and the
    region's own row on top, as `trust_matrix` (board packs of a region)."""
    measures = active_measures()
    trusts = list(region.trusts.order_by("name"))
    trust_cells = _cells(Scope.TRUST, [t.pk for t in trusts], measures)
    region_cells = _cells(Scope.REGION, [region.pk], measures)
    rows = [MatrixRow(f"{region.name} (all trusts)", None,
                      [region_cells.get((region.pk, m.pk)) or _empty(m) for m in measures])]
    rows += [MatrixRow(t.name, t, [trust_cells.get((t.pk, m.pk)) or _empty(m) for m in measures])
             for t in trusts]  # fmt: skip
    return measures, rows
