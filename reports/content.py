"""What a board pack says, read from the stored charts (never recomputed): the icon matrix
(measures × wards, or × trusts for a region, with the trust's or region's own columns), then
per measure the chart, its sentence, the change ideas of the month and the units whose
signals changed since the last pack. Pure reads; the files are drawn by slides.py and
printing.py."""

import calendar
import datetime
from dataclasses import dataclass, field

from measures.models import ChangeIdea, WeeklyReturn
from spc import dashboards, figures, presentation
from spc.models import Scope, StoredChart
from wards.models import Region, Trust, Ward


class PackError(Exception):
    """A pack that cannot be made, with a sentence saying why (shown on the page)."""


def month_bounds(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    last = calendar.monthrange(month.year, month.month)[1]
    return month.replace(day=1), month.replace(day=last)


def scope_wards(scope):
    if isinstance(scope, Trust):
        return Ward.objects.filter(trust=scope)
    return Ward.objects.filter(trust__region=scope)


def change_ideas_for(scope, measure, month: datetime.date) -> list[ChangeIdea]:
    """The change ideas (PDSA) a measure's page lists: those started in the month on the
    scope's wards. Change ideas name no measure yet, so each page lists the same; the one
    place to switch to the PDSA selector, change_ideas_for(trust, measure, month)."""
    first, last = month_bounds(month)
    return list(
        ChangeIdea.objects.filter(ward__in=scope_wards(scope), started_on__range=(first, last))
        .select_related("ward")
        .order_by("started_on", "title")
    )


@dataclass(frozen=True)
class UnitSignal:
    name: str
    variation_icon: str | None
    assurance_icon: str | None
    recent_value: float | None


@dataclass(frozen=True)
class MatrixLine:
    """One measure's row of the first page."""

    measure: object
    panel: dashboards.ChartPanel  # the trust's (region's) own chart
    coverage: str
    units: list[UnitSignal]

    @property
    def summary(self):
        return self.panel.view.summary if self.panel.view else None

    @property
    def latest(self) -> str:
        s = self.summary
        return f"{presentation.number(s.recent_value)} {s.unit}" if s else "no chart yet"

    @property
    def target(self) -> str:
        s = self.summary
        return presentation.number(s.target_value) if s and s.target_value is not None else "–"


@dataclass(frozen=True)
class SignalChange:
    unit: str
    before: str
    after: str


@dataclass(frozen=True)
class MeasurePage:
    measure: object
    sentence: str
    figure: dict | None
    ideas: list[ChangeIdea]
    changes: list[SignalChange]


# Ward (trust) columns on one matrix page: more go on a continuation page, so a trust of 30
# wards stays readable on A4 landscape and a 16:9 slide.
UNITS_PER_PAGE = 8


@dataclass
class PackContent:
    title: str
    scope_label: str  # "Trust" or "Region"
    unit_label: str  # "ward" or "trust"
    month: datetime.date
    data_to: str  # the date of the latest point any chart shows
    units: list[str]
    lines: list[MatrixLine]
    pages: list[MeasurePage]
    signals: dict
    compared_with: datetime.datetime | None = None
    notes: list[str] = field(default_factory=list)

    def unit_ranges(self) -> list[range]:
        """The ward (trust) columns of each matrix page: at least one page, even with none."""
        n = len(self.units)
        return [range(i, min(i + UNITS_PER_PAGE, n)) for i in range(0, n, UNITS_PER_PAGE)] or [
            range(0)
        ]

    @property
    def page_count(self) -> int:
        return len(self.unit_ranges()) + len(self.pages)


def _label(variation, assurance) -> str:
    words = [presentation.VARIATION_LABELS.get(variation, "no variation icon")
             if variation else "no variation icon"]  # fmt: skip
    if assurance:
        words.append(presentation.ASSURANCE_LABELS.get(assurance, assurance).lower())
    return "; ".join(words)


def signal_changes(before: dict, after: dict, names: dict) -> list[SignalChange]:
    """Units of one measure whose variation or assurance icon differs between two snapshots
    ({unit id: [variation, assurance]}); a unit new to the snapshot counts as changed only
    if it now shows a special cause or an assurance icon."""
    changes = []
    for unit_id, now in after.items():
        was = before.get(unit_id)
        if was is None and not (now[0] not in ("", "common_cause") or now[1]):
            continue
        if was is None or list(was) != list(now):
            changes.append(SignalChange(
                names.get(unit_id, unit_id),
                _label(*was) if was else "not in the last pack", _label(*now),
            ))  # fmt: skip
    return changes


def _check_data(scope, month):
    first, last = month_bounds(month)
    if not WeeklyReturn.objects.filter(
        ward__in=scope_wards(scope), status=WeeklyReturn.Status.SUBMITTED,
        week_start__range=(first - datetime.timedelta(days=6), last),
    ).exists():  # fmt: skip
        raise PackError(
            f"No returns were submitted for {scope.name} in {month:%B %Y}, so there is "
            "nothing to report for that month: choose another month."
        )
    kind = Scope.TRUST if isinstance(scope, Trust) else Scope.REGION
    if not StoredChart.objects.filter(
        scope=kind, scope_id=scope.pk, status=StoredChart.Status.OK
    ).exists():
        raise PackError(
            f"{scope.name} has no charts yet: its charts are drawn once its wards have "
            "submitted enough weeks of returns (or are still being computed): try again later."
        )


def pack_check(scope, month: datetime.date) -> None:
    """Raise PackError when a pack of this scope and month would say nothing."""
    _check_data(scope, month)


def _coverage(panel, enrolled) -> str:
    """Wards whose returns the latest point sums, of the scope's wards enrolled and open in
    the latest point's (first) week."""
    view = panel.view
    if view is None or not view.contributors or not view.dates:
        return "–"
    due = enrolled(datetime.date.fromisoformat(view.dates[-1]))
    return f"{view.contributors[-1]} of {due} wards" if due else "–"


def _enrolled_counter(scope):
    """week -> wards enrolled and open that week, remembered (charts share their weeks)."""
    trusts = [scope] if isinstance(scope, Trust) else list(scope.trusts.all())
    seen = {}

    def enrolled(day: datetime.date) -> int:
        if day not in seen:
            after = day + datetime.timedelta(days=7)
            seen[day] = sum(dashboards.trust_coverage(t, after).enrolled for t in trusts)
        return seen[day]

    return enrolled


def _snapshot(measures, rows) -> dict:
    return {
        m.code: {str(row.ward.pk): [cell.variation_icon or "", cell.assurance_icon or ""]
                 for row in rows[1:] for cell in row.cells if cell.measure.pk == m.pk}
        for m in measures
    }  # fmt: skip


def pack_content(scope, month: datetime.date, previous_signals: dict | None = None,
                 compared_with=None) -> PackContent:  # fmt: skip
    """Everything a pack shows; `previous_signals`: the snapshot of the scope's last pack."""
    pack_check(scope, month)
    is_trust = isinstance(scope, Trust)
    kind = Scope.TRUST if is_trust else Scope.REGION
    measures, rows = dashboards.trust_matrix(scope) if is_trust else dashboards.region_matrix(scope)
    panels = {p.measure.pk: p for p in dashboards.chart_panels(kind, scope.pk)}
    enrolled = _enrolled_counter(scope)
    names = {str(row.ward.pk): row.label for row in rows[1:]}
    signals = _snapshot(measures, rows)
    lines, pages = [], []
    for i, measure in enumerate(measures):
        panel = panels[measure.pk]
        units = [UnitSignal(row.label, row.cells[i].variation_icon, row.cells[i].assurance_icon,
                            row.cells[i].recent_value) for row in rows[1:]]  # fmt: skip
        lines.append(MatrixLine(measure, panel, _coverage(panel, enrolled), units))
        ideas = change_ideas_for(scope, measure, month)
        figure = None
        if panel.view is not None:
            marks = [{"date": idea.started_on.isoformat(), "title": idea.title} for idea in ideas]
            figure = figures.figure(panel.view, measure.name, marks)
        before = (previous_signals or {}).get(measure.code, {})
        changes = signal_changes(before, signals[measure.code], names)
        pages.append(MeasurePage(measure, panel.sentence, figure, ideas, changes))
    latest = max((p.view.summary.latest_date or "" for p in panels.values() if p.view),
                 default="")  # fmt: skip
    return PackContent(
        title=f"{scope.name}: board pack, {month:%B %Y}",
        scope_label="Trust" if is_trust else "Region",
        unit_label="ward" if is_trust else "trust",
        month=month,
        data_to=presentation.long_date(latest) if latest else "no data",
        units=[row.label for row in rows[1:]],
        lines=lines,
        pages=pages,
        signals=signals,
        compared_with=compared_with,
    )


def scope_of(pack) -> Trust | Region:
    return pack.trust if pack.trust_id else pack.region
