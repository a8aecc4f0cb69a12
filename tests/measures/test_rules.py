"""Every rule of a return, once, without the database (measures/rules.py is pure)."""

import datetime
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from measures import rules

TODAY = datetime.date(2026, 12, 1)  # a Tuesday
WEEK = datetime.date(2026, 11, 23)  # last week, a Monday
OLD_WEEK = datetime.date(2024, 11, 25)  # two years back
WARD = SimpleNamespace(
    name="Oak Ward", beds=20, active_from=datetime.date(2020, 1, 1), active_to=None
)
PHYSICAL = SimpleNamespace(code="physical_restraint", name="Physical restraint", parent=None)
PRONE = SimpleNamespace(code="prone_restraint", name="Prone restraint", parent=PHYSICAL)
SECLUSION = SimpleNamespace(code="seclusion", name="Seclusion", parent=None)
MEASURES = {m.code: m for m in (PHYSICAL, PRONE, SECLUSION)}


def errors(saved=None, **overrides):
    values = {
        "ward": WARD, "week_start": WEEK, "today": TODAY, "beds": 20, "occupied_bed_days": 130,
        "status": rules.SUBMITTED, "counts": {}, "measures": MEASURES, "saved": saved,
    }  # fmt: skip
    values.update(overrides)
    return rules.return_errors(**values)


def submitted(**overrides):
    values = {"status": rules.SUBMITTED, "beds": 20, "occupied_bed_days": 130, "version": 3,
              "counts": {"physical_restraint": 2, "prone_restraint": 1}}  # fmt: skip
    values.update(overrides)
    return rules.SavedReturn(**values)


def test_it_accepts_a_complete_return():
    assert errors(counts={"physical_restraint": 3, "prone_restraint": 1, "seclusion": 0}) == {}


@pytest.mark.parametrize(
    ("week_start", "ward", "message"),
    [
        (datetime.date(2026, 11, 24), WARD, "must start on a Monday"),
        (datetime.date(2026, 12, 7), WARD, "is in the future"),
        (datetime.date(2019, 12, 23), WARD, "Oak Ward opened on 1 January 2020"),
        (WEEK, SimpleNamespace(**{**vars(WARD), "active_to": datetime.date(2026, 11, 1)}),
         "Oak Ward closed on 1 November 2026"),
    ],
)  # fmt: skip
def test_it_refuses_weeks_the_ward_cannot_report(week_start, ward, message):
    assert message in errors(week_start=week_start, ward=ward)["week_start"]


def test_the_week_in_progress_is_open_from_its_monday():
    assert errors(week_start=datetime.date(2026, 11, 30)) == {}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("beds", 0, "Beds open must be at least 1."),
        ("beds", 40_000, "Beds open: 40,000 is more than 999"),
        ("occupied_bed_days", -1, "Occupied bed days cannot be negative."),
        ("occupied_bed_days", 2.5, "enter a whole number"),
    ],
)
def test_it_keeps_each_figure_in_range(field, value, message):
    assert message in errors(**{field: value})[field]


def test_it_keeps_counts_whole_and_in_range():
    found = errors(counts={"seclusion": -2, "physical_restraint": 100_001, "prone_restraint": True,
                           "nonsense": 1})  # fmt: skip
    assert found["seclusion"] == "Seclusion cannot be negative."
    assert "100,001 is more than 100,000" in found["physical_restraint"]
    assert "whole number" in found["prone_restraint"]
    assert found["nonsense"] == "Unknown measure code 'nonsense'."


def test_it_finds_every_error_in_one_round():
    """A figure out of range and a sub-measure above its parent: both at once."""
    found = errors(beds=0, counts={"physical_restraint": 1, "prone_restraint": 2, "seclusion": -1})
    assert set(found) == {"beds", "prone_restraint", "seclusion"}
    assert "cannot be more than physical restraint (1)" in found["prone_restraint"]


@pytest.mark.parametrize("bed_days", [-1, 10_000, 141])
def test_a_sub_measure_above_its_parent_is_found_with_a_bed_days_error(bed_days):
    """Not in a second round, once the bed days are fixed."""
    found = errors(occupied_bed_days=bed_days,
                   counts={"physical_restraint": 1, "prone_restraint": 2})  # fmt: skip
    assert set(found) == {"occupied_bed_days", "prone_restraint"}


