"""Bulk import of weekly returns from CSV or Excel: read the file, match wards, plan the changes.

Nothing here writes. `parse_returns_file` turns bytes into typed rows and row errors;
`returns_import_plan` compares those rows with the database and says, per row, whether it
creates a return, updates one or changes nothing. `services.weekly_returns_import_commit`
writes a plan, all or nothing.

The format is the export format (`exporting.py`): one row per ward-week, one column per
measure code. A blank cell is a *missing* count, never a zero; a measure column left out of
the file leaves the saved counts of that measure alone.
"""

import codecs
import csv
import datetime
import io
import re
from dataclasses import dataclass, field

from django.utils import dateformat, timezone

from wards.access import trusts_managed_by
from wards.models import Ward

from .models import Measure, WeeklyCount, WeeklyReturn
from .services import implausible_count_bound, implausible_count_errors, return_rule_errors

MAX_ROWS = 50_000
MAX_BYTES = 20 * 1024 * 1024
# PositiveIntegerField holds up to 2**31-1; anything near that is a slip, not a week's count.
MAX_COUNT = 100_000

WARD_COLUMNS = ["trust_ods", "ward_name", "ward_code"]
RETURN_COLUMNS = ["week_start", "beds", "occupied_bed_days", "status"]
FIXED_COLUMNS = WARD_COLUMNS + RETURN_COLUMNS
# Excel counts days from 30 December 1899 (its serial 60 is the non-existent 29 Feb 1900).
EXCEL_EPOCH = datetime.date(1899, 12, 30)
EXCEL_SERIALS = range(20_000, 80_000)  # 1954 to 2119: a bare number here is an Excel date

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"


