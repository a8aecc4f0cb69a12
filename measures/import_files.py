"""Reading an uploaded file of aggregate figures: CSV (UTF-8, UTF-16 or Windows-1252) or
.xlsx, with guards against files no spreadsheet of returns could be (too many rows or
columns, an .xls, a zip bomb named .xlsx). Its rows go to the importer (importing.py) and to
the other importers of aggregate files (equity breakdowns) as plain cell values."""

import codecs
import csv
import io

import openpyxl

from .models import Measure

MAX_ROWS = 50_000
MAX_BYTES = 20 * 1024 * 1024

WARD_COLUMNS = ["trust_ods", "ward_name", "ward_code"]
RETURN_COLUMNS = ["week_start", "beds", "occupied_bed_days", "status"]
FIXED_COLUMNS = WARD_COLUMNS + RETURN_COLUMNS
INCIDENT_COLUMNS = [*WARD_COLUMNS, "measure", "incident_date"]

# Blank rows (the header, a few trailing ones) and columns a spreadsheet may carry past the data.
SPARE_ROWS = 100
SPARE_COLUMNS = 10
XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"
SHEETS = ("returns", "incidents")


class FileRefused(Exception):
    """The whole file cannot be read; the message says why and what to do."""


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


def _xlsx_tables(content: bytes) -> list[tuple[str, object]]:
    # A damaged workbook makes openpyxl raise almost anything (zip, XML, key, type errors),
    # on opening or later while reading rows: each is the same clear refusal, never a 500.
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        names = [name for name in SHEETS if name in workbook.sheetnames]
        sheets = [workbook[name] for name in names] or [workbook.worksheets[0]]
        sizes = [(sheet.max_row, sheet.max_column) for sheet in sheets]
    except Exception:
        raise FileRefused(XLSX_UNREADABLE) from None
    # A sheet can declare any size (a 1.6 KB file may claim A1:XFD1048576, and reading it
    # would yield a billion empty cells): refuse one beyond the format's bounds at once, and
    # never read past them. (A proportion has two columns.)
    most_columns = len(FIXED_COLUMNS) + 2 * Measure.objects.count() + SPARE_COLUMNS
    for rows, columns in sizes:
        if (rows or 0) > MAX_ROWS + SPARE_ROWS or (columns or 0) > most_columns:
            raise FileRefused(
                f"The sheet says it has {rows or 0:,} rows and {columns or 0:,} columns; a file "
                f"of returns has at most {MAX_ROWS:,} rows and {most_columns} columns. Delete "
                "the empty rows and columns after the data (or save the sheet as CSV UTF-8) and "
                "upload it again."
            )
    # Sheets are named in row errors only when two are read.
    labels = names if len(sheets) > 1 else [""]
    return [
        (label, _xlsx_guarded(sheet.iter_rows(values_only=True, max_row=MAX_ROWS + SPARE_ROWS,
                                              max_col=most_columns)))  # fmt: skip
        for label, sheet in zip(labels, sheets, strict=True)
    ]


XLSX_UNREADABLE = (
    "The file could not be read as an Excel workbook (.xlsx). Save it again from Excel "
    "as an Excel Workbook or as CSV UTF-8."
)
EMPTY = "The file is empty. Download the template and add one row per week (or per incident)."


def _xlsx_guarded(rows):
    try:
        yield from rows
    except Exception:
        raise FileRefused(XLSX_UNREADABLE) from None


def read_tables(content: bytes, filename: str) -> list[tuple[str, object]]:
    """(sheet label, rows of cell values) of a CSV or .xlsx file, with the guards above;
    the returns importer and the other importers of aggregate files read through it."""
    if not content.strip():
        raise FileRefused(EMPTY)
    if content.startswith(XLS_MAGIC):
        raise FileRefused(
            "This is an old Excel 97-2003 (.xls) file. Save it as an Excel Workbook (.xlsx) or "
            "as CSV UTF-8 and upload that."
        )
    if content.startswith(XLSX_MAGIC):
        return _xlsx_tables(content)
    if filename.lower().endswith((".xlsx", ".xlsm")):
        raise FileRefused("The file is named .xlsx but is not an Excel workbook.")
    return [("", _csv_rows(content))]
