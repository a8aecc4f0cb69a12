"""Bulk import of weekly returns from CSV or Excel: read the file into typed rows.

Nothing here writes. `parse_returns_file` turns bytes into typed rows and row errors;
`import_plan.returns_import_plan` compares those rows with the database and says, per row,
whether it creates a return, updates one or changes nothing; `import_commit` writes a plan,
all or nothing.

Two formats, told apart by their header (the export writes both, `exporting.py`):
- ward-week rows: one row per ward-week, one column per measure code. A blank cell is a
  *missing* count, never a zero; a measure column left out of the file leaves the saved
  counts of that measure alone.
- incident rows: one row per incident (`measure`, `incident_date`): the count of a
  ward-week-measure is the number of its rows, its dates are their days.
A workbook is read from its `returns` sheet and, beside it, its `incidents` sheet (as the
export writes them); else from its `incidents` sheet; else from its first sheet.
"""

from dataclasses import dataclass, field, replace

from mhsip.text import find_patient_identifier
from mhsip.weeks import is_monday, monday_of

from . import import_values, rules
from .import_cells import cell_text, date_error, normalise_header, parse_date, parse_number
from .import_files import (  # noqa: F401  re-exported: the importer's names for its callers
    EMPTY,
    FIXED_COLUMNS,
    INCIDENT_COLUMNS,
    MAX_BYTES,
    MAX_ROWS,
    RETURN_COLUMNS,
    SHEETS,
    WARD_COLUMNS,
    FileRefused,
    read_tables,
)
from .import_rows import ParsedFile, ParsedIncident, ParsedRow, RowError, not_monday_error
from .import_values import template_columns  # noqa: F401  (the export's and template's)
from .models import Measure

NC_CELLS = (rules.NOT_COLLECTED, rules.NOT_COLLECTED_LABEL.upper())  # not collected this week


def _header(rows) -> list[str] | None:
    for values in rows:
        if any(cell_text(v) for v in values):
            return [normalise_header(v) for v in values]
    return None


def _check_unique(header: list[str]) -> None:
    seen = set()
    for name in header:
        if name and name in seen:
            raise FileRefused(f"The column {name!r} appears twice in the header row.")
        seen.add(name)


def _check_header(header: list[str], measures) -> None:
    if problems := import_values.header_problems(header, measures):
        raise FileRefused(" ".join(problems))
    known = {*FIXED_COLUMNS, *import_values.known_columns(measures)}
    unknown = [n for n in header if n and n not in known]
    if unknown:
        raise FileRefused(
            "Unknown column" + ("s " if len(unknown) > 1 else " ")
            + ", ".join(repr(u) for u in unknown)
            + ": each column after the ward and week columns must be a measure code from the "
            "template (for example physical_restraint)."
        )  # fmt: skip
    _check_unique(header)
    seen = set(header)
    need = [c for c in ("trust_ods", "week_start") if c not in seen]
    if not {"ward_name", "ward_code"} & seen:
        need.append("ward_name or ward_code")
    if need:
        raise FileRefused(
            "The header row has no " + " or ".join(need) + " column. The first row must name "
            "the columns, as in the template."
        )


def _check_incident_header(header: list[str]) -> None:
    unknown = [n for n in header if n and n not in INCIDENT_COLUMNS]
    if unknown:
        raise FileRefused(
            "Unknown column" + ("s " if len(unknown) > 1 else " ")
            + ", ".join(repr(u) for u in unknown)
            + ": a file of incidents has one row per incident and only the columns trust_ods, "
            "ward_name or ward_code, measure and incident_date (nothing about a person)."
        )  # fmt: skip
    _check_unique(header)
    seen = set(header)
    need = [c for c in ("trust_ods", "measure", "incident_date") if c not in seen]
    if not {"ward_name", "ward_code"} & seen:
        need.append("ward_name or ward_code")
    if need:
        raise FileRefused("The header row of the incidents has no " + " or ".join(need)
                          + " column.")  # fmt: skip


def _is_incidents(header: list[str]) -> bool:
    names = set(header)
    if not {"measure", "incident_date"} & names:
        return False
    if names & set(RETURN_COLUMNS):
        raise FileRefused(
            "The header mixes the two formats: a file has either one row per ward and week "
            "(week_start and a column per measure) or one row per incident (measure and "
            "incident_date). Put them in two files, or in a workbook's 'returns' and "
            "'incidents' sheets."
        )
    return True


