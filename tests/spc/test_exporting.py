import io
from types import SimpleNamespace

from openpyxl import load_workbook

from spc.exporting import matrix_xlsx


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
