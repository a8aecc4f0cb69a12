"""A Plotly figure as compact JSON for the page: a ward dashboard carries 13 charts of up to
300 weekly points, and most of each chart's bytes repeat (the same week list for the series,
centre line and limits; "Common cause" and one colour on most points; a limit constant for
months). Arrays are encoded as small objects that static/js/charts.js expands back into the
same figure before plotly.js draws it:

- {"$d": [first, step_days, n]}: ISO dates `step_days` apart (weekly x values);
- {"$r": i}: the same array as the i-th array encoded before it in this figure;
- {"$k": [values], "$i": [indexes]}: few distinct values (hover texts, marker colours);
- {"$l": [[value, times], ...]}: long runs of one value (centre and limit lines).

Each is used only where it is shorter. User text stays plain strings inside (escaped by
spc.figures.plain before it gets here). The page's HTML shrank from 415 kB to under 150 kB on
the demo ward (BENCHMARKS.md, "Page weight")."""

import datetime
import json

from django.utils.safestring import SafeString, mark_safe

# As django.utils.html.json_script: the JSON cannot close its <script> element.
_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}
MIN_LENGTH = 8  # shorter arrays are left alone: nothing to gain


def _size(value) -> int:
    return len(json.dumps(value, separators=(",", ":")))


def _dates(values: list):
    if not all(isinstance(v, str) and len(v) == 10 for v in values):
        return None
    try:
        days = [datetime.date.fromisoformat(v) for v in values]
    except ValueError:
        return None
    step = (days[1] - days[0]).days
    if step <= 0 or any((b - a).days != step for a, b in zip(days, days[1:], strict=False)):
        return None
    return {"$d": [values[0], step, len(values)]}


def _keyed(values: list):
    if any(isinstance(v, (list, dict)) for v in values):
        return None
    keys = list(dict.fromkeys(values))
    if len(keys) * 4 > len(values):
        return None
    index = {k: i for i, k in enumerate(keys)}
    return {"$k": keys, "$i": [index[v] for v in values]}


def _runs(values: list):
    if any(isinstance(v, (list, dict)) for v in values):
        return None
    runs = []
    for v in values:
        if runs and runs[-1][0] == v and type(runs[-1][0]) is type(v):
            runs[-1][1] += 1
        else:
            runs.append([v, 1])
    return {"$l": runs} if len(runs) * 4 <= len(values) else None


class _Encoder:
    def __init__(self):
        self.seen: dict[str, int] = {}  # an array's JSON -> its order among encoded arrays

    def array(self, values: list):
        # Compared as JSON: in Python True == 1 and 1 == 1.0, which would not round-trip.
        key = json.dumps(values)
        if key in self.seen:
            return {"$r": self.seen[key]}
        self.seen[key] = len(self.seen)
        options = [values] + [c for c in (_dates(values), _runs(values), _keyed(values)) if c]
        return min(options, key=_size)

    def value(self, value):
        if isinstance(value, dict):
            return {k: self.value(v) for k, v in value.items()}
        if isinstance(value, list):
            if len(value) >= MIN_LENGTH and not any(isinstance(v, (list, dict)) for v in value):
                return self.array(value)
            return [self.value(v) for v in value]
        return value


def compact_figure(figure: dict) -> dict:
    """The figure with its long arrays encoded (above); charts.js `expand` undoes it."""
    return _Encoder().value(figure)


def figure_json(figure: dict | None) -> SafeString:
    """The compact figure as the text of a <script type="application/json"> element."""
    text = json.dumps(compact_figure(figure), separators=(",", ":"), ensure_ascii=False)
    return mark_safe(text.translate(_ESCAPES))  # noqa: S308 - escaped as json_script does
