"""The rules of a breakdown (equity/rules.py): pure, no database."""

import datetime

from equity.rules import BreakdownRow, ReturnTotals, breakdown_errors

WEEK = datetime.date(2024, 1, 1)
NAMES = {"physical_restraint": "Physical restraint", "seclusion": "Seclusion"}


def row(line, code, days, events, *, dimension="ethnicity", ward="oak", week=WEEK):
    return BreakdownRow(line, ward, week, dimension, code, days, {"physical_restraint": events})


def totals(days=140, restraint=10):
    return {("oak", WEEK): ReturnTotals("Oak", days, {"physical_restraint": restraint})}


def messages(errors):
    return [m for ms in errors.values() for m in ms]


def test_it_accepts_a_breakdown_that_adds_up():
    rows = [row(2, "A", 100, 6), row(3, "N", 30, 4), row(4, "99", 10, 0)]
    assert breakdown_errors(rows, totals(), NAMES) == {}


def test_it_refuses_counts_that_do_not_add_up_and_says_by_how_much():
    short = breakdown_errors([row(2, "A", 100, 6), row(3, "N", 30, 2)], totals(), NAMES)
    assert short == {2: ["physical restraint by ethnic group add up to 8, but the return says "
                         "10 (2 short); the return's total wins: correct the breakdown or the "
                         "return"]}  # fmt: skip
    over = breakdown_errors([row(2, "A", 100, 9), row(3, "N", 30, 4)], totals(), NAMES)
    assert "(3 over)" in messages(over)[0]


def test_it_refuses_bed_days_above_the_wards():
    errors = breakdown_errors([row(2, "A", 120, 6), row(3, "N", 30, 4)], totals(), NAMES)
    assert messages(errors) == [
        "bed days by ethnic group add up to 150, 10 above the return's 140 occupied bed days"]


def test_it_refuses_an_unknown_ethnic_category_code():
    errors = breakdown_errors([row(2, "Q", 130, 10)], totals(), NAMES)
    assert messages(errors)[0].startswith("unknown NHS Data Dictionary ethnic category code 'Q'")


def test_it_refuses_a_group_with_events_but_no_bed_days():
    errors = breakdown_errors([row(2, "A", 130, 7), row(3, "N", 0, 3)], totals(), NAMES)
    assert errors == {3: ["3 physical restraint with no bed days for this group: a group with "
                          "events needs its bed days"]}  # fmt: skip


def test_it_refuses_a_breakdown_of_a_missing_return_or_count_or_twice_the_same_group():
    assert "no weekly return" in messages(breakdown_errors([row(2, "A", 1, 0)], {}, NAMES))[0]
    no_count = {("oak", WEEK): ReturnTotals("Oak", 140, {})}
    assert messages(breakdown_errors([row(2, "A", 1, 0)], no_count, NAMES)) == [
        "the return has no physical restraint count that week"]
    twice = breakdown_errors([row(2, "A", 100, 5), row(3, "A", 30, 5)], totals(), NAMES)
    assert twice[3] == ["the same group appears twice for this ward-week (row 2)"]


def test_it_refuses_an_unknown_breakdown_and_checks_each_dimension_on_its_own():
    assert "unknown breakdown 'religion'" in messages(
        breakdown_errors([row(2, "x", 1, 0, dimension="religion")], totals(), NAMES))[0]
    rows = [row(2, "A", 130, 10), row(3, "1", 70, 5, dimension="sex"),
            row(4, "2", 70, 5, dimension="sex")]  # fmt: skip
    assert breakdown_errors(rows, totals(), NAMES) == {}