def test_it_keeps_bed_days_within_beds_times_seven_and_above_zero_with_incidents():
    assert "20 × 7 = 140" in errors(occupied_bed_days=141)["occupied_bed_days"]
    assert "cannot be 0 when incidents" in errors(
        occupied_bed_days=0, counts={"seclusion": 1}
    )["occupied_bed_days"]
    assert errors(occupied_bed_days=0, counts={"seclusion": 0}) == {}


def test_a_submitted_return_needs_bed_days_but_a_draft_does_not():
    assert "before submitting" in errors(occupied_bed_days=None)["occupied_bed_days"]
    assert errors(occupied_bed_days=None, status=rules.DRAFT) == {}


def test_it_checks_a_sub_measure_against_the_saved_parent():
    """Codes not named keep their saved value: prone 3 over a saved physical of 2."""
    found = errors(saved=submitted(), counts={"prone_restraint": 3})
    assert "cannot be more than physical restraint (2)" in found["prone_restraint"]
    no_parent = {"physical_restraint": None, "prone_restraint": 3}
    assert errors(saved=submitted(), counts=no_parent) == {}


def test_a_submitted_week_never_goes_back_to_draft():
    assert errors(saved=submitted(), status=rules.DRAFT)["status"] == (
        rules.DRAFT_OVER_SUBMITTED_MESSAGE
    )
    assert errors(saved=submitted(status=rules.DRAFT), status=rules.DRAFT) == {}
    assert "not 'maybe'" in errors(status="maybe")["status"]


def test_a_late_change_to_a_submitted_week_needs_a_reason():
    saved = submitted()
    late = {"week_start": OLD_WEEK, "saved": saved}
    assert errors(**late, counts={"seclusion": 4})["reason"] == rules.LATE_REASON_MESSAGE
    assert errors(**late, counts={"seclusion": 4}, reason="Recount from Datix") == {}
    assert errors(**late, counts={"physical_restraint": 2}) == {}, "no change: no reason"
    assert errors(week_start=OLD_WEEK, counts={"seclusion": 4}) == {}, "a new week"
    assert errors(saved=saved, counts={"seclusion": 4}) == {}, "a recent week"


def test_it_knows_what_counts_as_late():
    saved = submitted()
    ended = OLD_WEEK + datetime.timedelta(days=6)
    assert not rules.is_late(saved, OLD_WEEK, ended + rules.LATE_EDIT_AFTER)
    assert rules.is_late(saved, OLD_WEEK, ended + rules.LATE_EDIT_AFTER + datetime.timedelta(1))
    assert not rules.is_late(submitted(status=rules.DRAFT), OLD_WEEK, TODAY)


def test_it_detects_a_concurrent_edit():
    assert rules.is_concurrent_edit(submitted(), 2)
    assert not rules.is_concurrent_edit(submitted(), 3)
    assert not rules.is_concurrent_edit(submitted(), None)
    assert rules.is_concurrent_edit(None, 3) and not rules.is_concurrent_edit(None, 0)


def test_it_bounds_plausible_counts_by_bed_days():
    bound = rules.implausible_bound(beds=20, occupied_bed_days=100, per_1000=500)
    assert bound == 50
    assert rules.implausible_bound(beds=20, occupied_bed_days=None, per_1000=500) == 70
    found = rules.implausible_counts(counts={"seclusion": 51, "physical_restraint": 50},
                                     measures=MEASURES, bound=bound)  # fmt: skip
    assert list(found) == ["seclusion"] and "confirm it" in found["seclusion"]


@given(
    beds=st.integers(min_value=-5, max_value=2_000),
    bed_days=st.one_of(st.none(), st.integers(min_value=-5, max_value=15_000)),
    counts=st.dictionaries(st.sampled_from(sorted(MEASURES)),
                           st.one_of(st.none(), st.integers(-3, 200_000)), max_size=3),
)  # fmt: skip
def test_a_return_without_errors_is_one_the_database_accepts(beds, bed_days, counts):
    """Property: whatever passes the rules fits the columns and the DB constraints."""
    if errors(beds=beds, occupied_bed_days=bed_days, counts=counts):
        return
    assert 1 <= beds <= rules.MAX_BEDS < 2**15  # smallint
    assert bed_days is not None and 0 <= bed_days <= beds * 7
    present = {c: v for c, v in counts.items() if v is not None}
    assert all(0 <= v <= rules.MAX_COUNT for v in present.values())
    if "prone_restraint" in present and "physical_restraint" in present:
        assert present["prone_restraint"] <= present["physical_restraint"]


