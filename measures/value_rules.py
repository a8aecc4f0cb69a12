"""The rules of figures that are not counts (proportions, durations, scores) and of
composite measures. Part of `measures.rules`, which re-exports them (it is the one place for
a return's rules; this module is split out for length). Pure, like rules.py.

Measure.value_type says what a week's figure is (README, "Value types"). Counts stay in
`counts`; the other figures travel in `values` (code -> Proportion or Decimal; None removes
a saved one), are checked here, stored as WeeklyValue and charted by spc/specs.py.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

DAYS_IN_WEEK = 7  # as rules.DAYS_IN_WEEK
# Far beyond any ward's week (as rules.MAX_COUNT): a larger number is a typing slip.
MAX_WHOLE = 100_000

COUNT, PROPORTION, DURATION, SCORE, COMPOSITE = (
    "count", "proportion", "duration", "score", "composite"
)  # Measure.ValueType values
VALUE_TYPES = (PROPORTION, DURATION, SCORE)  # entered as a WeeklyValue
HOURS_IN_WEEK = 24 * DAYS_IN_WEEK
UNIT_PER_BED_WEEK = {"hours": HOURS_IN_WEEK, "days": DAYS_IN_WEEK}
VALUE_DECIMALS = 2  # WeeklyValue.value keeps two decimal places
# The lowest value a row can hold: a score's scale may go below 0 (durations never do).
MIN_VALUE = -100_000


@dataclass(frozen=True)
class Proportion:
    """A week's proportion: `numerator` of `denominator` (e.g. 3 restraints of 4 debriefed
    within 72 hours). None in either part: that part was left blank."""

    numerator: int | None
    denominator: int | None


def part_key(code: str, part: str) -> str:
    """The field of a proportion's numerator or denominator in `{field: message}`."""
    return f"{code}.{part}"


def number_text(value: Decimal) -> str:
    """A figure as typed: 3.5, 6, 100 (never 3.50 or 1E+2)."""
    return f"{value.normalize():f}"


def value_text(value) -> str:
    if isinstance(value, Proportion):
        return f"{value.numerator} of {value.denominator}"
    if isinstance(value, Decimal):
        return number_text(value)
    return "blank" if value is None else str(value)


def _whole_error(value, label: str) -> str:
    if isinstance(value, bool) or not isinstance(value, int):
        return f"{label}: enter a whole number, like 0 or 3 (a proportion counts people or " \
               "events)."  # fmt: skip
    if value < 0:
        return f"{label} cannot be negative."
    if value > MAX_WHOLE:
        return f"{label}: {value:,} is more than {MAX_WHOLE:,}, the most a ward can have in a week."
    return ""


def _proportion_errors(code: str, measure, value) -> dict[str, str]:
    if not isinstance(value, Proportion):
        return {code: f"{measure.name} is a proportion: give its numerator and denominator."}
    top = f"{measure.name}: the numerator ({measure.numerator_label or 'how many met it'})"
    bottom = f"{measure.name}: the denominator ({measure.denominator_label or 'how many'})"
    if value.numerator is None or value.denominator is None:
        missing = "numerator" if value.numerator is None else "denominator"
        return {part_key(code, missing): (
            f"{top if missing == 'numerator' else bottom} is blank: a proportion needs both "
            "numbers, or leave both blank if it was not measured this week."
        )}  # fmt: skip
    errors = {}
    for part, label, number in (("numerator", top, value.numerator),
                                ("denominator", bottom, value.denominator)):  # fmt: skip
        if message := _whole_error(number, label):
            errors[part_key(code, part)] = message
    if errors:
        return errors
    if value.denominator == 0:
        return {part_key(code, "denominator"): (
            f"{bottom} is 0: a proportion of nobody is not a result. Leave both blank if "
            "there was nothing to measure this week."
        )}  # fmt: skip
    if value.numerator > value.denominator:
        return {code: (
            f"{measure.name}: the numerator ({value.numerator}) cannot be more than the "
            f"denominator ({value.denominator}): each one counted in the numerator is also "
            "counted in the denominator."
        )}  # fmt: skip
    return {}


def as_decimal(value) -> Decimal | None:
    """A number as a Decimal (int, Decimal, or a finite float); None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(str(value)) if value == value and abs(value) != float("inf") else None
    if isinstance(value, Decimal) and value.is_finite():
        return value
    return None


def _decimal_error(value, label: str, example: str) -> str:
    number = as_decimal(value)
    if number is None:
        return f"{label}: enter a number, like {example}."
    if -number.as_tuple().exponent > VALUE_DECIMALS and number != round(number, VALUE_DECIMALS):
        return f"{label}: give at most {VALUE_DECIMALS} decimal places."
    return ""


def duration_limit(measure, beds: int) -> int:
    """The most a ward's week can hold: every bed all week (168 hours or 7 days a bed)."""
    return UNIT_PER_BED_WEEK[measure.duration_unit or "hours"] * beds


def _duration_errors(code: str, measure, value, beds: int | None) -> dict[str, str]:
    unit = measure.duration_unit or "hours"
    if message := _decimal_error(value, f"{measure.name} ({unit})", "12.5"):
        return {code: message}
    number = as_decimal(value)
    if number < 0:
        return {code: f"{measure.name} cannot be negative."}
    if beds is not None and number > duration_limit(measure, beds):
        per = UNIT_PER_BED_WEEK[unit]
        return {code: (
            f"{measure.name}: {number_text(number)} {unit} is more than the week holds: "
            f"{per} {unit} × {beds} beds = {per * beds:,} {unit}."
        )}  # fmt: skip
    return {}


