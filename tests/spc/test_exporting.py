import csv
import io
from types import SimpleNamespace

from openpyxl import load_workbook

from spc.exporting import chart_csv, matrix_xlsx


def test_the_matrix_workbook_shows_the_icons_names_not_their_codes():
    trust = SimpleNamespace(name="Moorside", ods_code="RX4")
    measure = SimpleNamespace(name="Seclusion")
    cell = SimpleNamespace(recent_value=1.23456, percent_change=-12.34,
                           variation_icon="concern_high", assurance_icon="hit_and_miss")
    stream = io.BytesIO()
    matrix_xlsx(stream, trust, [measure], [SimpleNamespace(label="Oak Ward", cells=[cell])])
    row = [c.value for c in load_workbook(io.BytesIO(stream.getvalue())).active[3]]
    assert row == ["Oak Ward", 1.235, -12.3, "Special cause concern (high)",
                   "Target hit and miss"]


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


def test_the_chart_csv_names_a_p_charts_numerator_and_denominator_as_such():
    def header(chart):
        stream = io.StringIO()
        view = _view("%")
        view.summary.chart = chart
        chart_csv(stream, view)
        return next(csv.reader(io.StringIO(stream.getvalue())))[2:4]

    assert header("p") == ["numerator", "denominator"]
    assert header("u") == ["count", "occupied_bed_days"]
    assert header("g") == ["gap", "occupied_bed_days"]
