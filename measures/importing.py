"""Bulk import of weekly returns from CSV or Excel: read the file into typed rows.

Nothing here writes. `parse_returns_file` turns bytes into typed rows and row errors;
`import_plan.returns_import_plan` compares those rows with the database and says, per row,
whether it creates a return, updates one or changes nothing; `import_commit` writes a plan,
all or nothing.

The format is the export format (`exporting.py`): one row per ward-week, one column per
measure code. A blank cell is a *missing* count, never a zero; a measure column left out of
the file leaves the saved counts of that measure alone.
"""

import codecs
import csv
import datetime
import io
import re
from dataclasses import dataclass

import openpyxl

from mhsip.text import find_patient_identifier
from mhsip.weeks import is_monday, monday_of

from . import rules
from .import_rows import ParsedFile, ParsedRow, RowError, not_monday_error
from .models import Measure

MAX_ROWS = 50_000
MAX_BYTES = 20 * 1024 * 1024

WARD_COLUMNS = ["trust_ods", "ward_name", "ward_code"]
RETURN_COLUMNS = ["week_start", "beds", "occupied_bed_days", "status"]
FIXED_COLUMNS = WARD_COLUMNS + RETURN_COLUMNS
# Excel counts days from 30 December 1899 (its serial 60 is the non-existent 29 Feb 1900).
EXCEL_EPOCH = datetime.date(1899, 12, 30)
EXCEL_SERIALS = range(20_000, 80_000)  # 1954 to 2119: a bare number here is an Excel date

# Blank rows (the header, a few trailing ones) and columns a spreadsheet may carry past the data.
SPARE_ROWS = 100
SPARE_COLUMNS = 10
XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"


class FileRefused(Exception):
    """The whole file cannot be read; the message says why and what to do."""


def template_columns() -> list[str]:
    return FIXED_COLUMNS + list(
        Measure.objects.filter(is_active=True)
        .order_by("display_order")
        .values_list("code", flat=True)
    )


def _normalise_header(value) -> str:
    text = "" if value is None else str(value)
    return re.sub(r"[^0-9a-z]+", "_", text.strip().lstrip("\ufeff").casefold()).strip("_")


def _decode(content: bytes) -> str:
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode Text" export: UTF-16 with a byte order mark, tab-separated.
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            raise FileRefused("The file says it is UTF-16 text but cannot be read.") from None
    try:
        return content.decode("utf-8-sig")  # strips the BOM Excel puts on "CSV UTF-8"
    except UnicodeDecodeError as error:
        line = content.count(b"\n", 0, error.start) + 1
        raise FileRefused(
            f"The file is not UTF-8 text: line {line} has a character that cannot be read "
            f"(byte 0x{content[error.start]:02X}). In Excel choose File › Save As › "
            "'CSV UTF-8 (Comma delimited)', or upload the .xlsx file instead."
        ) from None


def _csv_rows(content: bytes):
    text = _decode(content)
    if "\x00" in text:
        raise FileRefused(
            "The file contains NUL characters, so it is not a CSV text file. Upload a CSV or "
            ".xlsx file made from the template."
        )
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _xlsx_rows(content: bytes):
    # A damaged workbook makes openpyxl raise almost anything (zip, XML, key, type errors),
    # on opening or later while reading rows: each is the same clear refusal, never a 500.
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = workbook["returns"] if "returns" in workbook.sheetnames else workbook.worksheets[0]
        rows, columns = sheet.max_row, sheet.max_column
    except Exception:
        raise FileRefused(XLSX_UNREADABLE) from None
    # A sheet can declare any size (a 1.6 KB file may claim A1:XFD1048576, and reading it
    # would yield a billion empty cells): refuse one beyond the format's bounds at once, and
    # never read past them.
    most_columns = len(FIXED_COLUMNS) + Measure.objects.count() + SPARE_COLUMNS
    if (rows or 0) > MAX_ROWS + SPARE_ROWS or (columns or 0) > most_columns:
        raise FileRefused(
            f"The sheet says it has {rows or 0:,} rows and {columns or 0:,} columns; a file of "
            f"returns has at most {MAX_ROWS:,} rows and {most_columns} columns. Delete the "
            "empty rows and columns after the data (or save the sheet as CSV UTF-8) and upload "
            "it again."
        )
    return _xlsx_guarded(sheet.iter_rows(values_only=True, max_row=MAX_ROWS + SPARE_ROWS,
                                         max_col=most_columns))  # fmt: skip


