"""Proportions, durations and scores in imported files, the bulk API and exports: their
columns, cells, JSON form, changes and writes. Counts keep their own path (importing.py,
import_plan.py, import_commit.py); this module is called from there.

Columns (README, "Value types"): a duration or score is one column named by its code (a
number, up to two decimal places); a proportion is two, `<code>_numerator` and
`<code>_denominator` (whole numbers), both in the file or neither. A composite has no column:
it is worked out from its parts. Blank cells are missing, never zero."""

import re
from decimal import Decimal

from mhsip.bulk import (
    HistoryStamp,
    delete_rows_with_history,
    insert_rows_with_history,
    update_rows_with_history,
)

from . import rules
from .import_cells import cell_text, parse_number
from .import_rows import RowError
from .models import Measure, WeeklyValue

PARTS = ("numerator", "denominator")
NUMBER = re.compile(r"-?\d{1,12}(\.\d+)?")


def value_columns(measure) -> list[str]:
    """The file columns of one measure (a count's is its code; a composite has none)."""
    kind = rules.value_type(measure)
    if kind == rules.COMPOSITE:
        return []
    if kind == rules.PROPORTION:
        return [f"{measure.code}_{part}" for part in PARTS]
    return [measure.code]


def template_columns() -> list[str]:
    """The import template's header: the ward and week columns, then each active measure's."""
    from .importing import FIXED_COLUMNS  # noqa: PLC0415  importing imports this module

    # National measures only: one trust's local measures are no other trust's business.
    measures = Measure.objects.filter(is_active=True, local__isnull=True).order_by("display_order")
    return FIXED_COLUMNS + [c for m in measures for c in value_columns(m)]


def known_columns(measures) -> dict[str, str]:
    """Every measure column a file may have -> its measure code."""
    return {column: m.code for m in measures.values() for column in value_columns(m)}


def header_problems(header: list[str], measures) -> list[str]:
    """What is wrong with the measure columns of a header: a composite's column, or half of
    a proportion's two."""
    problems = []
    seen = set(header)
    for measure in measures.values():
        kind = rules.value_type(measure)
        if kind == rules.COMPOSITE and measure.code in seen:
            problems.append(f"{measure.code!r} is worked out from its parts (the sum of their "
                            "counts), so it is never imported: remove the column.")  # fmt: skip
        if kind == rules.PROPORTION:
            columns = value_columns(measure)
            have = [c for c in columns if c in seen]
            if len(have) == 1:
                other = columns[1 - columns.index(have[0])]
                problems.append(f"{have[0]!r} needs {other!r} beside it: a proportion is "
                                "imported as its numerator and denominator.")  # fmt: skip
    return problems


def value_codes(header: list[str], measures) -> list[str]:
    """The proportion, duration and score measures whose columns the header has."""
    seen = set(header)
    return [m.code for m in measures.values() if rules.value_type(m) in rules.VALUE_TYPES
            and value_columns(m)[0] in seen]  # fmt: skip