@dataclass
class _RowReader:
    """Reads one data row of a file whose header is known."""

    index: dict[str, int]
    codes: list[str]
    measures: dict
    sheet: str = ""  # named in row errors when a workbook's two sheets are read
    value_codes: list[str] = field(default_factory=list)  # proportions, durations, scores

    def cell(self, values, name):
        i = self.index.get(name)
        return values[i] if i is not None and i < len(values) else None

    def ward(self, row: int, values, errors: list[RowError]) -> dict[str, str]:
        texts = {name: cell_text(self.cell(values, name)) for name in WARD_COLUMNS}
        if not texts["trust_ods"]:
            errors.append(RowError(row, "trust_ods", "Enter the trust's ODS code."))
        if not texts["ward_name"] and not texts["ward_code"]:
            errors.append(RowError(row, "ward_name", "Enter the ward name or the ward code."))
        return texts

    def week(self, row: int, values, errors: list[RowError]):
        raw = self.cell(values, "week_start")
        if cell_text(raw) == "":
            errors.append(RowError(row, "week_start", "Enter the week start date."))
            return None, None
        try:
            week_start = parse_date(raw)
        except (ValueError, OverflowError):
            errors.append(RowError(row, "week_start", date_error(raw)))
            return None, None
        if is_monday(week_start):
            return week_start, None
        # Kept as its Monday; ParsedFile.with_snap refuses it unless the user asks to snap.
        return monday_of(week_start), week_start

    def numbers(self, row: int, values, errors: list[RowError]) -> dict:
        numbers, numbers["not_collected"] = {}, []
        for name in ["beds", "occupied_bed_days", *self.codes]:
            if name in self.codes and cell_text(self.cell(values, name)).upper() in NC_CELLS:
                numbers[name] = None  # not collected this week: no count, but an answer
                numbers["not_collected"].append(name)
                continue
            try:
                numbers[name] = parse_number(self.cell(values, name), label=name)
            except ValueError as error:
                errors.append(RowError(row, name, str(error)))
        valid = {k: v for k, v in numbers.items() if k not in {e.column for e in errors}}
        ranges = rules.field_errors(
            beds=valid.get("beds"), occupied_bed_days=valid.get("occupied_bed_days"),
            counts={c: valid[c] for c in self.codes if c in valid}, measures=self.measures,
        )  # fmt: skip
        errors.extend(RowError(row, name, message) for name, message in ranges.items())
        return numbers

    def read(self, row: int, values) -> tuple[ParsedRow | None, list[RowError]]:
        errors = []
        texts = self.ward(row, values, errors)
        week_start, snapped_from = self.week(row, values, errors)
        numbers = self.numbers(row, values, errors)
        figures, figures_nc = import_values.read_values(
            row, lambda name: self.cell(values, name), self.value_codes, self.measures, errors)
        status = cell_text(self.cell(values, "status")).casefold() or None
        if status is not None and status not in rules.STATUSES:
            errors.append(RowError(row, "status", rules.status_error(None, status)))
        if errors:
            if snapped_from:
                errors.append(not_monday_error(row, snapped_from, week_start))
            return None, errors
        return ParsedRow(
            row=row, trust_ods=texts["trust_ods"].upper(), ward_name=texts["ward_name"],
            ward_code=texts["ward_code"], week_start=week_start, beds=numbers["beds"],
            occupied_bed_days=numbers["occupied_bed_days"], status=status,
            counts={code: numbers[code] for code in self.codes}, snapped_from=snapped_from,
            values=figures, not_collected=numbers["not_collected"] + figures_nc,
        ), []  # fmt: skip