# --- the days of incidents ----------------------------------------------------------------
MON, TUE, SUN = WEEK, WEEK + datetime.timedelta(days=1), WEEK + datetime.timedelta(days=6)


def dated(saved=None, **overrides):
    return errors(saved=saved, **overrides).get(rules.dates_key("seclusion"))


def test_it_accepts_days_of_the_week_up_to_the_count_and_fewer():
    assert errors(counts={"seclusion": 2}, incident_dates={"seclusion": [MON, SUN]}) == {}
    assert errors(counts={"seclusion": 3}, incident_dates={"seclusion": [TUE]}) == {}
    assert errors(counts={"seclusion": 2}, incident_dates={"seclusion": [TUE, TUE]}) == {}, (
        "two incidents the same day"
    )
    assert errors(counts={"seclusion": 2}) == {}, "dates are optional"
    assert errors(counts={"seclusion": 2}, incident_dates={"seclusion": []}) == {}


@pytest.mark.parametrize(
    ("day", "ward", "message"),
    [
        (MON - datetime.timedelta(days=1), WARD,
         "22 November 2026 is not in this week (23 November to 29 November 2026)."),
        (SUN + datetime.timedelta(days=1), WARD, "30 November 2026 is not in this week"),
        (MON, SimpleNamespace(**{**vars(WARD), "active_from": TUE}),
         "23 November 2026 is before Oak Ward opened (24 November 2026)."),
        (SUN, SimpleNamespace(**{**vars(WARD), "active_to": TUE}),
         "29 November 2026 is after Oak Ward closed (24 November 2026)."),
        (datetime.datetime(2026, 11, 24, 10, 30), WARD, "give the day only"),
        ("2026-11-24", WARD, "is not a date"),
    ],
)  # fmt: skip
def test_a_day_must_be_of_its_week_while_the_ward_was_open(day, ward, message):
    found = dated(ward=ward, counts={"seclusion": 1}, incident_dates={"seclusion": [day]})
    assert found.startswith("Seclusion: ") and message in found


def test_a_day_cannot_be_in_the_future():
    this_week = datetime.date(2026, 11, 30)  # TODAY is its Tuesday
    found = dated(week_start=this_week, counts={"seclusion": 1},
                  incident_dates={"seclusion": [datetime.date(2026, 12, 2)]})  # fmt: skip
    assert found == "Seclusion: 2 December 2026 is in the future."
    assert errors(week_start=this_week, counts={"seclusion": 1},
                  incident_dates={"seclusion": [TODAY]}) == {}  # fmt: skip


def test_more_dates_than_the_count_is_an_error_naming_both_numbers():
    found = dated(counts={"seclusion": 2}, incident_dates={"seclusion": [MON, TUE, SUN]})
    assert found == (
        "Seclusion: 3 dates for a count of 2: at most one date per incident. Remove 1 date or "
        "correct the count."
    )


def test_a_count_of_zero_or_no_count_has_no_dates():
    assert "a count of 0 has no dates" in dated(counts={"seclusion": 0},
                                                incident_dates={"seclusion": [MON]})  # fmt: skip
    assert "1 date but no count: enter the count (at least 1)" in dated(
        incident_dates={"seclusion": [MON]}
    )
    assert "but no count" in dated(saved=submitted(counts={"seclusion": 1}),
                                   counts={"seclusion": None},
                                   incident_dates={"seclusion": [MON]})  # fmt: skip


def test_every_error_of_the_dates_comes_in_the_same_round_as_the_others():
    found = errors(beds=0, counts={"seclusion": 1, "physical_restraint": 1, "prone_restraint": 2},
                   incident_dates={"seclusion": [MON - datetime.timedelta(days=7), MON],
                                   "prone_restraint": [MON, TUE, SUN]})  # fmt: skip
    assert set(found) == {"beds", "prone_restraint", "incident_dates.seclusion",
                          "incident_dates.prone_restraint"}  # fmt: skip
    assert "16 November 2026 is not in this week" in found["incident_dates.seclusion"]
    assert "2 dates for a count of 1" in found["incident_dates.seclusion"]
    # prone's count breaks a rule across figures but is a number: its dates are checked
    # against it (3 dates for a count of 2).
    assert "3 dates for a count of 2" in found["incident_dates.prone_restraint"]


