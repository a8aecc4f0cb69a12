"""What an imported file (or a bulk API request) would change, row by row, under the same
rules as the return form (`measures.rules`). Nothing here writes; `import_commit` writes a
plan, all or nothing. Incident rows become ward-weeks in `import_incidents` first."""

import datetime
from dataclasses import dataclass, field, replace

from django.utils import dateformat, timezone

from wards.access import trusts_managed_by
from wards.models import Ward

from . import import_values, rules
from .import_incidents import ZeroFill, incident_weeks, with_incidents, zero_fill_of
from .import_rows import ParsedFile, ParsedRow, RowError
from .models import IncidentDate, WeeklyCount, WeeklyReturn
from .selectors import local_measure_scopes, measures_by_code, measures_required
from .services import implausible_bound, saved_state


@dataclass(slots=True)
class PlannedRow:
    row: int
    ward: Ward
    week_start: datetime.date
    action: str  # create / update / unchanged
    beds: int
    occupied_bed_days: int | None
    status: str
    counts: dict[str, int | None]  # the codes to write; None removes a saved count
    existing: WeeklyReturn | None
    saved_counts: dict[str, tuple[int, int]]  # code -> (count id, count)
    changes: list[str] = field(default_factory=list)
    # The codes whose incident days change -> their days, and the days saved now.
    incident_dates: dict[str, list[datetime.date]] = field(default_factory=dict)
    saved_dates: dict[str, list[tuple[int, datetime.date]]] = field(default_factory=dict)
    source: str = "week"  # see ParsedRow.source
    not_collected: list[str] = field(default_factory=list)  # what the return will hold
    values: dict = field(default_factory=dict)  # the figures to write; None removes one
    saved_values: dict = field(default_factory=dict)  # code -> (WeeklyValue id, figure)


@dataclass
class ImportPlan:
    rows: list[PlannedRow]
    errors: list[RowError]
    warnings: list[RowError]
    # Rows changing a submitted week that ended more than 4 weeks ago: the file (or request)
    # needs one `reason` before it can be imported.
    late_rows: list[int] = field(default_factory=list)
    reason: str = ""
    # For an incident file: what "weeks with none get a count of 0" would fill (None: it
    # cannot apply), and whether the user chose it.
    zero_fill: ZeroFill | None = None
    zero_filled: bool = False

    @property
    def needs_reason(self) -> bool:
        return bool(self.late_rows) and not self.reason

    @property
    def new_drafts(self) -> int:
        """Returns this creates as drafts without bed days (from incidents): they need their
        bed days before they can be submitted."""
        return sum(1 for r in self.rows if r.action == "create" and r.status == rules.DRAFT
                   and r.occupied_bed_days is None)  # fmt: skip

    def rows_for(self, action: str) -> list[PlannedRow]:
        return [r for r in self.rows if r.action == action]

    @property
    def totals(self) -> dict[str, int]:
        totals = {"create": 0, "update": 0, "unchanged": 0}
        for r in self.rows:
            totals[r.action] += 1
        return totals

    def versions(self) -> dict[str, int]:
        """The version of each ward-week as planned (0: no return yet), for the commit to
        check that nothing changed since the preview."""
        return {
            version_key(r.ward.pk, r.week_start): r.existing.version if r.existing else 0
            for r in self.rows
        }


def version_key(ward_id: int, week_start: datetime.date) -> str:
    return f"{ward_id}:{week_start.isoformat()}"


def _ward_index(user) -> dict[tuple[str, str, str], Ward]:
    """The wards the user may import for, by (ODS code, "name" | "code", name or code)."""
    index = {}
    wards = Ward.objects.filter(trust__in=trusts_managed_by(user)).select_related("trust")
    for ward in wards:
        ods = ward.trust.ods_code.upper()
        index[(ods, "name", ward.name.strip().casefold())] = ward
        if ward.code:
            index[(ods, "code", ward.code.strip().casefold())] = ward
    return index


