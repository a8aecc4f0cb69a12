"""The demo data set's figures that are not counts (measures/demo.py): pure, no database."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

from measures import demo, rules
from measures.catalogue import MEASURES

UNTIL = datetime.date(2022, 10, 31)


def catalogue():
    out = {}
    for spec in MEASURES:
        fields = {"duration_unit": "", "score_min": None, "score_max": None,
                  "numerator_label": "", "denominator_label": "", "value_type": "count",
                  "parent": None, "parent_id": None, **spec}  # fmt: skip
        for key in ("score_min", "score_max"):
            if fields[key] is not None:
                fields[key] = Decimal(fields[key])
        out[spec["code"]] = SimpleNamespace(**fields)
    return out


def test_a_few_wards_collect_each_value_type_and_the_composites_parts():
    wards = demo.demo_wards()
    collecting = [w for w in wards if demo._collects_values(w)]
    assert 5 <= len(collecting) <= 30
    seen, weeks, complete = set(), 0, 0
    parts = {"physical_restraint", "seclusion", "rapid_tranquillisation"}
    for ward in collecting[:6]:
        for week in demo.demo_weeks(ward, UNTIL):
            seen |= set(week.values)
            weeks += 1
            complete += parts <= set(week.counts)
    # The composite (restrictive practice total) is worked out from these three: nearly every
    # week has them all (a few counts are missing, and so is that week's total).
    assert 0.9 * weeks < complete < weeks
    assert seen == {"restraint_debrief_72h", "seclusion_hours", "sexual_safety_feel_safe",
                    "staff_feel_safe_score"}  # fmt: skip
    assert not any(demo.demo_weeks(w, UNTIL)[0].values for w in wards
                   if not demo._collects_values(w))  # fmt: skip


def test_the_demo_figures_keep_every_rule():
    measures = catalogue()
    for ward in [w for w in demo.demo_wards() if demo._collects_values(w)][:5]:
        for week in demo.demo_weeks(ward, UNTIL):
            assert rules.value_errors(values=week.values, measures=measures,
                                      beds=ward.beds) == {}  # fmt: skip
            debrief = week.values.get("restraint_debrief_72h")
            if debrief is not None:
                assert debrief.denominator == week.counts["physical_restraint"]
            if week.counts.get("seclusion") == 0:
                assert week.values["seclusion_hours"] == 0  # no episode: a real zero


def test_the_demo_figures_are_the_same_every_run():
    ward = next(w for w in demo.demo_wards() if demo._collects_values(w))
    assert demo.demo_weeks(ward, UNTIL) == demo.demo_weeks(ward, UNTIL)
