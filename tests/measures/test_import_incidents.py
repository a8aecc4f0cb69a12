"""Files of incidents, one row per incident (measures/importing.py reads them,
measures/import_incidents.py makes ward-weeks of them, import_commit writes them)."""

import datetime
import io

import openpyxl
import pytest
from django.utils import timezone

from measures import rules
from measures.errors import ImportRefused
from measures.import_commit import weekly_returns_import_commit
from measures.import_plan import returns_import_plan
from measures.importing import FileRefused
from measures.models import IncidentDate, WeeklyCount, WeeklyReturn
from measures.selectors import measures_by_code
from measures.services import weekly_return_record
from tests.measures.import_helpers import WEEK, commit, csv_bytes, parse, saved

pytestmark = pytest.mark.django_db

INCIDENTS = "trust_ods,ward_name,ward_code,measure,incident_date"
NEXT_WEEK = WEEK + datetime.timedelta(weeks=1)
WEEK_3 = WEEK + datetime.timedelta(weeks=3)
SUNDAY = WEEK + datetime.timedelta(days=6)


def incidents(*lines):
    return csv_bytes(*lines, header=INCIDENTS)


def days(ward, code="seclusion"):
    return sorted(IncidentDate.objects.filter(
        count__weekly_return__ward=ward, count__measure__code=code
    ).values_list("occurred_on", flat=True))  # fmt: skip


def test_it_reads_one_row_per_incident_and_refuses_anything_else_about_a_person():
    # A time after the day is dropped: only the day is kept.
    parsed = parse(incidents("RX4,Oak Ward,,Seclusion,03/01/2024",
                             "RX4,,rx4-oak,self_harm,2024-01-05 14:20"))  # fmt: skip
    assert [(i.measure, i.occurred_on) for i in parsed.incidents] == [
        ("seclusion", datetime.date(2024, 1, 3)), ("self_harm", datetime.date(2024, 1, 5)),
    ]  # fmt: skip
    with pytest.raises(FileRefused, match="Unknown column 'patient_name'"):
        parse(csv_bytes("RX4,Oak Ward,,seclusion,2024-01-03,Jo",
                        header=INCIDENTS + ",patient_name"))  # fmt: skip
    with pytest.raises(FileRefused, match="mixes the two formats"):
        parse(csv_bytes("RX4,Oak Ward,2024-01-01,seclusion,2024-01-03",
                        header="trust_ods,ward_name,week_start,measure,incident_date"))  # fmt: skip
    with pytest.raises(FileRefused, match="NHS number"):
        parse(incidents("RX4,Oak Ward,,seclusion,943 476 5919"))


def test_it_lists_bad_incident_rows(qi_lead, ward):
    plan = returns_import_plan(user=qi_lead, parsed=parse(incidents(
        "RX4,Oak Ward,,restraints,2024-01-03",  # 2: unknown measure
        "RX4,Oak Ward,,seclusion,yesterday",  # 3
        "RX4,Oak Ward,,seclusion,",  # 4
        "RX4,Nowhere,,seclusion,2024-01-03",  # 5
        "RX4,Oak Ward,,seclusion,2014-12-31",  # 6: before the ward opened
        "RX4,Oak Ward,,seclusion,2099-01-07",  # 7
    )))  # fmt: skip
    found = {(e.row, e.column): e.message for e in plan.errors}
    assert "Unknown measure code 'restraints'" in found[2, "measure"]
    assert "'yesterday' is not a date" in found[3, "incident_date"]
    assert found[4, "incident_date"] == "Enter the day of the incident."
    assert "No ward with 'Nowhere'" in found[5, "ward_name"]
    assert "before Oak Ward opened" in found[6, "incident_date"]
    assert "is in the future" in found[7, "incident_date"]
    assert plan.rows == []


def test_the_count_is_the_number_of_rows_and_new_weeks_are_drafts(qi_lead, ward):
    content = incidents(
        "RX4,Oak Ward,,seclusion,2024-01-05",
        "RX4,Oak Ward,,seclusion,2024-01-02",
        "RX4,Oak Ward,,seclusion,2024-01-02",  # two the same day
        "RX4,Oak Ward,,self_harm,2024-01-04",
        "RX4,Oak Ward,,seclusion,2024-01-22",
    )
    plan = returns_import_plan(user=qi_lead, parsed=parse(content))
    assert plan.errors == [] and plan.totals["create"] == 2 and plan.new_drafts == 2
    first = plan.rows[0]
    assert (first.row, first.status, first.occupied_bed_days) == (2, rules.DRAFT, None)
    assert first.changes[0] == "a new draft return (its bed days are needed to submit it)"
    assert "seclusion dates: none → 2 Jan, 2 Jan, 5 Jan" in first.changes
    commit(qi_lead, content)
    assert saved(ward) == {"seclusion": 3, "self_harm": 1}
    jan = [datetime.date(2024, 1, day) for day in (2, 2, 5, 22)]
    assert days(ward) == jan
    weekly_return = WeeklyReturn.objects.get(ward=ward, week_start=WEEK)
    assert weekly_return.status == "draft" and weekly_return.occupied_bed_days is None
    assert IncidentDate.history.filter(history_user=qi_lead, history_type="+").count() == 5
    # The same file again changes nothing.
    assert commit(qi_lead, content).totals == {"create": 0, "update": 0, "unchanged": 2}
    assert IncidentDate.history.count() == 5


