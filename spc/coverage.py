"""How many enrolled wards an aggregate chart (trust, region, nation) sums each week, and where
the mix of enrolled wards changed enough to move the chart by itself. Pure: arrays in, plain
values out (spc/inputs.py reads the enrolments).

A trust's rate can step because wards joined or left, not because care changed: a chart marks
the week the wards that joined or left since the last mark exceed a share (the setting
MHSIP_COVERAGE_CHANGE_PERCENT, 20%) of the wards contributing at that mark.
"""

import datetime

import numpy as np


def enrolled_counts(weeks, spans) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per week: wards enrolled and open, wards that joined that week, wards that left
    (closed) after the week before. `spans`: (first week, last week or None) per ward."""
    n = len(weeks)
    joins, leaves = np.zeros(n + 1, dtype=int), np.zeros(n + 1, dtype=int)
    axis = np.array(weeks, dtype="datetime64[D]")
    for first, last in spans:
        start = int(np.searchsorted(axis, np.datetime64(first), side="left"))
        end = n if last is None else int(np.searchsorted(axis, np.datetime64(last), side="right"))
        if start < end:
            joins[start] += 1
            leaves[end] += 1
    enrolled = np.cumsum(joins[:n] - leaves[:n])
    return enrolled, joins[:n], leaves[:n]


def mix_changes(weeks, enrolled, contributors, joins, leaves, percent: int) -> list[dict]:
    """The weeks where the wards that joined or left since the last mark (or the chart's first
    week) exceed `percent`% of the wards contributing at that mark (of those enrolled where
    none contributed): [{"date", "joined", "left"}]."""
    marks = []
    if not len(weeks):
        return marks
    joined = left = 0
    reference = int(contributors[0]) or int(enrolled[0])
    for i in range(1, len(weeks)):
        joined, left = joined + int(joins[i]), left + int(leaves[i])
        if reference and (joined + left) * 100 > percent * reference:
            day = weeks[i]
            marks.append({"date": day.isoformat() if isinstance(day, datetime.date) else str(day),
                          "joined": joined, "left": left})  # fmt: skip
            joined = left = 0
            reference = int(contributors[i]) or int(enrolled[i])
        elif not reference:
            reference = int(contributors[i]) or int(enrolled[i])
            joined = left = 0
    return marks