@dataclass
class _IncidentReader(_RowReader):
    """Reads one row of incidents: the ward, the measure (its code; "Seclusion" reads as
    seclusion) and the day."""

    def read(self, row: int, values) -> tuple[ParsedIncident | None, list[RowError]]:
        errors = []
        texts = self.ward(row, values, errors)
        raw_measure = cell_text(self.cell(values, "measure"))
        measure = normalise_header(raw_measure)
        if not measure:
            errors.append(RowError(row, "measure", "Enter the measure code, like seclusion."))
        elif measure not in self.measures:
            errors.append(RowError(row, "measure", f"Unknown measure code {raw_measure!r}: use "
                                   "a code from the template, like seclusion."))  # fmt: skip
        raw = self.cell(values, "incident_date")
        day = None
        if cell_text(raw) == "":
            errors.append(RowError(row, "incident_date", "Enter the day of the incident."))
        else:
            try:
                day = parse_date(raw)
            except (ValueError, OverflowError):
                errors.append(RowError(row, "incident_date", date_error(raw)))
        if errors:
            return None, errors
        return ParsedIncident(
            row=row, trust_ods=texts["trust_ods"].upper(), ward_name=texts["ward_name"],
            ward_code=texts["ward_code"], measure=measure, occurred_on=day, sheet=self.sheet,
        ), []  # fmt: skip


def _reader(label: str, header: list[str], measures, parsed: ParsedFile):
    index = {name: i for i, name in enumerate(header) if name}
    # An 'incidents' sheet is read as incidents whatever its header (which is then checked).
    if label == "incidents" or _is_incidents(header):
        _check_incident_header(header)
        return _IncidentReader(index, [], measures, sheet=label), parsed.incidents
    _check_header(header, measures)
    codes = [n for n in header if n in measures and rules.value_type(measures[n]) == rules.COUNT]
    parsed.columns, parsed.measure_codes = [h for h in header if h], codes
    parsed.has_bed_days = "occupied_bed_days" in index
    value_codes = import_values.value_codes(header, measures)
    return _RowReader(index, codes, measures, sheet=label, value_codes=value_codes), parsed.rows


def parse_returns_file(
    *, content: bytes, filename: str, snap_to_monday: bool | None = False
) -> ParsedFile:
    """Read a CSV or .xlsx file of weekly returns (or of incidents) into typed rows and
    row-level errors.

    Raises `FileRefused` when the file as a whole cannot be used (empty, unreadable, no
    header, unknown columns, too many rows, or anything that looks like a patient identifier:
    the app takes weekly totals and the days of incidents, never details of a person). Dates
    that are not Mondays are snapped to their Monday with `snap_to_monday`, row errors
    otherwise; `None` gives the file as read, to keep and decide later (`ParsedFile.with_snap`)."""
    if len(content) > MAX_BYTES:
        raise FileRefused(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    measures = {m.code: m for m in Measure.objects.select_related("parent")}
    parsed = ParsedFile(columns=[], measure_codes=[], rows=[], errors=[])
    data_rows, headers = 0, 0
    for label, table in read_tables(content, filename):
        rows = iter(table)
        header = _header(rows)
        if header is None:
            continue  # an empty sheet beside the other (the template's incidents sheet)
        headers += 1
        reader, found = _reader(label, header, measures, parsed)
        for row_number, values in enumerate(rows, start=2):
            if not any(cell_text(v) for v in values):
                continue  # blank lines at the end of a sheet
            data_rows += 1
            if data_rows > MAX_ROWS:
                raise FileRefused(
                    f"The file has more than {MAX_ROWS:,} rows. Split it into smaller files."
                )
            row, errors = _read(reader, row_number, values)
            parsed.errors.extend(replace(e, sheet=label) for e in errors)
            if row is not None:
                found.append(row)
    if not headers:
        raise FileRefused(EMPTY)
    if data_rows == 0:
        raise FileRefused(
            "The file has a header row but no data rows. Add one row per ward and week (or one "
            "per incident)."
        )
    return parsed if snap_to_monday is None else parsed.with_snap(snap_to_monday)


def _read(reader, row: int, values):
    if any("\x00" in v for v in values if isinstance(v, str)):
        return None, [RowError(row, "", "The row contains a NUL character.")]
    _refuse_identifiers(row, values)
    return reader.read(row, values)


def _refuse_identifiers(row: int, values) -> None:
    # One search over the row's cells joined: a cell-by-cell search costs seconds on 50,000
    # rows. A unit separator between cells keeps digits of two cells from joining up.
    joined = "\x1f".join("" if v is None else str(v) for v in values)
    if find_patient_identifier(joined):
        raise FileRefused(
            f"Row {row} holds what looks like an NHS number. This app takes weekly totals, "
            "never details of a patient: remove patient identifiers from the file and upload "
            "it again. Nothing of this file was kept."
        )


def refuse_identifiers(row: int, values) -> None:
    _refuse_identifiers(row, values)
