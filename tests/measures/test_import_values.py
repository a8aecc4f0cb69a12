"""Proportions, durations and scores through file import and export (measures/import_values.py
with importing, import_plan, import_commit and exporting): a round trip per type, and every
bad cell and column."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from measures.exporting import returns_export_rows, template_columns
from measures.import_plan import returns_import_plan
from measures.importing import FileRefused
from measures.models import WeeklyValue
from measures.rules import Proportion
from measures.services import saved_state, weekly_return_record
from tests.measures.import_helpers import commit, csv_bytes, parse

pytestmark = pytest.mark.django_db

WEEK = datetime.date(2024, 1, 1)
HEADER = ("trust_ods,ward_name,week_start,beds,occupied_bed_days,status,"
          "restraint_debrief_72h_numerator,restraint_debrief_72h_denominator,seclusion_hours,"
          "staff_feel_safe_score")  # fmt: skip


def row(ward, *cells):
    return ",".join([ward.trust.ods_code, ward.name, "2024-01-01", "20", "130", "submitted",
                     *cells])  # fmt: skip


def figures(ward):
    return saved_state(ward.returns.get(week_start=WEEK)).values


def test_the_template_has_two_columns_for_a_proportion_and_none_for_a_composite():
    columns = template_columns()
    assert "restraint_debrief_72h_numerator" in columns
    assert "restraint_debrief_72h_denominator" in columns
    assert "restraint_debrief_72h" not in columns
    assert "seclusion_hours" in columns and "staff_feel_safe_score" in columns
    assert "restrictive_practice_total" not in columns


def test_it_imports_each_type_and_a_reimport_changes_nothing(qi_lead, ward):
    content = csv_bytes(row(ward, "2", "3", "12.5", "7.25"), header=HEADER)
    plan = commit(qi_lead, content)
    assert plan.totals["create"] == 1
    assert figures(ward) == {"restraint_debrief_72h": Proportion(2, 3),
                             "seclusion_hours": Decimal("12.5"),
                             "staff_feel_safe_score": Decimal("7.25")}  # fmt: skip
    assert WeeklyValue.history.count() == 3
    assert commit(qi_lead, content).totals == {"create": 0, "update": 0, "unchanged": 1}
    plan = commit(qi_lead, csv_bytes(row(ward, "", "", "13", "7.25"), header=HEADER),
                  reason="Corrected from the ward diary")
    assert plan.totals["update"] == 1
    assert "restraint_debrief_72h: 2 of 3 → blank" in plan.rows[0].changes
    assert figures(ward) == {"seclusion_hours": Decimal(13),
                             "staff_feel_safe_score": Decimal("7.25")}  # fmt: skip


def test_it_reports_every_bad_figure_of_a_row_by_its_column(qi_lead, ward):
    plan = parse(csv_bytes(row(ward, "x", "3", "lots", "7"), header=HEADER))
    assert {e.column for e in plan.errors} == {"restraint_debrief_72h_numerator", "seclusion_hours"}
    plan = returns_import_plan(user=qi_lead, parsed=parse(
        csv_bytes(row(ward, "4", "3", "4000", "11"), header=HEADER)))  # fmt: skip
    columns = {e.column: e.message for e in plan.errors}
    assert "cannot be more than the denominator" in columns["restraint_debrief_72h_numerator"]
    assert "168 hours × 20 beds" in columns["seclusion_hours"]
    assert "outside the scale" in columns["staff_feel_safe_score"]
    plan = returns_import_plan(user=qi_lead, parsed=parse(
        csv_bytes(row(ward, "4", "", "", ""), header=HEADER)))  # fmt: skip
    assert [e.column for e in plan.errors] == ["restraint_debrief_72h_denominator"]


def test_it_refuses_a_composite_column_and_half_a_proportion():
    with pytest.raises(FileRefused, match="worked out from its parts"):
        parse(csv_bytes("RZ1,Oak,2024-01-01,3", header="trust_ods,ward_name,week_start,"
                        "restrictive_practice_total"))  # fmt: skip
    with pytest.raises(FileRefused, match="needs 'restraint_debrief_72h_denominator'"):
        parse(csv_bytes("RZ1,Oak,2024-01-01,3", header="trust_ods,ward_name,week_start,"
                        "restraint_debrief_72h_numerator"))  # fmt: skip


def test_the_export_round_trips_each_type_through_the_importer(client, qi_lead, ward, staff):
    weekly_return_record(
        ward=ward, week_start=WEEK, user=staff, counts={"seclusion": 1}, occupied_bed_days=130,
        submit=True, values={"restraint_debrief_72h": Proportion(1, 2),
                             "sexual_safety_feel_safe": Proportion(8, 10),
                             "seclusion_hours": Decimal("3.5"),
                             "staff_feel_safe_score": Decimal(6)},
    )  # fmt: skip
    header, first = returns_export_rows(wards=ward.trust.wards.all())
    cells = dict(zip(header, first, strict=True))
    assert cells["restraint_debrief_72h_numerator"] == 1
    assert cells["restraint_debrief_72h_denominator"] == 2
    assert cells["seclusion_hours"] == "3.5" and cells["staff_feel_safe_score"] == "6"
    client.force_login(qi_lead)
    for file_format in ("csv", "xlsx"):
        response = client.get(reverse("measures:trust-export", args=[ward.trust_id, file_format]))
        parsed = parse(response.content, filename=f"x.{file_format}")
        assert parsed.errors == []
        plan = commit(qi_lead, response.content, filename=f"x.{file_format}")
        assert plan.totals == {"create": 0, "update": 0, "unchanged": 1}


def test_typed_figures_survive_the_uploads_json(ward):
    parsed = parse(csv_bytes(row(ward, "2", "3", "12.5", "7"), header=HEADER))
    again = type(parsed).from_json(parsed.to_json())
    assert again.rows[0].values == parsed.rows[0].values == {
        "restraint_debrief_72h": Proportion(2, 3), "seclusion_hours": Decimal("12.5"),
        "staff_feel_safe_score": Decimal(7)}  # fmt: skip


def test_nc_marks_a_figure_not_collected_and_round_trips(qi_lead, ward):
    commit(qi_lead, csv_bytes(row(ward, "2", "3", "12.5", "7"), header=HEADER))
    parsed = parse(csv_bytes(row(ward, "NC", "", "NC", "7"), header=HEADER))
    assert parsed.errors == []
    assert set(parsed.rows[0].not_collected) == {"restraint_debrief_72h", "seclusion_hours"}
    commit(qi_lead, csv_bytes(row(ward, "NC", "", "NC", "7"), header=HEADER),
           reason="Not collected that week")  # fmt: skip
    weekly_return = ward.returns.get(week_start=WEEK)
    assert set(weekly_return.not_collected) >= {"restraint_debrief_72h", "seclusion_hours"}
    assert figures(ward) == {"staff_feel_safe_score": Decimal(7)}  # the saved ones went
    header, first = returns_export_rows(wards=ward.trust.wards.all())
    cells = dict(zip(header, first, strict=True))
    assert cells["restraint_debrief_72h_numerator"] == cells["seclusion_hours"] == "NC"
