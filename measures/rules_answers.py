"""Every measure answered. A submitted return answers every measure the ward reports: a count, 0
("none this week") or "not collected this week" (kept as missing, never as 0). A blank is no
answer: a return of bed days and blanks is not complete. Files write "not collected" as
NOT_COLLECTED in the measure's cell; the API as the list `not_collected`.
Pure, like every rule; re-exported by rules.py, where the rules of a return are found."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .rules import SavedReturn

NOT_COLLECTED = "NC"
NOT_COLLECTED_LABEL = "not collected"


def merged_not_collected(saved: SavedReturn | None, counts: Mapping[str, int | None],
                         not_collected: Collection[str] | None) -> frozenset[str]:  # fmt: skip
    """The codes the return will hold as not collected: the saved ones, except codes written
    now (`counts`), which are not collected only when named in `not_collected`."""
    merged = set(saved.not_collected) if saved else set()
    merged -= set(counts)
    merged |= set(not_collected or ())
    return frozenset(merged)


def answer_errors(*, status: str, counts: Mapping[str, int], not_collected: Collection[str],
                  required: Collection[str], measures: Mapping) -> dict:  # fmt: skip
    """Each measure is a count or not collected, never both; a submitted return answers every
    `required` code (the ward's measures). `counts`: every count the return will hold."""
    errors = {}
    for code in not_collected:
        if code not in measures:
            errors[code] = f"Unknown measure code {code!r}."
        elif counts.get(code) is not None:
            name = measures[code].name
            errors[code] = (
                f"{name}: a count of {counts[code]} and 'not collected this week': give one."
            )
    if status != "submitted":  # rules.SUBMITTED
        return errors
    for code in required:
        if code not in counts and code not in not_collected and code in measures:
            errors[code] = (
                f"{measures[code].name} has no answer: enter the count (0, or 'None this "
                "week', if there were none) or 'Not collected this week'. A submitted return "
                "answers every measure."
            )
    return errors