XLSX_UNREADABLE = (
    "The file could not be read as an Excel workbook (.xlsx). Save it again from Excel "
    "as an Excel Workbook or as CSV UTF-8."
)


def _xlsx_guarded(rows):
    try:
        yield from rows
    except Exception:
        raise FileRefused(XLSX_UNREADABLE) from None


def _rows(content: bytes, filename: str):
    if not content.strip():
        raise FileRefused("The file is empty. Download the template and add one row per week.")
    if content.startswith(XLS_MAGIC):
        raise FileRefused(
            "This is an old Excel 97-2003 (.xls) file. Save it as an Excel Workbook (.xlsx) or "
            "as CSV UTF-8 and upload that."
        )
    if content.startswith(XLSX_MAGIC):
        return _xlsx_rows(content)
    if filename.lower().endswith((".xlsx", ".xlsm")):
        raise FileRefused("The file is named .xlsx but is not an Excel workbook.")
    return _csv_rows(content)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    # The export writes '=..., '-... so Excel does not run them as formulas: undo that.
    if text[:2] in ("'=", "'+", "'-", "'@"):
        text = text[1:]
    return text


def _parse_date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value == int(value) and int(value) in EXCEL_SERIALS:
            return EXCEL_EPOCH + datetime.timedelta(days=int(value))
        raise ValueError
    text = _text(value)
    if re.fullmatch(r"\d{5}(\.0+)?", text) and int(float(text)) in EXCEL_SERIALS:
        return EXCEL_EPOCH + datetime.timedelta(days=int(float(text)))
    text = text.split(" ")[0].split("T")[0]  # "2024-01-01 00:00:00" from spreadsheets
    if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", text):
        return datetime.date.fromisoformat("-".join(p.zfill(2) for p in text.split("-")))
    match = re.fullmatch(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})", text)
    if match:  # a UK date, day first
        day, month, year = map(int, match.groups())
        return datetime.date(year, month, day)
    raise ValueError


