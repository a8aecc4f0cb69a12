"""Compact chart JSON: every encoding expands back to the figure drawn (the expansion here
mirrors static/js/charts.js `expand`, which the browser tests exercise for real)."""

import datetime
import json

from spc.compact import MIN_LENGTH, compact_figure, figure_json


def expand(value, seen):
    if isinstance(value, list):
        if len(value) >= MIN_LENGTH and not any(isinstance(v, (list, dict)) for v in value):
            seen.append(value)
            return value
        return [expand(v, seen) for v in value]
    if not isinstance(value, dict):
        return value
    if "$r" in value:
        return list(seen[value["$r"]])
    array = None
    if "$d" in value:
        first, step, n = value["$d"]
        start = datetime.date.fromisoformat(first)
        array = [(start + datetime.timedelta(days=step * i)).isoformat() for i in range(n)]
    elif "$k" in value:
        array = [value["$k"][i] for i in value["$i"]]
    elif "$l" in value:
        array = [v for v, times in value["$l"] for _ in range(times)]
    if array is not None:
        seen.append(array)
        return list(array)
    return {k: expand(v, seen) for k, v in value.items()}


WEEKS = [(datetime.date(2024, 1, 1) + datetime.timedelta(weeks=i)).isoformat() for i in range(40)]
FIGURE = {
    "data": [
        {"x": WEEKS, "y": [float(i % 7) for i in range(40)],
         "text": ["Special cause improvement: a shift" if i % 5 == 4 else "Common cause"
                  for i in range(40)],
         "marker": {"color": ["#a6a6a6"] * 39 + ["#00b0f0"]},
         "customdata": [[i, 80] for i in range(40)]},
        {"x": WEEKS, "y": [4.5] * 20 + [None] + [3.0] * 19},
        {"x": ["2024-01-01", "2024-02-01", "2024-03-01"] + WEEKS[3:8], "y": [True] * 8},
        {"x": WEEKS[:5], "y": [1, 1.0, 1, 1, 1]},
    ],
    "layout": {"title": {"text": "Oak &lt;b&gt; Ward"}, "shapes": []},
}  # fmt: skip


def test_it_expands_back_to_the_same_figure():
    compact = compact_figure(FIGURE)
    assert expand(json.loads(json.dumps(compact)), []) == FIGURE


def test_it_shortens_what_repeats():
    compact = compact_figure(FIGURE)
    series, centre = compact["data"][0], compact["data"][1]
    assert series["x"] == {"$d": ["2024-01-01", 7, 40]}
    assert centre["x"] == {"$r": 0}  # the same weeks as the series
    assert series["text"]["$k"] == ["Common cause", "Special cause improvement: a shift"]
    assert centre["y"] == {"$l": [[4.5, 20], [None, 1], [3.0, 19]]}
    assert compact["data"][2]["y"] != {"$r": 1}  # True is not 1 in JSON
    assert len(json.dumps(compact)) < len(json.dumps(FIGURE)) / 2


def test_it_leaves_short_and_irregular_arrays_alone():
    compact = compact_figure(FIGURE)
    assert compact["data"][3] == FIGURE["data"][3]
    assert compact["data"][2]["x"] == FIGURE["data"][2]["x"]


def test_its_text_cannot_close_the_script_element():
    text = figure_json({"layout": {"title": {"text": "</script><script>alert(1)</script>"}}})
    assert "</script>" not in text and "\\u003C/script\\u003E" in text
    assert json.loads(text)["layout"]["title"]["text"].startswith("</script>")