def test_it_keeps_a_saved_return_and_replaces_the_counts_and_days_it_names(qi_lead, staff, ward):
    weekly_return_record(ward=ward, week_start=WEEK, user=staff, occupied_bed_days=130,
                         submit=True, counts={"seclusion": 3, "self_harm": 2, "awol": 1},
                         incident_dates={"seclusion": [WEEK, WEEK, SUNDAY]})  # fmt: skip
    kept = IncidentDate.objects.filter(occurred_on=WEEK).order_by("pk").first()
    content = incidents("RX4,Oak Ward,,seclusion,2024-01-01", "RX4,Oak Ward,,seclusion,2024-01-03")
    (row,) = returns_import_plan(user=qi_lead, parsed=parse(content)).rows
    assert row.action == "update"
    assert row.changes == [
        "seclusion: 3 → 2", "seclusion dates: 1 Jan, 1 Jan, 7 Jan → 1 Jan, 3 Jan",
    ]  # fmt: skip
    commit(qi_lead, content, reason="Datix recount")  # a submitted week of 2024: late
    weekly_return = WeeklyReturn.objects.get()
    assert (weekly_return.status, weekly_return.occupied_bed_days) == ("submitted", 130)
    assert saved(ward) == {"seclusion": 2, "self_harm": 2, "awol": 1}  # the others untouched
    assert days(ward) == [WEEK, datetime.date(2024, 1, 3)]
    assert IncidentDate.objects.filter(pk=kept.pk).exists(), "a day kept keeps its row"


def test_weeks_without_incidents_get_a_zero_only_when_the_user_says_so(qi_lead, ward):
    content = incidents("RX4,Oak Ward,,seclusion,2024-01-02", "RX4,Oak Ward,,self_harm,2024-01-24")
    parsed = parse(content)
    plan = returns_import_plan(user=qi_lead, parsed=parsed)
    assert plan.zero_fill.first_week == WEEK and plan.zero_fill.last_week == WEEK_3
    assert plan.zero_fill.codes == ("seclusion", "self_harm") and not plan.zero_filled
    assert plan.totals["create"] == 2, "a 0 is never assumed"
    parsed.zero_fill = True
    plan = returns_import_plan(user=qi_lead, parsed=parsed)
    assert plan.zero_filled and plan.totals["create"] == 4
    assert [r.row for r in plan.rows] == [2, 3, 0, 0]  # the filled weeks have no row
    weekly_returns_import_commit(user=qi_lead, parsed=parsed, source="incidents.csv")
    assert saved(ward) == {"seclusion": 1, "self_harm": 0}
    assert saved(ward, NEXT_WEEK) == {"seclusion": 0, "self_harm": 0}
    assert saved(ward, WEEK_3) == {"seclusion": 0, "self_harm": 1}


def test_a_zero_that_breaks_a_rule_names_its_ward_and_week(qi_lead, staff, ward):
    """A week filled with 0 has no row in the file: its error says which week it is."""
    weekly_return_record(ward=ward, week_start=NEXT_WEEK, user=staff, occupied_bed_days=130,
                         counts={"prone_restraint": 1, "physical_restraint": 1})  # fmt: skip
    parsed = parse(incidents("RX4,Oak Ward,,physical_restraint,2024-01-02",
                             "RX4,Oak Ward,,physical_restraint,2024-01-16"))  # fmt: skip
    parsed.zero_fill = True
    plan = returns_import_plan(user=qi_lead, parsed=parsed)
    (error,) = plan.errors
    assert (error.row, error.column) == (0, "measure")
    assert error.message.startswith("Oak Ward, week of 8 January 2024 (no incidents in the file")
    assert "cannot be more than physical restraint (all positions) (0)" in error.message


