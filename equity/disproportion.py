"""Who is restrained: each group's rate, its ratio against the reference group with an exact
interval, the change since baseline, and the sentence, with small numbers suppressed for
anyone outside the trust (equity/stats.py says which cells and why)."""

import datetime
import math
from dataclasses import dataclass

from django.conf import settings

from . import selectors, stats
from .groups import DIMENSIONS, ETHNICITY, LDA, NOT_COMPARED, REFERENCE, SEX

VERBS = {
    "physical_restraint": "were restrained",
    "prone_restraint": "were restrained face down (prone)",
    "seclusion": "were secluded",
    "rapid_tranquillisation": "were given rapid tranquillisation",
    "long_term_segregation": "were placed in long-term segregation",
    "mechanical_restraint": "were mechanically restrained",
}


@dataclass(frozen=True)
class GroupRow:
    group: str
    events: int | None  # None: suppressed
    bed_days: int
    rate: float | None  # per 1,000 occupied bed days; None: suppressed
    ratio: stats.RateRatio | None  # None: the reference row, suppressed, or not compared
    baseline_ratio: float | None
    is_reference: bool
    note: str  # why there is no ratio, if there is none


@dataclass(frozen=True)
class Disproportion:
    dimension: str
    reference: str
    start: datetime.date | None
    end: datetime.date | None
    weeks: int
    baseline: tuple[datetime.date, datetime.date] | None
    rows: list[GroupRow]
    sentences: list[str]
    suppressed: bool  # whether any figure is hidden

    @property
    def label(self) -> str:
        return DIMENSIONS[self.dimension]


def patients(dimension: str, group: str) -> str:
    if dimension == ETHNICITY:
        return f"{group} patients"
    if dimension == SEX:
        return f"{group} patients"
    if dimension == LDA:
        return ("Patients with a learning disability or autism" if group == "Recorded"
                else "Patients without a recorded learning disability or autism")  # fmt: skip
    return f"Patients aged {group}"


def _mid(dimension: str, text: str) -> str:
    """The phrase in mid-sentence: ethnic groups keep their capital, others do not."""
    return text if dimension == ETHNICITY else text[0].lower() + text[1:]


def _rate(events, days) -> float | None:
    return events / days * 1000 if days else None


def _hidden(totals, show_small: bool) -> list[bool]:
    if show_small:
        return [False] * len(totals)
    return stats.suppressed_cells([t.events for t in totals], settings.EQUITY_SUPPRESS_UP_TO)


def _ratios(totals, hidden, reference):
    """{group: RateRatio or a note} against the reference group."""
    by_group = {t.group: (t, h) for t, h in zip(totals, hidden, strict=True)}
    ref, ref_hidden = by_group.get(reference, (None, False))
    out = {}
    for total, is_hidden in by_group.values():
        if total.group == reference or total.group in NOT_COMPARED:
            continue
        if ref is None or not ref.bed_days or not total.bed_days:
            out[total.group] = "no bed days recorded to compare with"
        elif is_hidden or ref_hidden:
            out[total.group] = "hidden: a small number could be worked out from it"
        else:
            out[total.group] = stats.rate_ratio(
                total.events, total.bed_days, ref.events, ref.bed_days,
                min_events=settings.EQUITY_MIN_EVENTS)  # fmt: skip
    return out


def disproportion(scope: str, scope_id: int, measure, dimension: str, *, weeks: int = 26,
                  show_small_numbers: bool) -> Disproportion:
    """The last `weeks` weeks with a breakdown against the first `weeks` (the baseline, when
    the breakdowns go back far enough for the two not to overlap)."""
    first, last = selectors.breakdown_span(scope, scope_id, dimension)
    reference = REFERENCE[dimension]
    if last is None:
        return Disproportion(dimension, reference, None, None, weeks, None, [], [], False)
    start = max(first, last - datetime.timedelta(weeks=weeks - 1))
    totals = selectors.group_totals(scope, scope_id, measure.pk, dimension, start, last)
    hidden = _hidden(totals, show_small_numbers)
    ratios = _ratios(totals, hidden, reference)
    baseline, baseline_ratios = None, {}
    if first + datetime.timedelta(weeks=2 * weeks - 1) <= last:
        baseline = (first, first + datetime.timedelta(weeks=weeks - 1))
        base_totals = selectors.group_totals(scope, scope_id, measure.pk, dimension, *baseline)
        baseline_ratios = _ratios(base_totals, _hidden(base_totals, show_small_numbers),
                                  reference)  # fmt: skip
    rows = []
    for total, is_hidden in zip(totals, hidden, strict=True):
        ratio = ratios.get(total.group)
        base = baseline_ratios.get(total.group)
        rows.append(GroupRow(
            group=total.group, events=None if is_hidden else total.events,
            bed_days=total.bed_days,
            rate=None if is_hidden else _rate(total.events, total.bed_days),
            ratio=ratio if isinstance(ratio, stats.RateRatio) else None,
            baseline_ratio=base.ratio if isinstance(base, stats.RateRatio) and base.enough_events
            else None,
            is_reference=total.group == reference,
            note=ratio if isinstance(ratio, str) else "",
        ))  # fmt: skip
    weeks_shown = (last - start).days // 7 + 1
    return Disproportion(dimension, reference, start, last, weeks_shown, baseline, rows,
                         _sentences(rows, dimension, reference, measure, weeks_shown),
                         any(hidden))  # fmt: skip


def _sentences(rows, dimension, reference, measure, weeks) -> list[str]:
    verb = VERBS.get(measure.code, f"had {measure.name.lower()}")
    ref = _mid(dimension, patients(dimension, reference))
    out = []
    for row in rows:
        who = patients(dimension, row.group)
        if row.ratio is None:
            continue
        if not row.ratio.enough_events or row.ratio.ratio is None:
            out.append(
                f"Too few events to compare {_mid(dimension, who)} with {ref} in the last "
                f"{weeks} weeks: an interval needs at least "
                f"{settings.EQUITY_MIN_EVENTS} events in each group.")
            continue
        upper = f"{row.ratio.upper:.1f}" if row.ratio.upper is not None else "∞"
        text = (f"{who} {verb} {row.ratio.ratio:.1f} times as often per bed day as {ref} "
                f"(95% CI {row.ratio.lower:.1f}–{upper}) in the last {weeks} weeks")
        if row.baseline_ratio is not None:
            text += f"; baseline {row.baseline_ratio:.1f}"
        out.append(text + ".")
    return out


def log_ratio(events, days, ref_events, ref_days) -> float | None:
    """The natural log of a period's rate ratio, None where either group had no event."""
    if not (events and ref_events and days and ref_days):
        return None
    return math.log(events / days / (ref_events / ref_days))
