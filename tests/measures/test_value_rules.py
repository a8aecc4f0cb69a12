"""The rules of proportions, durations, scores and composites (measures/value_rules.py, through
measures.rules): tiny cases, every bad input, no database."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

from measures import rules
from measures.rules import Proportion


def measure(code, value_type="count", parent=None, **extra):
    fields = {"code": code, "name": code.replace("_", " ").capitalize(), "value_type": value_type,
              "parent": parent, "parent_id": parent and 1, "duration_unit": "",
              "score_min": None, "score_max": None, "numerator_label": "",
              "denominator_label": ""}  # fmt: skip
    fields.update(extra)
    return SimpleNamespace(**fields)


DEBRIEF = measure("debrief", "proportion", numerator_label="debriefed",
                  denominator_label="restraints")  # fmt: skip
HOURS = measure("seclusion_hours", "duration", duration_unit="hours")
DAYS = measure("segregation_days", "duration", duration_unit="days")
SCORE = measure("feel_safe", "score", score_min=Decimal(0), score_max=Decimal(10))
PHYSICAL = measure("physical_restraint")
PRONE = measure("prone_restraint", parent=PHYSICAL)
SECLUSION = measure("seclusion")
TOTAL = measure("total", "composite")
MEASURES = {m.code: m for m in (DEBRIEF, HOURS, DAYS, SCORE, PHYSICAL, PRONE, SECLUSION, TOTAL)}


def errors(beds=2, **values):
    return rules.value_errors(values=values, measures=MEASURES, beds=beds)


def test_it_accepts_good_figures_and_blanks():
    assert errors(debrief=Proportion(3, 4), seclusion_hours=Decimal("12.5"),
                  segregation_days=Decimal(14), feel_safe=Decimal("7.25")) == {}  # fmt: skip
    assert errors(debrief=None, seclusion_hours=None, feel_safe=None) == {}
    assert errors(debrief=Proportion(0, 1), feel_safe=Decimal(0)) == {}


def test_it_refuses_a_numerator_above_its_denominator():
    message = errors(debrief=Proportion(5, 4))["debrief"]
    assert "numerator (5) cannot be more than the denominator (4)" in message


def test_it_names_the_blank_part_of_a_proportion():
    assert "denominator (restraints) is blank" in errors(debrief=Proportion(3, None))[
        "debrief.denominator"]  # fmt: skip
    assert "numerator (debriefed) is blank" in errors(debrief=Proportion(None, 3))[
        "debrief.numerator"]  # fmt: skip


def test_it_wants_whole_numbers_in_both_parts_and_reports_both_at_once():
    found = errors(debrief=Proportion(1.5, -2))
    assert "whole number" in found["debrief.numerator"]
    assert "cannot be negative" in found["debrief.denominator"]
    assert "whole number" in errors(debrief=Proportion(True, 2))["debrief.numerator"]


def test_it_refuses_a_denominator_of_zero():
    assert "is 0" in errors(debrief=Proportion(0, 0))["debrief.denominator"]


def test_it_refuses_a_proportion_given_as_one_number():
    assert "numerator and denominator" in errors(debrief=Decimal(3))["debrief"]


def test_it_caps_a_duration_at_every_bed_all_week():
    assert errors(beds=2, seclusion_hours=Decimal(336)) == {}
    message = errors(beds=2, seclusion_hours=Decimal("336.25"))["seclusion_hours"]
    assert "168 hours × 2 beds = 336 hours" in message
    assert errors(beds=2, segregation_days=Decimal(14)) == {}
    assert "7 days × 2 beds = 14 days" in errors(beds=2, segregation_days=Decimal(15))[
        "segregation_days"]  # fmt: skip
    # Beds not known to be valid: the cap waits for them.
    assert errors(beds=None, seclusion_hours=Decimal(10_000)) == {}


def test_it_refuses_a_negative_or_non_numeric_duration():
    assert "cannot be negative" in errors(seclusion_hours=Decimal(-1))["seclusion_hours"]
    assert "enter a number" in errors(seclusion_hours="lots")["seclusion_hours"]
    assert "enter a number" in errors(seclusion_hours=float("nan"))["seclusion_hours"]
    assert "2 decimal places" in errors(seclusion_hours=Decimal("1.125"))["seclusion_hours"]


def test_it_keeps_a_score_within_its_scale():
    assert errors(feel_safe=Decimal(10)) == {}
    assert "from 0 to 10" in errors(feel_safe=Decimal("10.5"))["feel_safe"]
    assert "from 0 to 10" in errors(feel_safe=Decimal(-1))["feel_safe"]


def test_it_refuses_an_entered_composite_and_a_count_given_as_a_figure():
    assert "never entered" in errors(total=Decimal(3))["total"]
    assert "is a count" in errors(physical_restraint=Decimal(3))["physical_restraint"]
    assert "Unknown measure" in errors(nope=Decimal(1))["nope"]
    found = rules.count_type_errors(counts={"total": 3, "debrief": 2, "seclusion": 1},
                                    measures=MEASURES)  # fmt: skip
    assert set(found) == {"total", "debrief"}
    assert "never entered" in found["total"]


def test_it_finds_every_error_of_a_return_in_one_round():
    ward = SimpleNamespace(name="Oak", active_from=datetime.date(2020, 1, 1), active_to=None)
    week = datetime.date(2025, 3, 3)
    found = rules.return_errors(
        ward=ward, week_start=week, today=week + datetime.timedelta(days=9), beds=1,
        occupied_bed_days=7, status=rules.DRAFT, counts={"total": 2, "seclusion": -1},
        measures=MEASURES, saved=None,
        values={"debrief": Proportion(4, 3), "seclusion_hours": Decimal(169),
                "feel_safe": Decimal(11)},
    )  # fmt: skip
    assert set(found) == {"total", "seclusion", "debrief", "seclusion_hours", "feel_safe"}


def test_it_rechecks_a_saved_duration_when_the_beds_change():
    ward = SimpleNamespace(name="Oak", active_from=datetime.date(2020, 1, 1), active_to=None)
    week = datetime.date(2025, 3, 3)
    saved = rules.SavedReturn(status=rules.DRAFT, beds=2, occupied_bed_days=10, version=1,
                              values={"seclusion_hours": Decimal(300)})  # fmt: skip
    found = rules.return_errors(
        ward=ward, week_start=week, today=week + datetime.timedelta(days=9), beds=1,
        occupied_bed_days=7, status=rules.DRAFT, counts={}, measures=MEASURES, saved=saved,
    )  # fmt: skip
    assert "168 hours × 1 beds" in found["seclusion_hours"]


def test_it_refuses_overlapping_composite_parts():
    assert rules.composite_errors(TOTAL, [PHYSICAL, SECLUSION]) == {}
    message = rules.composite_errors(TOTAL, [PHYSICAL, PRONE, SECLUSION])["parts"]
    assert "Prone restraint and physical restraint overlap" in message
    assert "count it twice" in message


def test_it_refuses_composite_parts_that_are_not_counts():
    assert "adds counts only" in rules.composite_errors(TOTAL, [PHYSICAL, DEBRIEF])["parts"]
    other = measure("other_total", "composite")
    assert "adds counts only" in rules.composite_errors(TOTAL, [PHYSICAL, other])["parts"]
    assert "its own parts" in rules.composite_errors(TOTAL, [PHYSICAL, TOTAL])["parts"]
    assert "only a composite" in rules.composite_errors(SECLUSION, [PHYSICAL])["value_type"]


def test_it_sums_a_composite_and_misses_it_if_any_part_is_missing():
    parts = ["physical_restraint", "seclusion"]
    assert rules.composite_value(parts, {"physical_restraint": 3, "seclusion": 0}) == 3
    assert rules.composite_value(parts, {"physical_restraint": 3}) is None
    assert rules.composite_value(parts, {"physical_restraint": 3, "seclusion": None}) is None
    assert rules.composite_value([], {}) is None


def test_it_checks_what_each_value_type_needs_in_its_definition():
    assert "hours or days" in rules.measure_definition_errors(
        measure("x", "duration"))["duration_unit"]  # fmt: skip
    assert "lowest score below" in rules.measure_definition_errors(
        measure("x", "score", score_min=Decimal(5), score_max=Decimal(5)))["score_max"]  # fmt: skip
    assert "sub-measure" in rules.measure_definition_errors(
        measure("x", "proportion", parent=PHYSICAL))["parent"]  # fmt: skip
    assert rules.measure_definition_errors(HOURS) == {}
