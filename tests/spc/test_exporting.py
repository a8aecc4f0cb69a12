import csv
import io
from types import SimpleNamespace

from spc.exporting import chart_csv


def _view(unit):
    summary = SimpleNamespace(period="week", unit=unit, chart="u")
    return SimpleNamespace(
        summary=summary, dates=["2024-01-01"], count=[3], bed_days=[80], value=[37.5],
        centre=[30.0], lower=[0.0], upper=[60.0], phase=[0], baseline=[True],
        classification=["common_cause"], rules=[[]],
    )  # fmt: skip


def test_it_makes_every_text_cell_of_the_chart_csv_formula_safe():
    stream = io.StringIO()
    chart_csv(stream, _view(" =HYPERLINK(\"http://evil.example\")"))
    row = list(csv.reader(io.StringIO(stream.getvalue())))[1]
    assert row[12] == "' =HYPERLINK(\"http://evil.example\")"
    assert row[:3] == ["2024-01-01", "week", "3"]  # numbers and dates unchanged
