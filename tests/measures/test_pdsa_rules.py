"""The rules of change ideas and PDSA cycles: pure, no database."""

import datetime

from measures import pdsa_rules, rules

TODAY = datetime.date(2025, 6, 18)
START = datetime.date(2025, 3, 3)


def cycle(**values):
    base = {"plan": "Calm-down box", "prediction": "Fewer restraints", "do": "", "study": "",
            "act": "", "outcome": "", "starts_on": START, "ends_on": None}  # fmt: skip
    return pdsa_rules.cycle_errors(**(base | values), today=TODAY)


def test_it_keeps_the_cycle_rules_where_the_return_rules_are():
    assert rules.pdsa_rules is pdsa_rules


def test_it_derives_the_stage_from_the_stages_filled_in():
    stage = pdsa_rules.cycle_stage
    assert stage(do="", study="", act="", outcome="") == "plan"
    assert stage(do="x", study="", act="", outcome="") == "do"
    assert stage(do="x", study="x", act="", outcome="") == "study"
    assert stage(do="x", study="x", act="x", outcome="") == "act"
    assert stage(do="x", study="x", act="x", outcome="adopt") == "closed"


def test_it_accepts_a_cycle_as_it_goes():
    assert cycle() == {}
    assert cycle(do="Tried") == {}
    assert cycle(do="Tried", study="Fell", act="Keep", outcome="adopt",
                 ends_on=TODAY) == {}  # fmt: skip


def test_it_needs_a_plan_and_a_prediction():
    errors = cycle(plan="  ", prediction="")
    assert errors["plan"] == "Say what you will change and why (the plan)."
    assert "predict" in errors["prediction"]


def test_it_takes_the_stages_in_order():
    assert cycle(study="Fell") == {"study": "Record Do before Study: the stages go in order."}
    assert cycle(do="Tried", act="Keep") == {
        "act": "Record Study before Act: the stages go in order."
    }


def test_it_gives_an_outcome_only_once_the_cycle_is_at_act():
    errors = cycle(do="Tried", study="Fell", outcome="adopt", ends_on=TODAY)
    assert errors == {"outcome": "A cycle gets its outcome once it has reached Act: say what you "
                                 "will do next (Act) first."}  # fmt: skip
    assert cycle(do="x", study="x", act="x", outcome="keep", ends_on=TODAY) == {
        "outcome": "Choose adopt, adapt or abandon."
    }


def test_it_needs_the_day_a_closed_cycle_ended_and_not_in_the_future():
    at_act = {"do": "x", "study": "x", "act": "x", "outcome": "abandon"}
    assert "ended" in cycle(**at_act)["ends_on"]
    tomorrow = TODAY + datetime.timedelta(days=1)
    assert cycle(**at_act, ends_on=tomorrow)["ends_on"].startswith("A cycle with an outcome")
    # A planned end in the future is fine while the cycle runs.
    assert cycle(ends_on=tomorrow) == {}


def test_it_orders_the_dates():
    errors = cycle(ends_on=START - datetime.timedelta(days=1))
    assert errors == {"ends_on": "The end of a cycle cannot be before its start (3 March 2025)."}
    errors = pdsa_rules.cycle_errors(
        plan="x", prediction="x", do="", study="", act="", outcome="", starts_on=START,
        ends_on=None, today=TODAY, idea_started_on=START + datetime.timedelta(days=7),
    )  # fmt: skip
    assert errors == {"starts_on": "The change idea starts on 10 March 2025: its cycles cannot "
                                   "start before."}  # fmt: skip


def test_it_bounds_the_dates_from_2015_to_a_year_ahead():
    assert "before 1 January 2015" in cycle(starts_on=datetime.date(2014, 12, 31))["starts_on"]
    assert cycle(starts_on=datetime.date(2015, 1, 1)) == {}
    limit = TODAY + datetime.timedelta(days=365)
    assert cycle(starts_on=limit) == {}
    assert "more than a year ahead" in cycle(starts_on=limit + datetime.timedelta(days=1),
                                             ends_on=None)["starts_on"]  # fmt: skip
    assert "more than a year ahead" in cycle(ends_on=limit + datetime.timedelta(days=1))["ends_on"]


def test_it_records_what_happened_only_once_a_cycle_has_started():
    later = TODAY + datetime.timedelta(days=14)
    errors = cycle(starts_on=later, do="Tried")
    assert errors == {"do": "This cycle starts on 2 July 2025: record Do once it has started."}
    assert cycle(starts_on=later) == {}  # planning ahead is fine


def test_it_bounds_the_length_of_free_text():
    errors = cycle(plan="x" * 2001, owner_role="y" * 81)
    assert errors["plan"] == "Plan: at most 2,000 characters (this has 2,001)."
    assert errors["owner_role"] == "Owner role: at most 80 characters (this has 81)."


def test_it_names_the_idea_and_targets_a_measure_of_the_ward():
    def idea(**values):
        base = {"title": "Safewards", "started_on": START, "measure_codes": ["seclusion"],
                "allowed_codes": {"seclusion", "physical_restraint"}}  # fmt: skip
        return pdsa_rules.idea_errors(**(base | values), today=TODAY)

    assert idea() == {}
    assert "Name the change idea" in idea(title=" ")["title"]
    assert "at least one measure" in idea(measure_codes=[])["measures"]
    assert idea(measure_codes=["awol"]) == {"measures": "Not a measure this ward reports: awol."}
    assert "before 1 January 2015" in idea(started_on=datetime.date(2010, 1, 1))["started_on"]
    late = idea(first_cycle_starts_on=START - datetime.timedelta(days=1))
    assert late == {"started_on": "Its first PDSA cycle starts on 2 March 2025: the change idea "
                                  "cannot start after it."}  # fmt: skip
    # Values that did not type (None) wait for their own error.
    assert pdsa_rules.idea_errors(title=None, started_on=None, measure_codes=None,
                                  allowed_codes=set(), today=TODAY) == {}  # fmt: skip


def test_it_starts_the_next_cycle_only_once_the_last_is_closed():
    assert pdsa_rules.new_cycle_error(None) == ""
    assert pdsa_rules.new_cycle_error(2).startswith("Cycle 2 is still open")
