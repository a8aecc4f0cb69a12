"""The rules of a programme's target on one measure, and what a target asks for on a date.

Pure: no database, no Django models. The admin's programme page (through the model's
`clean()`), the catalogue sync and the chart pipeline (spc) all read these, so a target
means the same everywhere. `measures.rules` re-exports `target_errors`.

A target is one of: none (a direction only), reduce by r% of the baseline, increase by r% of
the baseline, a fixed value (in the chart's unit), or a stepped trajectory of (date, value)
steps: from each step's date its value is the target, until the next step.
"""

import datetime
import re
from collections.abc import Sequence

from django.utils import dateformat

DECREASE, INCREASE, REPORTING = "decrease", "increase", "reporting"
DIRECTIONS = (DECREASE, INCREASE, REPORTING)
NONE, REDUCE, RAISE, VALUE, TRAJECTORY = "none", "reduce", "increase", "value", "trajectory"
KINDS = (NONE, REDUCE, RAISE, VALUE, TRAJECTORY)
# A reduction cannot take more than everything; an increase of 10 times is already beyond any
# programme's aim and a slip of the keyboard above it.
MAX_REDUCE_PERCENT = 100
MAX_INCREASE_PERCENT = 1000
MAX_STEPS = 60
# The engine's direction for each: a reporting measure has no good direction (spc "neutral").
ENGINE_DIRECTION = {DECREASE: "decrease", INCREASE: "increase", REPORTING: "neutral"}
# A measure's own direction (Measure.improvement, the engine's words) as a target's.
DIRECTION_OF_IMPROVEMENT = {engine: direction for direction, engine in ENGINE_DIRECTION.items()}
# What a target of each kind pulls the measure towards, to compare with the direction.
KIND_DIRECTION = {REDUCE: DECREASE, RAISE: INCREASE}

STEP_LINE = re.compile(r"\s*(\d{4}-\d{2}-\d{2})\s*[,;\s]\s*(-?\d+(?:\.\d+)?)\s*")
AGAINST_DIRECTION_MESSAGE = (
    "An {kind} target on a measure where {better} is an improvement works against the "
    "measure's direction: tick 'Confirm a target against the direction' if that is intended."
)


def _day(value: datetime.date) -> str:
    return dateformat.format(value, "j M Y")


def parse_steps(text: str) -> tuple[list[tuple[datetime.date, float]], list[str]]:
    """A trajectory typed one step a line, "2024-01-01 3.5" (or "2024-01-01, 3.5"), as
    (date, value) pairs in the order typed; and a message for each line that is not one."""
    steps, errors = [], []
    lines = [line for line in (text or "").replace("\x00", "").splitlines() if line.strip()]
    for number, line in enumerate(lines, start=1):
        match = STEP_LINE.fullmatch(line)
        day = None
        if match:
            try:
                day = datetime.date.fromisoformat(match.group(1))
            except ValueError:
                day = None
        if day is None:
            errors.append(f"Step {number} ('{line.strip()[:40]}') is not a date and a value, "
                          "like 2024-01-01 3.5")  # fmt: skip
            continue
        steps.append((day, float(match.group(2))))
    return steps, errors


def steps_text(steps: Sequence) -> str:
    """Stored steps ([iso, value] pairs) as the lines `parse_steps` reads."""
    return "\n".join(f"{day} {value:g}" for day, value in steps)


def steps_from_json(raw) -> tuple[list[tuple[datetime.date, float]], list[str]]:
    """Stored steps ([["2024-01-01", 3.5], ...]) as typed pairs, and what is malformed."""
    steps, errors = [], []
    for number, item in enumerate(raw or [], start=1):
        try:
            day, value = item
            steps.append((datetime.date.fromisoformat(str(day)), float(value)))
        except (TypeError, ValueError):
            errors.append(f"Step {number} is not a date and a value, like 2024-01-01 3.5")
    return steps, errors