def _score_errors(code: str, measure, value) -> dict[str, str]:
    if message := _decimal_error(value, f"{measure.name} (mean score)", "7.5"):
        return {code: message}
    number = as_decimal(value)
    low, high = measure.score_min, measure.score_max
    if low is not None and high is not None and not low <= number <= high:
        return {code: (
            f"{measure.name}: {number_text(number)} is outside the scale, which runs from "
            f"{number_text(low)} to {number_text(high)}."
        )}  # fmt: skip
    return {}


def value_errors(*, values: Mapping, measures: Mapping, beds: int | None) -> dict[str, str]:
    """Each proportion, duration or score on its own (None: blank, which is missing). `beds`
    None: not known to be valid, so the duration cap waits for it. Every error in one round,
    each naming its measure, its part and the rule."""
    errors = {}
    for code, value in values.items():
        measure = measures.get(code)
        if measure is None:
            errors[code] = f"Unknown measure code {code!r}."
        elif value is None:
            continue  # blank (or not collected): nothing to check, whatever the type
        elif measure.value_type == COMPOSITE:
            errors[code] = composite_entered_message(measure)
        elif measure.value_type not in VALUE_TYPES:
            errors[code] = f"{measure.name} is a count: enter a whole number."
        elif measure.value_type == PROPORTION:
            errors |= _proportion_errors(code, measure, value)
        elif measure.value_type == DURATION:
            errors |= _duration_errors(code, measure, value, beds)
        else:
            errors |= _score_errors(code, measure, value)
    return errors


def value_type(measure) -> str:
    """A measure's value type (a count unless it says otherwise)."""
    return getattr(measure, "value_type", COUNT) or COUNT


def count_type_errors(*, counts: Mapping, measures: Mapping) -> dict[str, str]:
    """A count given for a measure that is not entered as a count (a composite is worked out;
    a proportion, duration or score has its own figure)."""
    errors = {}
    for code, count in counts.items():
        measure = measures.get(code)
        kind = value_type(measure)
        if measure is None or kind == COUNT or count is None:
            continue
        errors[code] = composite_entered_message(measure) if kind == COMPOSITE \
            else f"{measure.name} is a {kind}, not a count: give its " + (
                "numerator and denominator." if kind == PROPORTION else "value."
            )  # fmt: skip
    return errors


def composite_entered_message(measure) -> str:
    return (f"{measure.name} is worked out from its parts (the sum of their counts): it is "
            "never entered. Enter the parts instead.")  # fmt: skip


def _ancestors(measure) -> list:
    found, node = [], measure.parent
    while node is not None and node not in found:
        found.append(node)
        node = node.parent
    return found


def composite_errors(composite, parts: Sequence) -> dict[str, str]:
    """A composite adds counts, each once: every part is a count measure (not a composite,
    not the composite itself), and no part is a sub-measure (or parent) of another part, which
    would count the same incident twice (prone restraint is also a physical restraint)."""
    errors = {}
    if composite.value_type != COMPOSITE:
        errors["value_type"] = f"{composite.name} is a {composite.value_type}: only a " \
            "composite measure has parts."  # fmt: skip
    for part in parts:
        if part == composite:
            errors["parts"] = f"{composite.name} cannot be one of its own parts."
        elif part.value_type != COUNT:
            errors["parts"] = (f"{part.name} is a {part.value_type}, not a count: a composite "
                               "adds counts only.")  # fmt: skip
    for part in parts:
        for other in parts:
            if other is not part and other in _ancestors(part):
                errors["parts"] = (
                    f"{part.name} and {other.name.lower()} overlap: every {part.name.lower()} "
                    f"is also counted as {other.name.lower()}, so the total would count it "
                    f"twice. Keep {other.name.lower()} (it already includes "
                    f"{part.name.lower()}) and remove {part.name.lower()}."
                )
    return errors


def composite_value(parts: Sequence[str], counts: Mapping[str, int | None]) -> int | None:
    """A composite's week: the sum of its parts' counts, missing (None) if any part is."""
    values = [counts.get(code) for code in parts]
    return None if not values or any(v is None for v in values) else sum(values)


def measure_definition_errors(measure) -> dict[str, str]:
    """The catalogue entry itself: each value type with what it needs, and no more."""
    errors = {}
    kind = measure.value_type
    if kind == DURATION and measure.duration_unit not in UNIT_PER_BED_WEEK:
        errors["duration_unit"] = "A duration measure needs its unit: hours or days."
    if kind != DURATION and measure.duration_unit:
        errors["duration_unit"] = "Only a duration measure has a unit of time."
    if kind == SCORE and (measure.score_min is None or measure.score_max is None
                          or measure.score_min >= measure.score_max):  # fmt: skip
        errors["score_max"] = "A score measure needs a lowest score below its highest score."
    if kind != COUNT and measure.parent_id is not None:
        errors["parent"] = "Only a count can be a sub-measure of another count."
    return errors


def merged_values(saved, values: Mapping) -> dict:
    """The figures a return will hold (`saved`: a rules.SavedReturn or None): the saved
    ones, with these codes set (None removes)."""
    merged = dict(saved.values) if saved else {}
    merged.update(values)
    return {code: value for code, value in merged.items() if value is not None}


def values_change(saved, values: Mapping) -> bool:
    saved_values = saved.values if saved else {}
    return any(saved_values.get(code) != value for code, value in values.items())