def parse_decimal(value, *, label: str) -> Decimal | None:
    """A number (two decimal places at most is a rule) or None (blank). Raises ValueError."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"{label}: enter a number, like 12.5, not {value!r}.")
    if isinstance(value, int | float):
        number = rules.as_decimal(value)
        if number is None:
            raise ValueError(f"{label}: enter a number, like 12.5.")
        return number
    text = cell_text(value).replace(",", ".")
    if text == "":
        return None
    if not NUMBER.fullmatch(text):
        raise ValueError(f"{label}: enter a number, like 12.5, not {text!r}.")
    return Decimal(text)


def read_values(row: int, cell, codes: list[str], measures,
                errors: list[RowError]) -> tuple[dict, list[str]]:  # fmt: skip
    """code -> Proportion or Decimal (None: blank) of one row, and the codes not collected
    (rules.NOT_COLLECTED in the cell, or in either of a proportion's); `cell(name)` reads a
    cell. A cell that is not a number is a row error and its measure is left out; the rules
    of each figure (rules.value_errors) come with the return's other rules, in the plan."""
    values, not_collected = {}, []
    for code in codes:
        measure = measures[code]
        if rules.NOT_COLLECTED in {cell_text(cell(c)).upper() for c in value_columns(measure)}:
            values[code] = None  # no figure: any saved one goes
            not_collected.append(code)
            continue
        try:
            if measure.value_type == rules.PROPORTION:
                top, bottom = (parse_number(cell(f"{code}_{part}"), label=f"{code}_{part}")
                               for part in PARTS)  # fmt: skip
                values[code] = None if top is None and bottom is None \
                    else rules.Proportion(top, bottom)  # fmt: skip
            else:
                values[code] = parse_decimal(cell(code), label=code)
        except ValueError as error:
            column = code if measure.value_type != rules.PROPORTION else \
                str(error).split(":")[0]  # fmt: skip
            errors.append(RowError(row, column, str(error)))
    return values, not_collected


def column_of(key: str, measures) -> str:
    """The file column of a rule's key (`code`, `code.numerator`, `code.denominator`)."""
    code, _, part = key.partition(".")
    measure = measures.get(code)
    if part:
        return f"{code}_{part}"
    if measure is not None and rules.value_type(measure) == rules.PROPORTION:
        return f"{code}_numerator"
    return code


def saved_values(return_ids) -> dict[int, dict[str, tuple[int, object]]]:
    """return id -> code -> (WeeklyValue id, typed value), one query."""
    saved = {}
    rows = WeeklyValue.objects.filter(weekly_return_id__in=return_ids).select_related("measure")
    for row in rows.iterator(chunk_size=10_000):
        saved.setdefault(row.weekly_return_id, {})[row.measure.code] = (row.pk, row.typed)
    return saved


def value_changes(values: dict, saved: dict) -> tuple[dict, list[str]]:
    """The figures that change (None removes one) and a line for each."""
    to_write, changes = {}, []
    for code, value in values.items():
        old = saved[code][1] if code in saved else None
        if value != old:
            to_write[code] = value
            changes.append(f"{code}: {rules.value_text(old)} → {rules.value_text(value)}")
    return to_write, changes


FIELDS = ["weekly_return", "measure", "numerator", "denominator", "value"]


def _columns(value) -> tuple:
    if isinstance(value, rules.Proportion):
        return value.numerator, value.denominator, None
    return None, None, rules.as_decimal(value)


def write_values(pairs, measure_ids: dict[str, int], stamp: HistoryStamp) -> None:
    """Write the planned figures of (planned row, its return) pairs, with history rows."""
    new, changed, removed = [], [], []
    for row, weekly_return in pairs:
        for code, value in row.values.items():
            saved = row.saved_values.get(code)
            if saved is None:
                if value is not None:
                    new.append((weekly_return.pk, measure_ids[code], *_columns(value)))
            elif value is None:
                removed.append(saved[0])
            else:
                numerator, denominator, number = _columns(value)
                changed.append(WeeklyValue(id=saved[0], numerator=numerator,
                                           denominator=denominator, value=number))  # fmt: skip
    delete_rows_with_history(WeeklyValue, "id", removed, stamp=stamp)
    update_rows_with_history(WeeklyValue, FIELDS[2:], changed, stamp=stamp)
    insert_rows_with_history(WeeklyValue, FIELDS, new, stamp=stamp)


def export_cells(values: dict, measure) -> list:
    """A measure's cells in an exported row (blank: missing)."""
    value = values.get(measure.code)
    if value == rules.NOT_COLLECTED:
        return [value] * len(value_columns(measure))
    if rules.value_type(measure) == rules.PROPORTION:
        return [None, None] if value is None else [value.numerator, value.denominator]
    return [None if value is None else rules.number_text(value)]
