"""The plain-English sentence, icons and figure, from hand-made payloads (no database)."""

from spc import icons, presentation


def payload(**summary):
    base = {
        "recent_n": 12,
        "recent_value": 1.9,
        "baseline_centre": 4.0,
        "percent_change": -52.5,
        "variation_icon": "improvement_low",
        "assurance_icon": "consistent_pass",
        "sustained_signal": True,
        "sustained_since_date": "2023-03-06",
        "target": {"value": 2.0, "deadline": "2024-03-31", "reduction": 0.5},
    }
    points = {
        "date": ["2024-01-01", "2024-01-08", "2024-01-15"],
        "value": [3, None, 1],
        "rate": [2.5, None, 0.8],
        "denominator": [1200, None, 1250],
        "centre": [4.0, 4.0, 4.0],
        "upper": [9.0, 9.0, 9.0],
        "lower": [0.0, 0.0, 0.0],
        "phase": [0, 0, 0],
        "baseline": [True, True, False],
        "missing": [False, True, False],
        "rules": [[], [], ["shift", "outside_limits"]],
        "classification": ["common_cause", None, "special_cause_improvement"],
    }
    return {
        "status": "ok",
        "unit": "per 1,000 OBD",
        "engine": {"chart": "u", "n": 3, "points": points, "summary": base | summary},
        "counts": [3, None, 1],
        "bed_days": [1200, None, 1250],
        "targets": [
            {"programme": "National", "reduction_percent": 50, "deadline": "2024-03-31",
             "value": 2.0},
            {"programme": "Regional", "reduction_percent": 25, "deadline": "2023-04-30",
             "value": 3.0},
        ],
        "breaks": [{"date": "2024-01-08", "reason": "New seclusion policy"}],
    }  # fmt: skip


def test_it_writes_the_issue_example_sentence():
    assert presentation.plain_summary("Prone restraint", payload()) == (
        "Prone restraint: 1.9 per 1,000 OBD in the last 12 weeks, 52% below baseline (4.0); "
        "special cause improvement since w/c 6 Mar 2023; target 2.0 by 31 Mar 2024 "
        "consistently met."
    )


def test_it_says_common_cause_and_above_baseline():
    text = presentation.plain_summary(
        "Seclusion",
        payload(
            percent_change=12.4, recent_value=4.5, variation_icon="common_cause",
            sustained_signal=False, assurance_icon="hit_and_miss",
        ),
    )  # fmt: skip
    assert text == (
        "Seclusion: 4.5 per 1,000 OBD in the last 12 weeks, 12% above baseline (4.0); "
        "common cause variation only; target 2.0 by 31 Mar 2024 hit and miss."
    )


def test_it_names_a_signal_only_at_the_latest_week_when_not_sustained():
    text = presentation.plain_summary(
        "AWOL", payload(variation_icon="concern_high", sustained_signal=False, target=None)
    )
    assert text.endswith("special cause concern in the latest week.")


def test_it_counts_per_week_where_there_are_no_bed_days():
    data = payload(target=None)
    data["unit"] = "a week"
    assert presentation.plain_summary("Seclusion", data).startswith(
        "Seclusion: 1.9 a week in the last 12 weeks"
    )


def test_it_says_when_there_is_too_little_data():
    assert presentation.plain_summary("Seclusion", {"status": "insufficient"}) == (
        "Seclusion: not enough weeks of data for a chart yet."
    )


def test_it_builds_the_figure_with_limits_targets_phases_and_ideas():
    figure = presentation.figure(
        payload(), "Prone restraint", [{"date": "2024-01-15", "title": "Safewards"}]
    )
    names = [t["name"] for t in figure["data"]]
    assert names[:4] == ["Rate", "Centre line", "Upper limit", "Lower limit"]
    assert sum(1 for t in figure["data"] if t.get("meta", {}).get("target")) == 2
    assert "50% reduction target by 31 Mar 2024: 2.0" in names
    series = figure["data"][0]
    assert series["y"] == [2.5, None, 0.8]
    assert series["marker"]["color"][2] == presentation.COLOURS["special_cause_improvement"]
    hover = series["hovertext"]
    assert "1 incidents / 1250 occupied bed days" in hover[2]
    assert "a shift: 7 or more points on one side of the centre line" in hover[2]
    assert "Missing" in hover[1]
    labels = [a["text"] for a in figure["layout"]["annotations"]]
    assert labels == ["Baseline", "New phase: New seclusion policy", "Safewards"]


def test_it_draws_icons_with_accessible_names():
    assert 'aria-label="Special cause improvement (low)"' in icons.variation_svg("improvement_low")
    assert ">L</text>" in icons.variation_svg("improvement_low")
    assert ">H</text>" in icons.variation_svg("concern_high")
    assert 'aria-label="Target consistently met"' in icons.assurance_svg("consistent_pass")
    assert ">F</text>" in icons.assurance_svg("consistent_fail")
    assert "No target" in icons.assurance_svg(None)


def test_it_names_funnel_outliers_and_colours_them_by_direction():
    units = [
        {"name": "Oak", "count": 10, "bed_days": 1000},
        {"name": "Elm", "count": 11, "bed_days": 1100},
        {"name": "Ash", "count": 60, "bed_days": 1000},  # far above the pooled rate
        {"name": "Fir", "count": 9, "bed_days": 900},
    ]
    figure = presentation.funnel_figure(units, "Seclusion", "ward")
    assert [o["name"] for o in figure["outliers"]] == ["Ash"]
    points = figure["data"][-1]
    assert points["text"] == ["", "", "Ash", ""]
    assert points["marker"]["color"][2] == presentation.COLOURS["special_cause_concern"]
    pooled = next(t for t in figure["data"] if t["name"].startswith("Regional rate"))
    assert pooled["y"][0] == 90 / 4000 * 1000
    increase = presentation.funnel_figure(units, "Seclusion", "ward", improvement="increase")
    assert increase["data"][-1]["marker"]["color"][2] == (
        presentation.COLOURS["special_cause_improvement"]
    )
    assert presentation.funnel_figure([], "Seclusion", "ward") is None