def _parse_number(value, *, label: str) -> int | None:
    """A whole number or None (blank); its range is a rule (`rules.field_errors`). Raises
    ValueError with the reason."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"{label}: enter a whole number, like 0 or 3, not {value!r}.")
    if isinstance(value, int | float):
        number = value
    else:
        text = str(value).strip()
        if text == "":
            return None
        if not re.fullmatch(r"-?\d{1,15}(\.\d+)?", text):
            raise ValueError(f"{label}: enter a whole number, like 0 or 3, not {text!r}.")
        number = float(text)
    if number != number or number in (float("inf"), float("-inf")) or number != int(number):
        raise ValueError(f"{label}: enter a whole number, not {number:g}.")
    return int(number)


def _header(rows) -> list[str]:
    for values in rows:
        if any(_text(v) for v in values):
            return [_normalise_header(v) for v in values]
    raise FileRefused("The file is empty. Download the template and add one row per week.")


def _check_header(header: list[str], measures) -> None:
    unknown = [n for n in header if n and n not in FIXED_COLUMNS and n not in measures]
    if unknown:
        raise FileRefused(
            "Unknown column" + ("s " if len(unknown) > 1 else " ")
            + ", ".join(repr(u) for u in unknown)
            + ": each column after the ward and week columns must be a measure code from the "
            "template (for example physical_restraint)."
        )  # fmt: skip
    seen = set()
    for name in header:
        if name and name in seen:
            raise FileRefused(f"The column {name!r} appears twice in the header row.")
        seen.add(name)
    need = [c for c in ("trust_ods", "week_start") if c not in seen]
    if not {"ward_name", "ward_code"} & seen:
        need.append("ward_name or ward_code")
    if need:
        raise FileRefused(
            "The header row has no " + " or ".join(need) + " column. The first row must name "
            "the columns, as in the template."
        )


@dataclass
class _RowReader:
    """Reads one data row of a file whose header is known."""

    index: dict[str, int]
    codes: list[str]
    measures: dict

    def cell(self, values, name):
        i = self.index.get(name)
        return values[i] if i is not None and i < len(values) else None

    def week(self, row: int, values, errors: list[RowError]):
        raw = self.cell(values, "week_start")
        if _text(raw) == "":
            errors.append(RowError(row, "week_start", "Enter the week start date."))
            return None, None
        try:
            week_start = _parse_date(raw)
        except (ValueError, OverflowError):
            message = (
                f"{_text(raw)!r} is not a date: use YYYY-MM-DD (2024-01-01) or DD/MM/YYYY "
                "(01/01/2024)."
            )
            errors.append(RowError(row, "week_start", message))
            return None, None
        if is_monday(week_start):
            return week_start, None
        # Kept as its Monday; ParsedFile.with_snap refuses it unless the user asks to snap.
        return monday_of(week_start), week_start

    def numbers(self, row: int, values, errors: list[RowError]) -> dict:
        numbers = {}
        for name in ["beds", "occupied_bed_days", *self.codes]:
            try:
                numbers[name] = _parse_number(self.cell(values, name), label=name)
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
        if any("\x00" in v for v in values if isinstance(v, str)):
            return None, [RowError(row, "", "The row contains a NUL character.")]
        _refuse_identifiers(row, values)
        errors = []
        texts = {name: _text(self.cell(values, name)) for name in WARD_COLUMNS}
        if not texts["trust_ods"]:
            errors.append(RowError(row, "trust_ods", "Enter the trust's ODS code."))
        if not texts["ward_name"] and not texts["ward_code"]:
            errors.append(RowError(row, "ward_name", "Enter the ward name or the ward code."))
        week_start, snapped_from = self.week(row, values, errors)
        numbers = self.numbers(row, values, errors)
        status = _text(self.cell(values, "status")).casefold() or None
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
        ), []  # fmt: skip


def parse_returns_file(
    *, content: bytes, filename: str, snap_to_monday: bool | None = False
) -> ParsedFile:
    """Read a CSV or .xlsx file of weekly returns into typed rows and row-level errors.

    Raises `FileRefused` when the file as a whole cannot be used (empty, unreadable, no
    header, unknown columns, too many rows, or anything that looks like a patient identifier:
    the app takes weekly totals, never details of a person). Dates that are not Mondays are
    snapped to their Monday with `snap_to_monday`, row errors otherwise; `None` gives the file
    as read, to keep and decide later (`ParsedFile.with_snap`)."""
    if len(content) > MAX_BYTES:
        raise FileRefused(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    rows = iter(_rows(content, filename))
    header = _header(rows)
    measures = {m.code: m for m in Measure.objects.select_related("parent")}
    _check_header(header, measures)
    index = {name: i for i, name in enumerate(header) if name}
    codes = [name for name in header if name in measures]
    parsed = ParsedFile(columns=[h for h in header if h], measure_codes=codes, rows=[],
                        errors=[], has_bed_days="occupied_bed_days" in index)  # fmt: skip
    reader = _RowReader(index, codes, measures)
    data_rows = 0
    for row_number, values in enumerate(rows, start=2):
        if not any(_text(v) for v in values):
            continue  # blank lines at the end of a sheet
        data_rows += 1
        if data_rows > MAX_ROWS:
            raise FileRefused(
                f"The file has more than {MAX_ROWS:,} rows. Split it into smaller files."
            )
        row, errors = reader.read(row_number, values)
        parsed.errors.extend(errors)
        if row is not None:
            parsed.rows.append(row)
    if data_rows == 0:
        raise FileRefused(
            "The file has a header row but no data rows. Add one row per ward and week."
        )
    return parsed if snap_to_monday is None else parsed.with_snap(snap_to_monday)


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