def test_rules_of_the_week_apply_to_a_ward_week_made_of_incidents(qi_lead, staff, ward):
    weekly_return_record(ward=ward, week_start=WEEK, user=staff, occupied_bed_days=0,
                         counts={"seclusion": 0})  # fmt: skip
    plan = returns_import_plan(user=qi_lead, parsed=parse(incidents(
        "RX4,Oak Ward,,seclusion,2024-01-02", "RX4,Oak Ward,,seclusion,2024-01-03")))  # fmt: skip
    (error,) = plan.errors
    assert (error.row, error.column) == (2, "occupied_bed_days")
    assert error.message.startswith("Oak Ward, week of 1 January 2024 (rows 2, 3): Occupied bed")
    with pytest.raises(ImportRefused):
        commit(qi_lead, incidents("RX4,Oak Ward,,seclusion,2024-01-02"))
    assert WeeklyCount.objects.get().count == 0


def test_a_ward_week_file_cannot_change_a_count_its_saved_days_no_longer_fit(qi_lead, staff, ward):
    weekly_return_record(ward=ward, week_start=WEEK, user=staff, occupied_bed_days=130,
                         counts={"seclusion": 2},
                         incident_dates={"seclusion": [WEEK, WEEK]})  # fmt: skip
    one = csv_bytes("RX4,Oak Ward,,2024-01-01,,130,,1,")
    plan = returns_import_plan(user=qi_lead, parsed=parse(one))
    (error,) = plan.errors
    assert error.column == "incident_dates.seclusion" and error.file_column == "seclusion"
    assert "2 dates for a count of 1" in error.message
    # Blanking it (missing) takes its days with it.
    plan = commit(qi_lead, csv_bytes("RX4,Oak Ward,,2024-01-01,,130,,,"))
    assert plan.rows[0].changes == ["seclusion: 2 → blank (and its 2 dates)"]
    assert days(ward) == [] and IncidentDate.history.filter(history_type="-").count() == 2


def workbook(returns_rows, incident_rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "returns"
    for row in [HEADER_ROW, *returns_rows]:
        sheet.append(row)
    sheet = book.create_sheet("incidents")
    for row in [INCIDENTS.split(","), *incident_rows]:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


HEADER_ROW = [
    "trust_ods", "ward_name", "ward_code", "week_start", "beds", "occupied_bed_days", "status",
    "seclusion",
]  # fmt: skip


def test_a_workbook_with_both_sheets_is_one_import_and_they_must_agree(qi_lead, ward):
    content = workbook([["RX4", "Oak Ward", None, "2024-01-01", None, 130, None, 2]],
                       [["RX4", "Oak Ward", None, "seclusion", "2024-01-02"],
                        ["RX4", "Oak Ward", None, "seclusion", "2024-01-04"],
                        ["RX4", "Oak Ward", None, "self_harm", "2024-01-09"]])  # fmt: skip
    plan = commit(qi_lead, content, "export.xlsx")
    assert plan.totals["create"] == 2
    assert saved(ward) == {"seclusion": 2}
    assert saved(ward, NEXT_WEEK) == {"self_harm": 1}
    assert WeeklyReturn.objects.get(week_start=WEEK).status == "submitted"
    assert days(ward) == [datetime.date(2024, 1, 2), datetime.date(2024, 1, 4)]
    bad = workbook([["RX4", "Oak Ward", None, "2024-01-01", None, 130, None, 3]],
                   [["RX4", "Oak Ward", None, "seclusion", "2024-01-02"]])  # fmt: skip
    plan = returns_import_plan(user=qi_lead, parsed=parse(bad, "export.xlsx"))
    (error,) = plan.errors
    assert (error.sheet, error.row, error.column) == ("incidents", 2, "measure")
    assert "the returns sheet (row 2) has 3" in error.message and "has 1 incident:" in error.message


def test_the_plan_calls_the_rules_for_the_days(qi_lead, ward):
    """The message of a ward-week made of incidents is the rules' own (rules are tested once,
    in test_rules.py): 4 physical restraints cannot hold 5 prone ones."""
    plan = returns_import_plan(user=qi_lead, parsed=parse(incidents(
        *["RX4,Oak Ward,,physical_restraint,2024-01-02"] * 4,
        *["RX4,Oak Ward,,prone_restraint,2024-01-02"] * 5,
    )))  # fmt: skip
    expected = rules.return_errors(
        ward=ward, week_start=WEEK, today=timezone.localdate(), beds=20, occupied_bed_days=None,
        status=rules.DRAFT, counts={"physical_restraint": 4, "prone_restraint": 5},
        measures=measures_by_code(), saved=None,
        incident_dates={"physical_restraint": [datetime.date(2024, 1, 2)] * 4,
                        "prone_restraint": [datetime.date(2024, 1, 2)] * 5},
    )  # fmt: skip
    assert [e.message.split(": ", 1)[1] for e in plan.errors] == list(expected.values())
