"""The typed rows of an imported file: what `importing.parse_returns_file` reads once, what an
upload keeps between its preview and its commit (as JSON: never the file itself), and what
`import_plan` compares with the database."""

import datetime
from dataclasses import asdict, dataclass, field, replace

from django.utils import dateformat

MONDAY_HINT = "(use 'snap to Monday')"


@dataclass(frozen=True, slots=True)
class RowError:
    row: int  # as the spreadsheet numbers it: the header is row 1
    column: str
    message: str
    # A date that is not a Monday: an error unless the user asks to snap dates to Mondays.
    snappable: bool = False


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

    def to_json(self) -> dict:
        data = asdict(self)
        for row in data["rows"]:
            row["week_start"] = row["week_start"].isoformat()
            row["snapped_from"] = row["snapped_from"] and row["snapped_from"].isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict) -> "ParsedFile":
        rows = [
            ParsedRow(**{
                **row,
                "week_start": datetime.date.fromisoformat(row["week_start"]),
                "snapped_from": row["snapped_from"]
                and datetime.date.fromisoformat(row["snapped_from"]),
            })
            for row in data["rows"]
        ]  # fmt: skip
        errors = [RowError(**error) for error in data["errors"]]
        return cls(**{**data, "rows": rows, "errors": errors})


__all__ = ["ParsedFile", "ParsedRow", "RowError", "field"]