class FileRefused(Exception):
    """The whole file cannot be read; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class RowError:
    row: int  # as the spreadsheet numbers it: the header is row 1
    column: str
    message: str


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
    snapped_from: datetime.date | None = None


@dataclass
class ParsedFile:
    columns: list[str]
    measure_codes: list[str]
    rows: list[ParsedRow]
    errors: list[RowError]
    has_bed_days: bool = False
    not_monday: int = 0  # rows refused because the date is not a Monday (snapping would fix)
    snapped: int = 0


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
    import openpyxl

    # A damaged workbook makes openpyxl raise almost anything (zip, XML, key, type errors),
    # on opening or later while reading rows: each is the same clear refusal, never a 500.
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = workbook["returns"] if "returns" in workbook.sheetnames else workbook.worksheets[0]
    except Exception:
        raise FileRefused(XLSX_UNREADABLE) from None
    return _xlsx_guarded(sheet.iter_rows(values_only=True))


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


def _parse_count(value, *, label: str) -> int | None:
    """A whole number or None (blank). Raises ValueError with the reason."""
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
        try:
            number = float(text) if re.fullmatch(r"-?\d+(\.\d+)?", text) else None
        except ValueError:
            number = None
        if number is None:
            raise ValueError(f"{label}: enter a whole number, like 0 or 3, not {text!r}.")
    if number != int(number):
        raise ValueError(f"{label}: enter a whole number, not {number:g}.")
    if number < 0:
        raise ValueError(f"{label}: cannot be negative ({int(number)}).")
    if number > MAX_COUNT:
        raise ValueError(f"{label}: {int(number):,} is too large to be a weekly figure.")
    return int(number)


def parse_returns_file(
    *, content: bytes, filename: str, snap_to_monday: bool = False
) -> ParsedFile:
    """Read a CSV or .xlsx file of weekly returns into typed rows and row-level errors.

    Raises `FileRefused` when the file as a whole cannot be used (empty, unreadable, no
    header, unknown columns, too many rows)."""
    if len(content) > MAX_BYTES:
        raise FileRefused(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    rows = iter(_rows(content, filename))
    header = None
    for values in rows:
        if any(_text(v) for v in values):
            header = [_normalise_header(v) for v in values]
            break
    if header is None:
        raise FileRefused("The file is empty. Download the template and add one row per week.")

    measures = {m.code: m for m in Measure.objects.all()}
    errors: list[RowError] = []
    unknown = [
        name for name in header if name and name not in FIXED_COLUMNS and name not in measures
    ]
    if unknown:
        raise FileRefused(
            "Unknown column"
            + ("s " if len(unknown) > 1 else " ")
            + ", ".join(repr(u) for u in unknown)
            + ": each column after the ward and week columns must be a measure code from the "
            "template (for example physical_restraint)."
        )
    seen = set()
    for name in header:
        if name and name in seen:
            raise FileRefused(f"The column {name!r} appears twice in the header row.")
        seen.add(name)
    missing = [c for c in ("trust_ods", "week_start") if c not in seen]
    if missing or not ({"ward_name", "ward_code"} & seen):
        need = missing + ([] if {"ward_name", "ward_code"} & seen else ["ward_name or ward_code"])
        raise FileRefused(
            "The header row has no " + " or ".join(need) + " column. The first row must name "
            "the columns, as in the template."
        )
    index = {name: i for i, name in enumerate(header) if name}
    codes = [name for name in header if name in measures]
    parsed = ParsedFile(
        columns=[h for h in header if h],
        measure_codes=codes,
        rows=[],
        errors=errors,
        has_bed_days="occupied_bed_days" in index,
    )

    def cell(values, name):
        i = index.get(name)
        return values[i] if i is not None and i < len(values) else None

    data_rows = 0
    for row_number, values in enumerate(rows, start=2):
        if not any(_text(v) for v in values):
            continue  # blank lines at the end of a sheet
        data_rows += 1
        if data_rows > MAX_ROWS:
            raise FileRefused(
                f"The file has more than {MAX_ROWS:,} rows. Split it into smaller files."
            )
        row_errors = []
        if any("\x00" in v for v in values if isinstance(v, str)):
            errors.append(RowError(row_number, "", "The row contains a NUL character."))
            continue
        texts = {name: _text(cell(values, name)) for name in WARD_COLUMNS}
        if not texts["trust_ods"]:
            row_errors.append(RowError(row_number, "trust_ods", "Enter the trust's ODS code."))
        if not texts["ward_name"] and not texts["ward_code"]:
            row_errors.append(
                RowError(row_number, "ward_name", "Enter the ward name or the ward code.")
            )
        week_start = snapped_from = None
        raw_week = cell(values, "week_start")
        if _text(raw_week) == "":
            row_errors.append(RowError(row_number, "week_start", "Enter the week start date."))
        else:
            try:
                week_start = _parse_date(raw_week)
            except (ValueError, OverflowError):
                row_errors.append(
                    RowError(
                        row_number,
                        "week_start",
                        f"{_text(raw_week)!r} is not a date: use YYYY-MM-DD (2024-01-01) or "
                        "DD/MM/YYYY (01/01/2024).",
                    )
                )
        if week_start is not None and week_start.isoweekday() != 1:
            monday = week_start - datetime.timedelta(days=week_start.weekday())
            if snap_to_monday:
                snapped_from, week_start = week_start, monday
                parsed.snapped += 1
            else:
                parsed.not_monday += 1
                row_errors.append(
                    RowError(
                        row_number,
                        "week_start",
                        f"{dateformat.format(week_start, 'l j F Y')} is not a Monday: weeks "
                        f"start on Monday. The Monday of that week is "
                        f"{dateformat.format(monday, 'j F Y')} (use 'snap to Monday').",
                    )
                )
        numbers = {}
        for name in ["beds", "occupied_bed_days", *codes]:
            try:
                numbers[name] = _parse_count(cell(values, name), label=name)
            except ValueError as error:
                row_errors.append(RowError(row_number, name, str(error)))
        status = _text(cell(values, "status")).casefold() or None
        if status not in (None, WeeklyReturn.Status.DRAFT, WeeklyReturn.Status.SUBMITTED):
            row_errors.append(
                RowError(row_number, "status", f"Status is 'submitted' or 'draft', not {status!r}.")
            )
        if numbers.get("beds") == 0:
            row_errors.append(RowError(row_number, "beds", "Beds open must be at least 1."))
        if row_errors:
            errors.extend(row_errors)
            continue
        parsed.rows.append(
            ParsedRow(
                row=row_number,
                trust_ods=texts["trust_ods"].upper(),
                ward_name=texts["ward_name"],
                ward_code=texts["ward_code"],
                week_start=week_start,
                beds=numbers.get("beds"),
                occupied_bed_days=numbers.get("occupied_bed_days"),
                status=status,
                counts={code: numbers[code] for code in codes},
                snapped_from=snapped_from,
            )
        )
    if data_rows == 0:
        raise FileRefused(
            "The file has a header row but no data rows. Add one row per ward and week."
        )
    return parsed


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


@dataclass
class ImportPlan:
    rows: list[PlannedRow]
    errors: list[RowError]
    warnings: list[RowError]

    def rows_for(self, action: str) -> list[PlannedRow]:
        return [r for r in self.rows if r.action == action]

    @property
    def totals(self) -> dict[str, int]:
        totals = {"create": 0, "update": 0, "unchanged": 0}
        for r in self.rows:
            totals[r.action] += 1
        return totals


def _ward_index(user) -> dict[tuple[str, str, str], Ward]:
    index = {}
    wards = Ward.objects.filter(trust__in=trusts_managed_by(user)).select_related("trust")
    for ward in wards:
        ods = ward.trust.ods_code.upper()
        index[(ods, "name", ward.name.strip().casefold())] = ward
        if ward.code:
            index[(ods, "code", ward.code.strip().casefold())] = ward
    return index


def returns_import_plan(*, user, parsed: ParsedFile, lock: bool = False) -> ImportPlan:
    """Match each parsed row to a ward the user may import for and compare it with the database.

    Row errors: unknown trust or ward, duplicate ward-weeks, weeks outside the ward's opening,
    and the same rules as the weekly return form. Counts above the plausible bound are warnings
    (the user confirms them). With `lock`, the existing returns are locked for update."""
    measures = {m.code: m for m in Measure.objects.select_related("parent")}
    measure_codes = {m.pk: m.code for m in measures.values()}
    wards = _ward_index(user)
    known_trusts = {key[0] for key in wards}
    today = timezone.localdate()
    errors = list(parsed.errors)
    warnings = []

    matched: list[tuple[ParsedRow, Ward]] = []
    first_row_of = {}
    for row in parsed.rows:
        ward = None
        if row.ward_code:
            ward = wards.get((row.trust_ods, "code", row.ward_code.casefold()))
            column, label = "ward_code", f"code {row.ward_code!r}"
        if ward is None and row.ward_name:
            ward = wards.get((row.trust_ods, "name", row.ward_name.casefold()))
            column, label = "ward_name", repr(row.ward_name)
        if row.trust_ods not in known_trusts:
            errors.append(
                RowError(
                    row.row,
                    "trust_ods",
                    f"Unknown trust ODS code {row.trust_ods!r}, or not a trust you can import "
                    "returns for.",
                )
            )
            continue
        if ward is None:
            errors.append(
                RowError(row.row, column, f"No ward with {label} in trust {row.trust_ods}.")
            )
            continue
        key = (ward.pk, row.week_start)
        if key in first_row_of:
            errors.append(
                RowError(
                    row.row,
                    "week_start",
                    f"Duplicate row: row {first_row_of[key]} has the same ward and week "
                    f"({ward.name}, {row.week_start:%Y-%m-%d}).",
                )
            )
            continue
        first_row_of[key] = row.row
        week_end = row.week_start + datetime.timedelta(days=6)
        if row.week_start > today:
            errors.append(
                RowError(row.row, "week_start", f"{row.week_start:%Y-%m-%d} is in the future.")
            )
        elif week_end < ward.active_from:
            errors.append(
                RowError(
                    row.row,
                    "week_start",
                    f"{ward.name} opened on {dateformat.format(ward.active_from, 'j F Y')}; "
                    "this week is before that.",
                )
            )
        elif ward.active_to and row.week_start > ward.active_to:
            errors.append(
                RowError(
                    row.row,
                    "week_start",
                    f"{ward.name} closed on {dateformat.format(ward.active_to, 'j F Y')}; "
                    "this week is after that.",
                )
            )
        else:
            matched.append((row, ward))

    existing: dict[tuple[int, datetime.date], WeeklyReturn] = {}
    saved: dict[int, dict[str, tuple[int, int]]] = {}
    if matched:
        ward_ids = {ward.pk for _, ward in matched}
        weeks = [row.week_start for row, _ in matched]
        returns = WeeklyReturn.objects.filter(
            ward_id__in=ward_ids, week_start__range=(min(weeks), max(weeks))
        )
        if lock:
            returns = returns.select_for_update()
        for weekly_return in returns:
            existing[(weekly_return.ward_id, weekly_return.week_start)] = weekly_return
        counts = WeeklyCount.objects.filter(
            weekly_return__ward_id__in=ward_ids,
            weekly_return__week_start__range=(min(weeks), max(weeks)),
        ).values_list("id", "weekly_return_id", "measure_id", "count")
        for count_id, return_id, measure_id, count in counts.iterator(chunk_size=10_000):
            saved.setdefault(return_id, {})[measure_codes[measure_id]] = (count_id, count)

    planned = []
    for row, ward in matched:
        current = existing.get((ward.pk, row.week_start))
        saved_counts = saved.get(current.pk, {}) if current else {}
        beds = row.beds or (current.beds if current else ward.beds)
        bed_days = (
            row.occupied_bed_days
            if parsed.has_bed_days or current is None
            else current.occupied_bed_days
        )
        status = row.status or (current.status if current else WeeklyReturn.Status.SUBMITTED)
        merged = {code: count for code, (_, count) in saved_counts.items()}
        merged.update(row.counts)
        merged = {code: value for code, value in merged.items() if value is not None}
        row_errors = {}
        if bed_days is not None and bed_days > beds * 7:
            row_errors["occupied_bed_days"] = (
                f"Occupied bed days ({bed_days}) cannot be more than the beds open × 7 "
                f"({beds} × 7 = {beds * 7})."
            )
        if status == WeeklyReturn.Status.SUBMITTED and bed_days is None:
            row_errors["occupied_bed_days"] = (
                "A submitted return needs the occupied bed days: enter them, or set the status "
                "to draft."
            )
        row_errors.update(
            return_rule_errors(counts=merged, measures=measures, occupied_bed_days=bed_days)
        )
        if row_errors:
            errors.extend(RowError(row.row, col, msg) for col, msg in row_errors.items())
            continue

        changes = []
        to_write = {}
        for code, value in row.counts.items():
            old = saved_counts[code][1] if code in saved_counts else None
            if value != old:
                to_write[code] = value
                changes.append(f"{code}: {_show(old)} → {_show(value)}")
        implausible = implausible_count_errors(
            counts=to_write,
            measures=measures,
            bound=implausible_count_bound(beds=beds, occupied_bed_days=bed_days),
        )
        warnings.extend(RowError(row.row, code, msg) for code, msg in implausible.items())
        if current is None:
            action = "create"
        else:
            for name, old, new in (
                ("beds", current.beds, beds),
                ("occupied_bed_days", current.occupied_bed_days, bed_days),
                ("status", current.status, status),
            ):
                if old != new:
                    changes.insert(0, f"{name}: {_show(old)} → {_show(new)}")
            action = "update" if changes else "unchanged"
        planned.append(
            PlannedRow(
                row=row.row,
                ward=ward,
                week_start=row.week_start,
                action=action,
                beds=beds,
                occupied_bed_days=bed_days,
                status=status,
                counts=to_write,
                existing=current,
                saved_counts=saved_counts,
                changes=changes,
            )
        )
    errors.sort(key=lambda e: (e.row, e.column))
    return ImportPlan(rows=planned, errors=errors, warnings=warnings)


def _show(value) -> str:
    return "blank" if value is None else str(value)
