"""The plain-English sentence and icons, from hand-made stored views (no database)."""

from dataclasses import replace

from spc import icons, presentation
from spc.stored import ChartView, ViewSummary

SUMMARY = {
    "chart": "u", "period": "week", "statistic": "rate", "unit": "per 1,000 OBD",
    "reason": "4.2 incidents expected a week: weekly u chart", "warnings": (),
    "expected_per_week": 4.2, "recent_n": 12, "recent_value": 1.9, "baseline_centre": 4.0,
    "current_centre": 2.0, "percent_change": -52.5, "variation_icon": "improvement_low",
    "assurance_icon": "consistent_pass", "improvement_applied": "decrease",
    "explanation": None, "sustained_signal": True, "sustained_since": "2023-03-06",
    "target_value": 2.0, "target_deadline": "2024-03-31", "target_met": True,
    "deadline_passed": False, "latest_date": "2024-01-15",
}  # fmt: skip


def make_view(**summary):
    """A ChartView as spc.stored reads one back: three weekly points, the middle missing."""
    return ChartView(
        summary=ViewSummary(**(SUMMARY | summary)),
        dates=("2024-01-01", "2024-01-08", "2024-01-15"), value=(2.5, None, 0.8),
        count=(3, None, 1), bed_days=(1200, None, 1250), centre=(4.0, 4.0, 4.0),
        lower=(0.0, 0.0, 0.0), upper=(9.0, 9.0, 9.0), lower_2sigma=(0.7, 0.7, 0.7),
        upper_2sigma=(7.3, 7.3, 7.3), phase=(0, 0, 0), baseline=(True, True, False),
        classification=("common_cause", None, "special_cause_improvement"),
        rules=((), (), ("outside_limits", "shift")), weeks_present=None,
        weeks_in_period=None, contributors=None, event_number=None,
        targets=(
            {"programme": "National", "reduction_percent": 50, "deadline": "2024-03-31",
             "value": 2.0},
            {"programme": "Regional", "reduction_percent": 25, "deadline": "2023-04-30",
             "value": 3.0},
        ),
        breaks=({"date": "2024-01-08", "reason": "New seclusion policy"},),
    )  # fmt: skip


def test_it_writes_the_issue_example_sentence_and_names_the_chart():
    assert presentation.plain_summary("Prone restraint", make_view()) == (
        "Prone restraint: 1.9 per 1,000 OBD over the last 12 weeks, 52% below baseline (4.0); "
        "special cause improvement since w/c 6 Mar 2023; target 2.0 by 31 Mar 2024 "
        "consistently met. Chart: 4.2 incidents expected a week: weekly u chart."
    )


def test_it_says_common_cause_and_above_baseline():
    text = presentation.plain_summary("Seclusion", make_view(
        percent_change=12.4, recent_value=4.5, variation_icon="common_cause",
        sustained_signal=False, assurance_icon="hit_and_miss",
    ))  # fmt: skip
    assert text.startswith(
        "Seclusion: 4.5 per 1,000 OBD over the last 12 weeks, 12% above baseline (4.0); "
        "common cause variation only; target 2.0 by 31 Mar 2024 hit and miss."
    )


def test_it_names_a_signal_only_at_the_latest_point_when_not_sustained():
    text = presentation.plain_summary("AWOL", make_view(
        variation_icon="concern_high", sustained_signal=False, target_value=None))  # fmt: skip
    assert "special cause concern at the latest point." in text


def test_a_run_chart_names_itself_without_the_misleading_weeks_count():
    view = make_view(chart="run", variation_icon="common_cause", target_value=None,
                     reason="0.2 incidents expected a week: too few incidents for SPC; weekly "
                     "run chart of the rate without control limits")  # fmt: skip
    view = replace(view, upper=(None,) * 3, lower=(None,) * 3)
    text = presentation.plain_summary("Seclusion", view)
    assert "no control limits, so no special cause icon; the run rules find no pattern" in text
    runs = {"signal": True, "useful": 40, "longest": 12, "longest_max": 8, "crossings": 15,
            "crossings_min": 14}  # fmt: skip
    flagged = replace(view, summary=replace(view.summary, runs=runs))
    assert ("the run rules (Anhøj) find a pattern unlikely by chance: a run of 12 points on one "
            "side of the median (more than 8 is unusual)") in presentation.plain_summary(
                "Seclusion", flagged)  # fmt: skip
    assert text.endswith("Chart: 0.2 incidents expected a week: too few incidents for SPC; "
                         "weekly run chart of the rate without control limits.")  # fmt: skip
    assert "291 weeks" not in text


