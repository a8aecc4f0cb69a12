"""Incident rows (one per incident) as ward-weeks, for `import_plan`.

For each ward-week-measure of the file, the count is the number of its rows and the dates are
those rows' days: the count cannot disagree with the dates. A ward-week the file also has a
ward-week row for (a workbook's `returns` sheet) takes these counts and dates, and a count
there that disagrees is an error. An incident file says nothing about the weeks without
incidents; only when the user says the file holds every incident of its measures from its
first week to its last (`ParsedFile.zero_fill`) do those weeks get a count of 0.
"""

import datetime
from dataclasses import dataclass, field, replace

from django.utils import dateformat

from mhsip.weeks import monday_of, weeks_between
from wards.models import Ward

from . import rules
from .import_rows import ParsedFile, ParsedRow, RowError


@dataclass
class IncidentWeek:
    ward: Ward
    week_start: datetime.date
    sheet: str
    rows: list[int] = field(default_factory=list)
    dates: dict[str, list[datetime.date]] = field(default_factory=dict)


@dataclass(frozen=True)
class ZeroFill:
    """What "weeks with none get a count of 0" would mean for this file."""

    first_week: datetime.date
    last_week: datetime.date
    codes: tuple[str, ...]
    wards: int


def incident_weeks(parsed: ParsedFile, *, find_ward, errors: list[RowError],
                   today: datetime.date) -> dict[tuple, IncidentWeek]:  # fmt: skip
    """The file's incidents by (ward id, week); a row whose ward is unknown or whose day
    cannot be an incident of that ward (`rules.incident_date_error`) is a row error."""
    weeks = {}
    for incident in parsed.incidents:
        ward, error = find_ward(incident)
        if error is None:
            week = monday_of(incident.occurred_on)
            problem = rules.incident_date_error(incident.occurred_on, ward=ward, week_start=week,
                                                today=today)  # fmt: skip
            if problem:
                error = RowError(incident.row, "incident_date", problem)
        if error is not None:
            errors.append(replace(error, sheet=incident.sheet))
            continue
        group = weeks.setdefault((ward.pk, week), IncidentWeek(ward, week, incident.sheet))
        group.rows.append(incident.row)
        group.dates.setdefault(incident.measure, []).append(incident.occurred_on)
    return weeks


def zero_fill_of(parsed: ParsedFile, weeks: dict) -> ZeroFill | None:
    """The weeks and measures a "no incident means 0" choice would fill, for the preview to
    state; None where it cannot apply (no incidents, or ward-week rows beside them)."""
    if not weeks or parsed.rows:
        return None
    return ZeroFill(
        first_week=min(week for _, week in weeks), last_week=max(week for _, week in weeks),
        codes=tuple(parsed.incident_codes), wards=len({ward_id for ward_id, _ in weeks}),
    )  # fmt: skip


def _conflicts(row: ParsedRow, group: IncidentWeek, counts: dict) -> list[RowError]:
    return [
        RowError(group.rows[0], "measure", (
            f"{code}: the returns sheet (row {row.row}) has "
            f"{'a blank count' if row.counts[code] is None else row.counts[code]} for "
            f"{group.ward.name}, week of {dateformat.format(group.week_start, 'j F Y')}, but the "
            f"incidents sheet has {number} incident{'s' if number != 1 else ''}: the count of a "
            "measure with incident rows is their number."
        ), sheet=group.sheet)
        for code, number in counts.items()
        if code in row.counts and row.counts[code] != number
    ]  # fmt: skip


def with_incidents(matched: list[tuple[ParsedRow, Ward]], weeks: dict, *, parsed: ParsedFile,
                   errors: list[RowError], today: datetime.date) -> list:  # fmt: skip
    """`matched` (ward-week rows with their wards) with the incident weeks merged in: into the
    ward-week row of the same ward and week, else as ward-weeks of their own; then, with
    `parsed.zero_fill`, a 0 for every measure of the file in the weeks without incidents."""
    by_key = {(ward.pk, row.week_start): row for row, ward in matched}
    merged = list(matched)
    for key, group in weeks.items():
        counts = {code: len(days) for code, days in group.dates.items()}
        dates = {code: sorted(days) for code, days in group.dates.items()}
        row = by_key.get(key)
        if row is None:
            row = ParsedRow(
                row=min(group.rows), trust_ods=group.ward.trust.ods_code, ward_name="",
                ward_code="", week_start=group.week_start, beds=None, occupied_bed_days=None,
                status=None, counts=counts, incident_dates=dates, source="incidents",
                rows=tuple(sorted(group.rows)),
            )  # fmt: skip
            by_key[key] = row
            merged.append((row, group.ward))
            continue
        errors.extend(_conflicts(row, group, counts))
        row.counts.update(counts)
        row.incident_dates = {**(row.incident_dates or {}), **dates}
    fill = zero_fill_of(parsed, weeks) if parsed.zero_fill else None
    if fill is not None:
        merged += _zeros(fill, weeks, by_key, today)
    return merged


def _zeros(fill: ZeroFill, weeks: dict, by_key: dict, today) -> list:
    wards = {group.ward.pk: group.ward for group in weeks.values()}
    added = []
    for ward in wards.values():
        for week in weeks_between(fill.first_week, fill.last_week):
            if rules.week_errors(ward=ward, week_start=week, today=today):
                continue  # a week the ward could not report: nothing to fill
            row = by_key.get((ward.pk, week))
            if row is None:
                row = ParsedRow(
                    row=0, trust_ods=ward.trust.ods_code, ward_name="", ward_code="",
                    week_start=week, beds=None, occupied_bed_days=None, status=None,
                    counts={}, incident_dates={}, source="zero",
                )  # fmt: skip
                added.append((row, ward))
            for code in fill.codes:
                if code not in row.counts:
                    row.counts[code] = 0
                    row.incident_dates[code] = []
    return added