def test_dates_are_not_compared_with_a_count_that_is_itself_invalid():
    found = errors(counts={"seclusion": -1}, incident_dates={"seclusion": [MON]})
    assert set(found) == {"seclusion"}


def test_a_changed_count_whose_saved_dates_no_longer_fit_is_refused_not_trimmed():
    saved = submitted(counts={"seclusion": 3}, dates={"seclusion": (MON, TUE, SUN)})
    assert "3 dates for a count of 2" in dated(saved=saved, counts={"seclusion": 2})
    assert "a count of 0 has no dates" in dated(saved=saved, counts={"seclusion": 0})
    assert errors(saved=saved, counts={"seclusion": 2}, incident_dates={"seclusion": [MON, SUN]}
                  ) == {}  # fmt: skip
    # Removing the count (missing) takes its dates with it: nothing left to break a rule.
    assert errors(saved=saved, counts={"seclusion": None}) == {}


def test_merged_dates_keep_the_saved_days_of_codes_not_named():
    saved = submitted(counts={"seclusion": 2, "physical_restraint": 1},
                      dates={"seclusion": (MON, TUE), "physical_restraint": (SUN,)})  # fmt: skip
    merged = rules.merged_dates(saved, {"physical_restraint": None}, {"seclusion": [SUN, MON]})
    assert merged == {"seclusion": (MON, SUN)}
    assert rules.merged_dates(saved, {}, {"seclusion": []}) == {"physical_restraint": (SUN,)}


def test_changing_only_the_dates_of_a_late_week_needs_a_reason():
    saved = submitted(counts={"seclusion": 2}, dates={"seclusion": (OLD_WEEK,)})
    late = {"week_start": OLD_WEEK, "saved": saved}
    two_days = [OLD_WEEK, OLD_WEEK + datetime.timedelta(days=2)]
    assert errors(**late, incident_dates={"seclusion": two_days})["reason"] == (
        rules.LATE_REASON_MESSAGE
    )
    assert errors(**late, incident_dates={"seclusion": [OLD_WEEK]}) == {}, "no change"


def test_a_counts_dates_are_complete_when_every_incident_has_its_day():
    assert rules.dates_complete(2, [MON, TUE])
    assert not rules.dates_complete(2, [MON])
    assert rules.dates_complete(0, [])
    assert not rules.dates_complete(None, [])


# --- every measure answered ------------------------------------------------------------------

REQUIRED = ["physical_restraint", "prone_restraint", "seclusion"]


def test_a_submitted_return_answers_every_measure():
    """Bed days and blanks is not a complete return."""
    found = errors(counts={"physical_restraint": 1}, required=REQUIRED)
    assert set(found) == {"prone_restraint", "seclusion"}
    assert "Seclusion has no answer" in found["seclusion"]
    assert "Not collected this week" in found["seclusion"]


def test_a_draft_may_leave_measures_unanswered():
    assert errors(status=rules.DRAFT, counts={}, required=REQUIRED) == {}


def test_not_collected_answers_a_measure_without_a_count():
    answered = {"physical_restraint": 1, "prone_restraint": 0, "seclusion": None}
    assert errors(counts=answered, not_collected={"seclusion"}, required=REQUIRED) == {}


def test_a_measure_is_not_both_counted_and_not_collected():
    found = errors(counts={"seclusion": 2}, not_collected={"seclusion"})
    assert "a count of 2 and 'not collected this week'" in found["seclusion"]


def test_not_collected_is_kept_until_a_count_replaces_it():
    saved = submitted(counts={"physical_restraint": 2, "prone_restraint": 1},
                      not_collected=frozenset({"seclusion"}))  # fmt: skip
    assert errors(saved=saved, counts={"physical_restraint": 3}, required=REQUIRED) == {}
    assert rules.merged_not_collected(saved, {"seclusion": 1}, None) == frozenset()
    assert rules.merged_not_collected(saved, {}, {"prone_restraint"}) == {
        "seclusion", "prone_restraint"
    }


def test_a_blank_count_of_a_submitted_return_is_an_error_in_the_same_round():
    found = errors(saved=submitted(), occupied_bed_days=-1, required=REQUIRED,
                   counts={"physical_restraint": None, "prone_restraint": 1})  # fmt: skip
    assert set(found) == {"occupied_bed_days", "physical_restraint", "seclusion"}