def _find_ward(row: ParsedRow, wards: dict) -> tuple[Ward | None, RowError | None]:
    known_trusts = {key[0] for key in wards}
    if row.trust_ods not in known_trusts:
        return None, RowError(row.row, "trust_ods", f"Unknown trust ODS code {row.trust_ods!r}, "
                              "or not a trust you can import returns for.")  # fmt: skip
    ward = None
    if row.ward_code:
        ward = wards.get((row.trust_ods, "code", row.ward_code.casefold()))
        column, label = "ward_code", f"code {row.ward_code!r}"
    if ward is None and row.ward_name:
        ward = wards.get((row.trust_ods, "name", row.ward_name.casefold()))
        column, label = "ward_name", repr(row.ward_name)
    if ward is None:
        return None, RowError(row.row, column, f"No ward with {label} in trust {row.trust_ods}.")
    return ward, None


def _match(wards, rows: list[ParsedRow], errors: list[RowError], today):
    """Each row with its ward; unknown wards, duplicate ward-weeks and weeks the ward cannot
    report are row errors."""
    matched, first_row_of = [], {}
    for row in rows:
        ward, error = _find_ward(row, wards)
        if error is None and (ward.pk, row.week_start) in first_row_of:
            error = RowError(row.row, "week_start", (
                f"Duplicate row: row {first_row_of[ward.pk, row.week_start]} has the same ward "
                f"and week ({ward.name}, {row.week_start:%Y-%m-%d})."
            ))  # fmt: skip
        if error is None:
            first_row_of[ward.pk, row.week_start] = row.row
            problems = rules.week_errors(ward=ward, week_start=row.week_start, today=today)
            if problems:
                error = RowError(row.row, "week_start", problems["week_start"])
        if error is None:
            matched.append((row, ward))
        else:
            errors.append(error)
    return matched


def _saved(matched, lock: bool):
    """The saved returns of the matched ward-weeks, their counts and the days of their
    incidents: three queries."""
    existing: dict[tuple[int, datetime.date], WeeklyReturn] = {}
    saved: dict[int, dict[str, tuple[int, int]]] = {}
    if not matched:
        return existing, saved, {}, {}
    ward_ids = {ward.pk for _, ward in matched}
    weeks = (min(r.week_start for r, _ in matched), max(r.week_start for r, _ in matched))
    returns = WeeklyReturn.objects.filter(ward_id__in=ward_ids, week_start__range=weeks)
    if lock:
        returns = returns.select_for_update(of=("self",))
    for weekly_return in returns.select_related("updated_by"):
        existing[(weekly_return.ward_id, weekly_return.week_start)] = weekly_return
    codes = {m.pk: m.code for m in measures_by_code().values()}
    counts = WeeklyCount.objects.filter(
        weekly_return__ward_id__in=ward_ids, weekly_return__week_start__range=weeks
    ).values_list("id", "weekly_return_id", "measure_id", "count")
    for count_id, return_id, measure_id, count in counts.iterator(chunk_size=10_000):
        saved.setdefault(return_id, {})[codes[measure_id]] = (count_id, count)
    dates: dict[int, dict[str, list[tuple[int, datetime.date]]]] = {}
    days = IncidentDate.objects.filter(
        count__weekly_return__ward_id__in=ward_ids, count__weekly_return__week_start__range=weeks
    ).order_by("occurred_on", "pk")
    for date_id, return_id, measure_id, day in days.values_list(
        "id", "count__weekly_return_id", "count__measure_id", "occurred_on"
    ).iterator(chunk_size=10_000):
        dates.setdefault(return_id, {}).setdefault(codes[measure_id], []).append((date_id, day))
    figures = import_values.saved_values([r.pk for r in existing.values()])
    return existing, saved, dates, figures


