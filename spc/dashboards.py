"""Reads that feed the dashboards: stored charts only, never a recompute."""

import datetime
from dataclasses import dataclass

from django.db.models import F

from measures import completeness
from measures.models import ChangeIdea, Measure
from mhsip.weeks import latest_complete_week
from wards.models import Trust, Ward

from . import icons, presentation
from .models import Scope, StoredChart


@dataclass(frozen=True)
class ChartPanel:
    measure: Measure
    result: StoredChart | None
    sentence: str
    figure: dict | None
    variation_icon: str | None
    assurance_icon: str | None

    @property
    def stale(self) -> bool:
        return self.result is None or self.result.is_stale

    @property
    def dom_id(self) -> str:
        return f"chart-{self.measure.code}"

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
    return list(Measure.objects.filter(is_active=True).order_by("display_order"))


def chart_panels(scope: str, scope_id: int, change_ideas=()) -> list[ChartPanel]:
    """One panel per measure of a ward, trust, region or the nation; two queries."""
    measures = active_measures()
    results = {
        r.measure_id: r
        for r in StoredChart.objects.filter(scope=scope, scope_id=scope_id, measure__in=measures)
    }
    panels = []
    for measure in measures:
        result = results.get(measure.pk)
        payload = result.payload if result else {}
        ok = payload.get("status") == "ok"
        summary = payload["engine"]["summary"] if ok else {}
        panels.append(
            ChartPanel(
                measure=measure,
                result=result,
                sentence=presentation.plain_summary(measure.name, payload)
                if result
                else f"{measure.name}: the chart is being prepared.",
                figure=presentation.figure(payload, measure.name, change_ideas) if ok else None,
                variation_icon=summary.get("variation_icon"),
                assurance_icon=summary.get("assurance_icon"),
            )
        )
    return panels


def ward_change_ideas(ward: Ward) -> list[ChangeIdea]:
    return list(ward.change_ideas.select_related("created_by").order_by("-started_on"))


def ideas_for_chart(ideas: list[ChangeIdea]) -> list[dict]:
    return [{"date": i.started_on.isoformat(), "title": i.title} for i in ideas]


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
    """(scope id, measure id) -> cell, reading only the summaries out of the stored JSON."""
    rows = StoredChart.objects.filter(
        scope=scope, scope_id__in=scope_ids, measure__in=measures
    ).values_list(
        "scope_id",
        "measure_id",
        "payload__status",
        "payload__unit",
        "payload__engine__summary",
        F("dirty_version") - F("computed_version"),
    )
    by_id = {m.pk: m for m in measures}
    cells = {}
    for scope_id, measure_id, status, unit, summary, behind in rows:
        summary = summary or {}
        cells[scope_id, measure_id] = MatrixCell(
            measure=by_id[measure_id],
            recent_value=summary.get("recent_value"),
            percent_change=summary.get("percent_change"),
            variation_icon=summary.get("variation_icon"),
            assurance_icon=summary.get("assurance_icon"),
            unit=unit or "",
            stale=behind > 0,
            status=status or "",
        )
    return cells


def _empty(measure) -> MatrixCell:
    return MatrixCell(measure, None, None, None, None, "", True, "")


def trust_matrix(trust: Trust, ward_type: str | None = None) -> tuple[list[Measure], list]:
    """Rows of wards (optionally of one type) × columns of measures, and the trust row."""
    measures = active_measures()
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

    @property
    def data_id(self) -> str:
        return f"trust-{self.trust.pk}-data"

    @property
    def variation_svg(self):
        return icons.variation_svg(self.variation_icon, size=28)

    @property
    def assurance_svg(self):
        return icons.assurance_svg(self.assurance_icon, size=28)


def period_weeks(today: datetime.date, weeks: int) -> tuple[datetime.date, datetime.date]:
    last = latest_complete_week(today)
    return last - datetime.timedelta(weeks=weeks - 1), last


def region_comparison(region, measure: Measure, today: datetime.date, weeks: int):
    """Each trust's aggregated chart of one measure on a shared y-axis, with its summary and
    how complete its returns were over the period."""
    trusts = list(region.trusts.order_by("name"))
    results = {
        r.scope_id: r
        for r in StoredChart.objects.filter(
            scope=Scope.TRUST, scope_id__in=[t.pk for t in trusts], measure=measure
        )
    }
    first, last = period_weeks(today, weeks)
    complete = completeness.submitted_share_by_trust(
        Ward.objects.filter(trust__region=region), first=first, last=last
    )
    top = 0.0
    for result in results.values():
        if result.payload.get("status") == "ok":
            points = result.payload["engine"]["points"]
            key = "rate" if presentation.is_rate_chart(result.payload) else "value"
            top = max([top, *(v for v in points[key] + points["upper"] if v is not None)])
    shared = [0, top * 1.05] if top else None
    rows = []
    for trust in trusts:
        result = results.get(trust.pk)
        ok = result is not None and result.payload.get("status") == "ok"
        summary = result.payload["engine"]["summary"] if ok else {}
        target = summary.get("target") or {}
        rows.append(
            TrustComparison(
                trust=trust,
                result=result,
                figure=presentation.figure(
                    result.payload, trust.name, shared_range=shared, compact=True
                )
                if ok
                else None,
                recent_value=summary.get("recent_value"),
                percent_change=summary.get("percent_change"),
                variation_icon=summary.get("variation_icon"),
                assurance_icon=summary.get("assurance_icon"),
                target_value=target.get("value"),
                percent_complete=complete.get(trust.pk),
            )
        )
    return rows
