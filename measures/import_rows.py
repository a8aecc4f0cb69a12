"""The typed rows of an imported file: what `importing.parse_returns_file` reads once, what an
upload keeps between its preview and its commit (as JSON: never the file itself), and what
`import_plan` compares with the database.

A file holds ward-week rows (`ParsedRow`: one per ward and week, a column per measure), or
incident rows (`ParsedIncident`: one per incident, its measure and its day), or both (a
workbook with a `returns` and an `incidents` sheet, as the export writes it)."""

import datetime
from dataclasses import asdict, dataclass, field, replace

from django.utils import dateformat

MONDAY_HINT = "(use 'snap to Monday')"
DATES_PREFIX = "incident_dates."  # rules.dates_key


@dataclass(frozen=True, slots=True)
class RowError:
    row: int  # as the spreadsheet numbers it: the header is row 1 (0: no row of the file)
    column: str
    message: str
    # A date that is not a Monday: an error unless the user asks to snap dates to Mondays.
    snappable: bool = False
    sheet: str = ""  # the sheet, when a workbook's two sheets are read

    @property
    def file_column(self) -> str:
        """The column of the file it is about: a measure's dates are its count's column."""
        return self.column.removeprefix(DATES_PREFIX)


@dataclass(slots=True)
class ParsedRow:
    row: int
    trust_ods: str
    ward_name: str
    ward_code: str
    week_start: datetime.date
    beds: int | None
    occupied_bed_days: int | None
    status: str | None
    counts: dict[str, int | None]
    snapped_from: datetime.date | None = None  # the file's date, when it was not a Monday
    expected_version: int | None = None  # bulk API items may say which version they read
    # Measure code -> the day of each incident (None: the row says nothing of the days).
    incident_dates: dict[str, list[datetime.date]] | None = None
    # "week": a ward-week row of the file or an API item. "incidents": a ward-week made of
    # incident rows; "zero": a week the file says had none. The last two say nothing of beds,
    # bed days or status: those stay as saved (a new return is a draft).
    source: str = "week"
    rows: tuple[int, ...] = ()  # the file rows a "incidents" ward-week is made of
    # The codes the row says were not collected this week (rules.NOT_COLLECTED in the cell;
    # the API's `not_collected`); their counts are None.
    not_collected: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ParsedIncident:
    """One row of an incident file: one incident of a measure on a day (a day only: never a
    time, a name or anything else about a person)."""

    row: int
    trust_ods: str
    ward_name: str
    ward_code: str
    measure: str
    occurred_on: datetime.date
    sheet: str = ""


def not_monday_error(row: int, day: datetime.date, monday: datetime.date) -> RowError:
    message = (
        f"{dateformat.format(day, 'l j F Y')} is not a Monday: weeks start on Monday. The "
        f"Monday of that week is {dateformat.format(monday, 'j F Y')} {MONDAY_HINT}."
    )
    return RowError(row, "week_start", message, snappable=True)


@dataclass
class ParsedFile:
    columns: list[str]
    measure_codes: list[str]
    rows: list[ParsedRow]
    errors: list[RowError]
    has_bed_days: bool = False
    not_monday: int = 0  # rows refused because the date is not a Monday (snapping would fix)
    snapped: int = 0
    snap_to_monday: bool | None = None  # None: as read (see with_snap)
    incidents: list[ParsedIncident] = field(default_factory=list)
    # The user's choice for an incident file: it holds every incident of its measures from
    # its first week to its last, so the weeks without one get a count of 0. Never assumed.
    zero_fill: bool = False

    def with_snap(self, snap: bool) -> "ParsedFile":
        """The file as read with dates snapped to their Monday, or with those rows refused."""
        if snap:
            errors = [e for e in self.errors if not e.snappable]
            snapped = [r for r in self.rows if r.snapped_from] + [
                e for e in self.errors if e.snappable
            ]
            return replace(self, errors=errors, snapped=len(snapped), not_monday=0,
                           snap_to_monday=True)  # fmt: skip
        refused = [not_monday_error(r.row, r.snapped_from, r.week_start)
                   for r in self.rows if r.snapped_from]  # fmt: skip
        errors = sorted([*self.errors, *refused], key=lambda e: (e.row, e.column))
        rows = [r for r in self.rows if not r.snapped_from]
        not_monday = len(refused) + sum(e.snappable for e in self.errors)
        return replace(self, rows=rows, errors=errors, snapped=0, not_monday=not_monday,
                       snap_to_monday=False)  # fmt: skip

    @property
    def incident_codes(self) -> list[str]:
        """The measures of the file's incident rows, in the order they first appear."""
        return list(dict.fromkeys(incident.measure for incident in self.incidents))

    def to_json(self) -> dict:
        data = asdict(self)
        for row in data["rows"]:
            row["week_start"] = row["week_start"].isoformat()
            row["snapped_from"] = row["snapped_from"] and row["snapped_from"].isoformat()
            if (dates := row["incident_dates"]) is not None:
                row["incident_dates"] = {
                    code: [day.isoformat() for day in days] for code, days in dates.items()
                }
        for incident in data["incidents"]:
            incident["occurred_on"] = incident["occurred_on"].isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict) -> "ParsedFile":
        day = datetime.date.fromisoformat
        rows = [
            ParsedRow(**{
                **row,
                "week_start": day(row["week_start"]),
                "snapped_from": row["snapped_from"] and day(row["snapped_from"]),
                "incident_dates": None if row.get("incident_dates") is None else {
                    code: [day(d) for d in days] for code, days in row["incident_dates"].items()
                },
                "rows": tuple(row.get("rows", ())),
            })
            for row in data["rows"]
        ]  # fmt: skip
        incidents = [ParsedIncident(**{**incident, "occurred_on": day(incident["occurred_on"])})
                     for incident in data.get("incidents", [])]  # fmt: skip
        errors = [RowError(**error) for error in data["errors"]]
        return cls(**{**data, "rows": rows, "errors": errors, "incidents": incidents})


__all__ = ["ParsedFile", "ParsedIncident", "ParsedRow", "RowError"]