@dataclass
class _Planner:
    plan: ImportPlan
    measures: dict
    has_bed_days: bool
    expected_versions: dict[str, int] | None
    today: datetime.date
    required: dict = field(default_factory=dict)  # ward id -> codes a submitted return answers
    local_scopes: dict = field(default_factory=dict)  # local measure code -> who may write it

    def version_error(self, row: ParsedRow, ward: Ward, current) -> str:
        expected = row.expected_version
        if self.expected_versions is not None:
            expected = self.expected_versions.get(version_key(ward.pk, row.week_start), 0)
        if expected is None or (current.version if current else 0) == expected:
            return ""
        who = (current.updated_by if current else None) or "someone else"
        when = f" at {timezone.localtime(current.updated_at):%H:%M on %d %B %Y}" if current else ""
        return (
            f"This return was changed by {who}{when} since you read it (now version "
            f"{current.version if current else 0}): check it again before importing."
        )

    def figures(self, row: ParsedRow, ward: Ward, current) -> tuple[int, int | None, str]:
        """Beds, bed days and status the row will give the return. Ward-weeks made of
        incidents say nothing of them: what is saved stays (a new return is a draft)."""
        if row.source != "week":
            if current is None:
                return ward.beds, None, rules.DRAFT
            return current.beds, current.occupied_bed_days, current.status
        beds = row.beds or (current.beds if current else ward.beds)
        use_file = self.has_bed_days or current is None
        bed_days = row.occupied_bed_days if use_file else current.occupied_bed_days
        return beds, bed_days, row.status or (current.status if current else rules.SUBMITTED)

    def row_errors(self, row: ParsedRow, ward: Ward, errors: dict) -> list[RowError]:
        if row.source == "week":
            return [RowError(row.row, self.column(key), message) for key, message in errors.items()]
        # A ward-week made of incident rows (or filled with 0): name it, as no row of the
        # file holds it all.
        where = f"{ward.name}, week of {dateformat.format(row.week_start, 'j F Y')}"
        if row.rows:
            numbers = ", ".join(map(str, row.rows[:10])) + (", …" if len(row.rows) > 10 else "")
            where += f" (row{'s' if len(row.rows) > 1 else ''} {numbers})"
        else:
            where += " (no incidents in the file: a count of 0)"
        return [
            RowError(row.row, _incident_column(key), f"{where}: {message}")
            for key, message in errors.items()
        ]

    def column(self, key: str) -> str:
        """The file column of a rule's key (a proportion's part has its own column)."""
        measure = self.measures.get(key.split(".")[0])
        if measure is not None and rules.value_type(measure) in rules.VALUE_TYPES:
            return import_values.column_of(key, self.measures)
        return key

    def add(self, row: ParsedRow, ward: Ward, current, saved_counts, saved_dates,
            saved_values=None) -> None:  # fmt: skip
        saved_values = saved_values or {}
        state = saved_state(current, counts={c: n for c, (_, n) in saved_counts.items()},
                            dates={c: tuple(d for _, d in days)
                                   for c, days in saved_dates.items()})  # fmt: skip
        if state is not None:
            state = replace(state, values={c: v for c, (_, v) in saved_values.items()})
        beds, bed_days, status = self.figures(row, ward, current)
        errors = rules.return_errors(
            ward=ward, week_start=row.week_start, today=self.today, beds=beds,
            occupied_bed_days=bed_days, status=status, counts=row.counts,
            measures=self.measures, saved=state, incident_dates=row.incident_dates,
            not_collected=row.not_collected, required=self.required.get(ward.pk),
            values=row.values, local_scopes=self.local_scopes,
        )  # fmt: skip
        if message := self.version_error(row, ward, current):
            errors["version"] = message
        if errors.pop("reason", None):
            self.plan.late_rows.append(row.row)
        if errors:
            self.plan.errors.extend(self.row_errors(row, ward, errors))
            return
        to_write, changes = _count_changes(row.counts, saved_counts, saved_dates)
        dates, date_changes = _date_changes(row.incident_dates or {}, saved_dates)
        figures, figure_changes = import_values.value_changes(row.values, saved_values)
        changes += date_changes + figure_changes
        not_collected = sorted(rules.merged_not_collected(state, {**row.counts, **row.values},
                                                          row.not_collected))  # fmt: skip
        if not_collected != sorted(current.not_collected if current else []):
            changes.append(f"not collected: {', '.join(not_collected) or 'none'}")
        bound = implausible_bound(beds=beds, occupied_bed_days=bed_days)
        implausible = rules.implausible_counts(counts=to_write, measures=self.measures,
                                               bound=bound)  # fmt: skip
        self.plan.warnings.extend(self.row_errors(row, ward, implausible))
        if current is not None:
            for name, old, new in (("beds", current.beds, beds),
                                   ("occupied_bed_days", current.occupied_bed_days, bed_days),
                                   ("status", current.status, status)):  # fmt: skip
                if old != new:
                    changes.insert(0, f"{name}: {_show(old)} → {_show(new)}")
        elif status == rules.DRAFT and bed_days is None:
            changes.insert(0, "a new draft return (its bed days are needed to submit it)")
        action = "create" if current is None else ("update" if changes else "unchanged")
        self.plan.rows.append(PlannedRow(
            row=row.row, ward=ward, week_start=row.week_start, action=action, beds=beds,
            occupied_bed_days=bed_days, status=status, counts=to_write, existing=current,
            saved_counts=saved_counts, changes=changes, incident_dates=dates,
            saved_dates=saved_dates, source=row.source, not_collected=not_collected,
            values=figures, saved_values=saved_values,
        ))  # fmt: skip


