"""Writing an imported file, all or nothing (measures/import_commit.py)."""

import datetime

import pytest

from measures.import_plan import returns_import_plan
from measures.models import Enrolment, Programme, WeeklyCount, WeeklyReturn
from measures.services import weekly_return_record
from tests.measures.import_helpers import WEEK, commit, csv_bytes, parse, saved

pytestmark = pytest.mark.django_db



def test_it_creates_returns_from_a_csv_and_changes_nothing_on_reupload(qi_lead, ward):
    content = csv_bytes(
        "RX4,Oak Ward,,2024-01-01,,130,,2,",
        "rx4,oak ward,,2024-01-08,20,120,draft,0,1",
    )
    plan = commit(qi_lead, content)
    assert plan.totals == {"create": 2, "update": 0, "unchanged": 0}
    first = WeeklyReturn.objects.get(ward=ward, week_start=WEEK)
    assert first.status == WeeklyReturn.Status.SUBMITTED
    assert first.submitted_by == qi_lead
    assert saved(ward) == {"seclusion": 2}  # the blank self_harm is missing, not zero
    assert saved(ward, datetime.date(2024, 1, 8)) == {"seclusion": 0, "self_harm": 1}
    history = first.history.get()
    assert history.history_user == qi_lead
    assert history.history_change_reason == "Imported from returns.csv"
    assert WeeklyCount.history.filter(history_user=qi_lead).count() == 3

    versions = list(WeeklyReturn.objects.values_list("version", flat=True))
    plan = commit(qi_lead, content)
    assert plan.totals == {"create": 0, "update": 0, "unchanged": 2}
    assert list(WeeklyReturn.objects.values_list("version", flat=True)) == versions
    assert WeeklyReturn.history.count() == 2


def test_it_updates_changed_rows_and_removes_blanked_counts(qi_lead, staff, ward):
    weekly_return_record(
        ward=ward, week_start=WEEK, user=staff, counts={"seclusion": 1, "self_harm": 2,
        "awol": 4}, occupied_bed_days=130, submit=True,
    )  # fmt: skip
    plan = commit(qi_lead, csv_bytes("RX4,Oak Ward,,2024-01-01,,130,,3,"), reason="Datix recount")
    (row,) = plan.rows
    assert row.action == "update"
    assert row.changes == ["seclusion: 1 → 3", "self_harm: 2 → blank"]
    # awol is not a column of the file: its saved count is left alone.
    assert saved(ward) == {"seclusion": 3, "awol": 4}
    weekly_return = WeeklyReturn.objects.get()
    assert weekly_return.version == 2
    removed = WeeklyCount.history.filter(history_type="-").get()
    assert (removed.count, removed.history_user) == (2, qi_lead)


def test_nc_in_a_cell_is_not_collected_kept_as_missing(qi_lead, ward):
    commit(qi_lead, csv_bytes("RX4,Oak Ward,,2024-01-01,,120,submitted,NC,1"))
    weekly_return = WeeklyReturn.objects.get(ward=ward)
    assert weekly_return.not_collected == ["seclusion"]
    assert saved(ward) == {"self_harm": 1}  # no count: missing, never 0
    # A count in a later file replaces "not collected".
    commit(qi_lead, csv_bytes("RX4,Oak Ward,,2024-01-01,,120,submitted,2,1"), reason="Recount")
    weekly_return.refresh_from_db()
    assert weekly_return.not_collected == [] and saved(ward)["seclusion"] == 2


def test_a_submitted_row_of_an_enrolled_ward_answers_every_measure(qi_lead, ward):
    """Bed days and blanks is no complete return, in a file as on the form."""
    Enrolment.objects.create(programme=Programme.objects.first(), ward=ward, joined_on=WEEK)
    plan = returns_import_plan(
        user=qi_lead, parsed=parse(csv_bytes("RX4,Oak Ward,,2024-01-01,,120,submitted,1,"))
    )
    unanswered = {e.column for e in plan.errors if "has no answer" in e.message}
    assert "physical_restraint" in unanswered and "seclusion" not in unanswered
    draft = parse(csv_bytes("RX4,Oak Ward,,2024-01-01,,120,draft,1,"))
    assert returns_import_plan(user=qi_lead, parsed=draft).errors == []