def test_a_chart_of_gaps_between_incidents_speaks_of_gaps():
    text = presentation.plain_summary("Seclusion", make_view(
        chart="g", period="event", statistic="bed_days_between", recent_n=3,
        unit="occupied bed days between incidents", recent_value=410.0, baseline_centre=304.0,
        percent_change=34.9, variation_icon="common_cause", target_value=None,
    ))  # fmt: skip
    assert text.startswith("Seclusion: 410 occupied bed days between incidents over the last "
                           "3 gaps between incidents, 35% above baseline (304)")  # fmt: skip


def test_it_explains_an_icon_that_seems_to_contradict_the_rate():
    text = presentation.plain_summary("Rapid tranquillisation", make_view(
        percent_change=37.0, explanation="the icon shows the latest points' side of the "
        "centre line, while the recent rate is above the baseline"))  # fmt: skip
    assert "37% above baseline" in text
    assert "The icon shows the latest points' side of the centre line" in text


def test_it_never_states_a_target_of_a_baseline_of_nothing():
    text = presentation.plain_summary("Prone restraint", make_view(
        baseline_centre=0.0, percent_change=None, target_value=0.0))  # fmt: skip
    assert "target" not in text and "no incidents in the baseline" in text


def test_it_says_what_holds_after_a_deadline_it_could_not_judge():
    text = presentation.plain_summary("Seclusion", make_view(deadline_passed=True,
                                                             target_met=False))  # fmt: skip
    assert "target 50% reduction by 31 Mar 2024: the deadline has passed; not met now" in text


def test_it_says_the_target_was_met_at_the_deadline_and_what_holds_since():
    passed = {"deadline_passed": True, "deadline_value": 2.1, "deadline_target": 2.4,
              "target_value": 2.4}  # fmt: skip
    still = presentation.plain_summary("Seclusion", make_view(
        **passed, deadline_met=True, target_met=True, recent_value=2.0))  # fmt: skip
    assert ("target 50% reduction by 31 Mar 2024: met at the deadline (2.1 vs target 2.4) "
            "and still met now (2.0 vs 2.4).") in still  # fmt: skip
    assert "hit and miss" not in still and "consistently" not in still
    lost = presentation.plain_summary("Seclusion", make_view(
        **passed, deadline_met=True, target_met=False, recent_value=2.7))  # fmt: skip
    assert "met at the deadline (2.1 vs target 2.4), no longer met (2.7 vs 2.4)" in lost


def test_it_says_a_target_missed_at_the_deadline_and_met_since():
    text = presentation.plain_summary("Seclusion", make_view(
        deadline_passed=True, deadline_value=3.1, deadline_target=2.4, deadline_met=False,
        target_value=2.4, target_met=True, recent_value=2.2))  # fmt: skip
    assert "not met at the deadline (3.1 vs target 2.4), met since (2.2 vs 2.4)" in text


def test_it_says_a_reporting_measure_has_no_good_direction():
    text = presentation.plain_summary("Sexual safety incidents", make_view(
        improvement_applied="neutral", variation_icon="neutral_high", assurance_icon=None,
        target_value=None))  # fmt: skip
    assert "a reporting measure: more reports can mean better reporting" in text
    assert "no assurance icon" in text and "target" not in text.split("Chart:")[0]


def test_it_names_each_kind_of_target_line():
    assert presentation.target_label({"kind": "increase", "percent": 50,
                                      "deadline": "2024-03-31", "value": 6.0}) == (
        "50% increase target by 31 Mar 2024: 6.0")  # fmt: skip
    assert presentation.target_label({"kind": "value", "value": 3.0,
                                      "deadline": "2024-03-31"}) == "Target 3.0 by 31 Mar 2024"
    assert presentation.target_label({"kind": "trajectory", "deadline": "2024-03-31",
                                      "steps": [["2024-01-01", 4.0], ["2024-03-01", 3.0]]}) == (
        "Trajectory by 31 Mar 2024: 3.0")  # fmt: skip


def test_it_counts_per_week_where_there_are_no_bed_days():
    text = presentation.plain_summary("Seclusion", make_view(unit="a week", target_value=None))
    assert text.startswith("Seclusion: 1.9 a week over the last 12 weeks")


def test_it_says_when_there_is_too_little_data():
    assert presentation.plain_summary("Seclusion", None) == (
        "Seclusion: not enough data for a chart yet."
    )


def test_it_draws_icons_with_accessible_names():
    assert 'aria-label="Special cause improvement (low)"' in icons.variation_svg("improvement_low")
    assert ">L</text>" in icons.variation_svg("improvement_low")
    assert ">H</text>" in icons.variation_svg("concern_high")
    assert 'aria-label="Target consistently met"' in icons.assurance_svg("consistent_pass")
    assert ">F</text>" in icons.assurance_svg("consistent_fail")
    assert "No target" in icons.assurance_svg(None)