def _incident_column(key: str) -> str:
    if key.startswith(rules.DATES_FIELD + "."):
        return "incident_date"
    return key if key in ("occupied_bed_days", "status", "version", "beds") else "measure"


def _days(days) -> str:
    return ", ".join(dateformat.format(day, "j M") for day in days) or "none"


def _date_changes(dates, saved_dates) -> tuple[dict, list[str]]:
    to_write, changes = {}, []
    for code, days in dates.items():
        old = [day for _, day in saved_dates.get(code, [])]
        if sorted(days) != old:
            to_write[code] = sorted(days)
            changes.append(f"{code} dates: {_days(old)} → {_days(sorted(days))}")
    return to_write, changes


def _count_changes(counts, saved_counts, saved_dates) -> tuple[dict, list[str]]:
    to_write, changes = {}, []
    for code, value in counts.items():
        old = saved_counts[code][1] if code in saved_counts else None
        if value != old:
            to_write[code] = value
            gone = len(saved_dates.get(code, [])) if value is None else 0
            also = f" (and its {gone} date{'s' if gone != 1 else ''})" if gone else ""
            changes.append(f"{code}: {_show(old)} → {_show(value)}{also}")
    return to_write, changes


def returns_import_plan(
    *,
    user,
    parsed: ParsedFile,
    lock: bool = False,
    reason: str = "",
    expected_versions: dict[str, int] | None = None,
) -> ImportPlan:
    """Match each parsed row to a ward the user may import for and compare it with the database.

    Row errors: unknown trust or ward, duplicate ward-weeks, and every rule of the return form
    (`measures.rules`), including "a submitted week never goes back to draft". Counts above
    the plausible bound are warnings (the user confirms them). Changes to submitted weeks older
    than 4 weeks need `reason` (one for the whole file): without it they are `late_rows`.
    `expected_versions` (from `ImportPlan.versions()` at preview) makes any ward-week changed
    since then a row error; a bulk item's own `expected_version` does the same for it. With
    `lock`, the existing returns are locked for update."""
    today = timezone.localdate()
    reason = (reason or "").strip()
    plan = ImportPlan(rows=[], errors=list(parsed.errors), warnings=[], reason=reason)
    wards = _ward_index(user)
    matched = _match(wards, parsed.rows, plan.errors, today)
    weeks = incident_weeks(parsed, find_ward=lambda row: _find_ward(row, wards),
                           errors=plan.errors, today=today)  # fmt: skip
    plan.zero_fill = zero_fill_of(parsed, weeks)
    plan.zero_filled = bool(parsed.zero_fill and plan.zero_fill)
    matched = with_incidents(matched, weeks, parsed=parsed, errors=plan.errors, today=today)
    existing, saved, dates, figures = _saved(matched, lock)
    planner = _Planner(plan, measures_by_code(), parsed.has_bed_days, expected_versions, today,
                       measures_required({ward for _, ward in matched}),
                       local_measure_scopes())  # fmt: skip
    for row, ward in matched:
        current = existing.get((ward.pk, row.week_start))
        planner.add(row, ward, current, saved.get(current.pk, {}) if current else {},
                    dates.get(current.pk, {}) if current else {},
                    figures.get(current.pk, {}) if current else {})  # fmt: skip
    plan.errors.sort(key=lambda e: (e.sheet, e.row, e.column))
    plan.rows.sort(key=lambda r: (r.row == 0, r.row))
    return plan


def _show(value) -> str:
    return "blank" if value is None else str(value)
