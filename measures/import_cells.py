"""The cells of an imported file as typed values: text, dates, whole numbers. Shared by the
readers of ward-week rows and of incident rows (`importing.py`)."""

import datetime
import re

from mhsip.text import spreadsheet_safe

# Excel counts days from 30 December 1899 (its serial 60 is the non-existent 29 Feb 1900).
EXCEL_EPOCH = datetime.date(1899, 12, 30)
EXCEL_SERIALS = range(20_000, 80_000)  # 1954 to 2119: a bare number here is an Excel date


def normalise_header(value) -> str:
    text = "" if value is None else str(value)
    return re.sub(r"[^0-9a-z]+", "_", text.strip().lstrip("\ufeff").casefold()).strip("_")


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    # The export writes '=..., ' =..., '＝... so Excel does not run them as formulas: undo that.
    if text.startswith("'") and spreadsheet_safe(text[1:]) != text[1:]:
        text = text[1:].strip()
    return text


def parse_date(value) -> datetime.date:
    """A day from a cell: an Excel date or serial, YYYY-MM-DD or DD/MM/YYYY. A time of day
    after it (as incident systems and spreadsheets write it) is dropped: only the day is kept.
    Raises ValueError (or OverflowError)."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value == int(value) and int(value) in EXCEL_SERIALS:
            return EXCEL_EPOCH + datetime.timedelta(days=int(value))
        raise ValueError
    text = cell_text(value)
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


def date_error(raw) -> str:
    return (
        f"{cell_text(raw)!r} is not a date: use YYYY-MM-DD (2024-01-01) or DD/MM/YYYY "
        "(01/01/2024)."
    )


def parse_number(value, *, label: str) -> int | None:
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
