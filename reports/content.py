"""What a board pack says, read from the stored charts (never recomputed): the icon matrix
(measures × wards, or × trusts for a region, with the trust's or region's own columns), then
per measure the chart, its sentence, the change ideas of the month and the units whose
signals changed since the last pack. Pure reads; the files are drawn by slides.py and
printing.py."""

import calendar
import datetime
from dataclasses import dataclass, field

from measures import selectors_pdsa
from measures.models import WeeklyReturn
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


@dataclass(frozen=True)
class PackIdea:
    """A change idea as a pack lists it: its title, ward and the PDSA cycles running in the
    month (titles and dates only: no free text beyond the title)."""

    title: str
    ward: str
    cycles: tuple[tuple[int, datetime.date], ...]  # (number, started on)

    @property
    def text(self) -> str:
        running = ", ".join(f"PDSA {n} from {d.day} {d:%b %Y}" for n, d in self.cycles)
        return f"{self.title} ({self.ward}; {running})"


def change_ideas_for(scope, measure, month: datetime.date) -> list[PackIdea]:
    """The change ideas a measure's page lists: those of the scope's wards that target the
    measure and had a PDSA cycle running in the month (measures.selectors_pdsa)."""
    trusts = [scope] if isinstance(scope, Trust) else list(scope.trusts.order_by("name"))
    return [
        PackIdea(found.idea.title, found.idea.ward.name,
                 tuple((c.number, c.starts_on) for c in found.cycles))
        for trust in trusts
        for found in selectors_pdsa.change_ideas_for(trust, measure, month)
    ]  # fmt: skip


def _markers(ideas: list[PackIdea], name_ward: bool) -> list[dict]:
    """The chart's marker of each cycle of the month, at its start (as the pages draw them)."""
    return [{"date": started.isoformat(),
             "title": f"{i.ward + ': ' if name_ward else ''}{i.title} (PDSA {number})"}
            for i in ideas for number, started in i.cycles]  # fmt: skip


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
    ideas: list[PackIdea]
    changes: list[SignalChange]


# Ward (trust) columns and measure rows on one matrix page: more go on a continuation page,
# so a trust of 30 wards and a catalogue of 23 measures stay readable on A4 landscape and on
# a 16:9 slide, and the PDF has exactly as many pages as the deck has slides (a row of icons
# with a two-line measure name is ~12 mm in print and 0.3 in on a slide: 12 rows fit both).
UNITS_PER_PAGE = 8
LINES_PER_PAGE = 12


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

    def line_ranges(self) -> list[range]:
        """The measure rows of each matrix page: at least one page, even with none."""
        n = len(self.lines)
        return [range(i, min(i + LINES_PER_PAGE, n)) for i in range(0, n, LINES_PER_PAGE)] or [
            range(0)
        ]

    def matrix_pages(self) -> list[tuple[range, range]]:
        """(measure rows, unit columns) of each matrix page, rows first: the first page has the
        first measures for the first wards, then the rest of the measures for those wards."""
        return [(rows, columns) for columns in self.unit_ranges() for rows in self.line_ranges()]

    @property
    def page_count(self) -> int:
        return len(self.matrix_pages()) + len(self.pages)


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
            figure = figures.figure(panel.view, measure.name, _markers(ideas, name_ward=True))
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