def steps_errors(steps: Sequence[tuple[datetime.date, float]], deadline) -> list[str]:
    """A trajectory: at least one step, at most MAX_STEPS, each value not negative, dates
    strictly in order (a date twice is refused, never one of them silently kept), none after
    the deadline (the last step is what is due by then)."""
    if not steps:
        return ["A trajectory needs at least one step: a date and the value from that date."]
    if len(steps) > MAX_STEPS:
        return [f"A trajectory has at most {MAX_STEPS} steps; this one has {len(steps)}."]
    errors = []
    for number, (day, value) in enumerate(steps, start=1):
        if value < 0:
            errors.append(f"Step {number} ({_day(day)}): a target value cannot be negative.")
        if number > 1:
            before = steps[number - 2][0]
            if day == before:
                errors.append(f"Step {number} repeats the date {_day(day)}: each step needs a "
                              "date of its own.")  # fmt: skip
            elif day < before:
                errors.append(f"Step {number} ({_day(day)}) is before step {number - 1} "
                              f"({_day(before)}): steps must be in date order.")  # fmt: skip
        if deadline and day > deadline:
            errors.append(f"Step {number} ({_day(day)}) is after the deadline "
                          f"({_day(deadline)}): the last step is what is due by then.")  # fmt: skip
    return errors


def _amount_errors(kind: str, percent, value) -> dict[str, str]:
    """The percentage of a reduce / increase target, the value of a fixed one; neither
    given where it means nothing (a stray number would be silently ignored otherwise)."""
    errors = {}
    if kind in (REDUCE, RAISE):
        top = MAX_REDUCE_PERCENT if kind == REDUCE else MAX_INCREASE_PERCENT
        if percent is None:
            errors["percent"] = f"A target to {kind} by a percentage needs the percentage."
        elif not 1 <= percent <= top:
            errors["percent"] = f"A {kind} target's percentage is between 1 and {top}."
    elif percent is not None:
        errors["percent"] = "A percentage belongs only to a reduce or increase target."
    if kind == VALUE:
        if value is None:
            errors["value"] = "A fixed-value target needs the value."
        elif value < 0:
            errors["value"] = "A target value cannot be negative."
    elif value is not None:
        errors["value"] = "A value belongs only to a fixed-value target."
    return errors


def _direction_error(direction: str, kind: str, confirmed: bool) -> str:
    if direction == REPORTING and kind != NONE:
        return ("A reporting measure has no good direction (more reports can mean better "
                "reporting), so it has no target: choose 'No numeric target'.")  # fmt: skip
    if KIND_DIRECTION.get(kind, direction) != direction and not confirmed:
        better = "a decrease" if direction == DECREASE else "an increase"
        return AGAINST_DIRECTION_MESSAGE.format(kind=kind, better=better)
    return ""


def target_errors(*, direction: str, kind: str, percent, value, steps, deadline,
                  confirmed: bool) -> dict[str, str]:  # fmt: skip
    """Every rule of one target, `{field: message}` (fields as on `ProgrammeTarget`:
    direction, kind, percent, value, steps, deadline). `steps` are typed (date, value) pairs.
    A target that pulls against the direction (a +r% target on a decrease measure) is refused
    unless `confirmed`; a reporting measure has no good direction, so it has no target."""
    errors = {}
    if direction not in DIRECTIONS:
        errors["direction"] = f"Direction must be one of {', '.join(DIRECTIONS)}."
    if kind not in KINDS:
        errors["kind"] = f"Target must be one of {', '.join(KINDS)}."
        return errors
    if deadline is None:
        errors["deadline"] = "A target needs a deadline."
    errors |= _amount_errors(kind, percent, value)
    if kind == TRAJECTORY:
        problems = steps_errors(steps or [], deadline)
        if problems:
            errors["steps"] = " ".join(problems)
    elif steps:
        errors["steps"] = "Steps belong only to a trajectory target."
    if message := _direction_error(direction, kind, confirmed):
        errors["kind"] = message
    return errors


def step_value_on(steps: Sequence[tuple[datetime.date, float]], day: datetime.date):
    """The trajectory's value on `day`: the latest step dated on or before it; None before the
    first step (nothing is due yet)."""
    current = None
    for start, value in steps:
        if start > day:
            break
        current = value
    return current
