"""What a file would change (measures/import_plan.py): matching wards, row errors, warnings."""

import datetime

import pytest
from django.utils import timezone

from measures.errors import ImportRefused
from measures.import_plan import returns_import_plan
from measures.models import WeeklyReturn
from mhsip.weeks import monday_of
from tests.measures.import_helpers import commit, csv_bytes, parse, saved

pytestmark = pytest.mark.django_db



def test_it_matches_wards_by_code(qi_lead, ward):
    ward.code = "rx4-oak"
    ward.save()
    plan = returns_import_plan(
        user=qi_lead, parsed=parse(csv_bytes("RX4,,RX4-OAK,2024-01-01,,130,,1,"))
    )
    assert plan.errors == [] and plan.rows[0].ward == ward


def test_it_lists_row_errors_with_row_column_and_reason(qi_lead, ward, outside_ward):
    future = monday_of(timezone.localdate()) + datetime.timedelta(weeks=2)
    content = csv_bytes(
        "RX4,Oak Ward,,2024-01-01,,130,,1,",  # row 2: fine
        "RX4,Nowhere Ward,,2024-01-01,,130,,1,",  # 3
        "RY9,Far Ward,,2024-01-01,,130,,1,",  # 4: another trust's ward, not the QI lead's
        "RX4,Oak Ward,,2024-01-01,,130,,2,",  # 5: duplicate of row 2
        "RX4,Oak Ward,,2024-01-03,,130,,1,",  # 6: a Wednesday
        "RX4,Oak Ward,,yesterday,,130,,1,",  # 7
        "RX4,Oak Ward,,2024-01-15,,130,,-1,x",  # 8
        f"RX4,Oak Ward,,{future:%Y-%m-%d},,130,,1,",  # 9
        "RX4,Oak Ward,,2014-12-01,,130,,1,",  # 10: before the ward opened
        "RX4,Oak Ward,,2024-01-22,,141,,1,",  # 11: bed days above 20 × 7
        "RX4,Oak Ward,,2024-01-29,,,,1,",  # 12: submitted without bed days
        "RX4,Oak Ward,,2024-02-05,,130,pending,1,",  # 13
    )
    plan = returns_import_plan(user=qi_lead, parsed=parse(content))
    errors = {(e.row, e.column): e.message for e in plan.errors}
    assert errors[(3, "ward_name")] == "No ward with 'Nowhere Ward' in trust RX4."
    assert "Unknown trust ODS code 'RY9'" in errors[(4, "trust_ods")]
    assert "Duplicate row: row 2 has the same ward and week" in errors[(5, "week_start")]
    assert "Wednesday 3 January 2024 is not a Monday" in errors[(6, "week_start")]
    assert "The Monday of that week is 1 January 2024" in errors[(6, "week_start")]
    assert "'yesterday' is not a date" in errors[(7, "week_start")]
    assert "cannot be negative" in errors[(8, "seclusion")]
    assert "whole number" in errors[(8, "self_harm")]
    assert "is in the future" in errors[(9, "week_start")]
    assert "opened on 1 January 2015" in errors[(10, "week_start")]
    assert "20 × 7 = 140" in errors[(11, "occupied_bed_days")]
    assert "a submitted return needs them" in errors[(12, "occupied_bed_days")]
    assert "not 'pending'" in errors[(13, "status")]
    assert [r.row for r in plan.rows] == [2]
    with pytest.raises(ImportRefused):
        commit(qi_lead, content)
    assert not WeeklyReturn.objects.exists()  # all or nothing


def test_it_checks_sub_measures_against_their_parent(qi_lead, ward):
    content = csv_bytes(
        "RX4,Oak Ward,,2024-01-01,,130,,2,3",
        header="trust_ods,ward_name,ward_code,week_start,beds,occupied_bed_days,status,"
        "physical_restraint,prone_restraint",
    )
    plan = returns_import_plan(user=qi_lead, parsed=parse(content))
    assert "cannot be more than physical restraint" in plan.errors[0].message
    assert plan.errors[0].column == "prone_restraint"


def test_it_needs_confirmation_for_implausible_counts(qi_lead, ward, settings):
    settings.MHSIP_IMPLAUSIBLE_PER_1000_BED_DAYS = 500
    content = csv_bytes("RX4,Oak Ward,,2024-01-01,,130,,300,")
    with pytest.raises(ImportRefused) as error:
        commit(qi_lead, content)
    assert error.value.plan.warnings[0].column == "seclusion"
    assert not WeeklyReturn.objects.exists()
    commit(qi_lead, content, confirm_implausible=True)
    assert saved(ward) == {"seclusion": 300}
