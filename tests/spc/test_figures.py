"""The Plotly figure of a stored view (no database)."""

from dataclasses import replace

from spc import figures, presentation
from spc.funnel_figure import funnel_figure
from tests.spc.test_presentation import make_view


def test_it_builds_the_figure_with_limits_targets_phases_and_ideas():
    figure = figures.figure(
        make_view(), "Prone restraint", [{"date": "2024-01-15", "title": "Safewards"}]
    )
    names = [t["name"] for t in figure["data"]]
    assert names[:4] == ["Per 1,000 OBD", "Centre line", "Upper limit", "Lower limit"]
    assert sum(1 for t in figure["data"] if t.get("meta", {}).get("target")) == 2
    assert "50% reduction target by 31 Mar 2024: 2.0" in names
    series = figure["data"][0]
    assert series["y"] == [2.5, None, 0.8]
    assert series["marker"]["color"][2] == presentation.COLOURS["special_cause_improvement"]
    assert series["hovertemplate"] == (
        "w/c %{x|%-d %b %Y}<br>%{y:,.1f} per 1,000 OBD<br>%{customdata[0]} incidents / "
        "%{customdata[1]:,} occupied bed days<br>%{text}<extra></extra>"
    )
    assert series["customdata"][2] == [1, 1250]
    assert "a shift: 7 or more points on one side of the centre line" in series["text"][2]
    assert series["text"][1] == ""  # a missing week: plotly shows no hover there
    labels = [a["text"] for a in figure["layout"]["annotations"]]
    assert labels == ["Baseline", "New phase: New seclusion policy", "Safewards"]
    assert figure["layout"]["yaxis"]["title"]["text"] == "per 1,000 OBD"


def test_user_text_is_shown_as_text_never_as_markup():
    idea = {"date": "2024-01-08", "title": '<a href="https://evil.example">Sign in</a>'}
    figure = figures.figure(make_view(), "<b>Seclusion</b>", [idea])
    texts = [a["text"] for a in figure["layout"]["annotations"]]
    assert '&lt;a href="https://evil.example"&gt;Sign in&lt;/a&gt;' in texts
    assert figure["layout"]["title"]["text"] == "&lt;b&gt;Seclusion&lt;/b&gt;"


def test_an_idea_outside_the_chart_does_not_stretch_it():
    figure = figures.figure(make_view(), "Seclusion", [{"date": "2031-01-01", "title": "Later"}])
    assert "Later" not in [a["text"] for a in figure["layout"]["annotations"]]


def test_incident_charts_are_drawn_by_incident_number_with_dates_as_labels():
    base = make_view(chart="g", period="event", statistic="bed_days_between",
                     unit="occupied bed days between incidents")  # fmt: skip
    # Two incidents on 8 January: two points, never averaged into one.
    view = replace(base, dates=("2024-01-08", "2024-01-08", "2024-01-20"))
    figure = figures.figure(view, "Seclusion", [{"date": "2024-01-10", "title": "Huddle"}])
    assert figure["data"][0]["x"] == [1, 2, 3]
    axis = figure["layout"]["xaxis"]
    assert axis["tickvals"] == [1, 2, 3] and axis["ticktext"][0] == "1<br>8 Jan 2024"
    huddle = next(s for s in figure["layout"]["shapes"] if s["line"].get("dash") == "dot")
    assert huddle["x0"] == 2.5  # after the two incidents of 8 January


def test_the_hover_names_a_proportions_parts_a_durations_hours_and_a_score_alone():
    hover = {unit: figures.figure(make_view(unit=unit), "A measure", [])["data"][0]["hovertemplate"]
             for unit in ("%", "hours per 1,000 OBD", "mean score")}  # fmt: skip
    assert "%{customdata[0]} of %{customdata[1]}" in hover["%"]
    assert "occupied bed days" not in hover["%"]
    assert "%{customdata[0]} hours / %{customdata[1]:,} occupied bed days" in hover[
        "hours per 1,000 OBD"]  # fmt: skip
    assert "customdata" not in hover["mean score"]


MARKUP = '<a href="https://evil.example/login">Session expired</a><b style="font-size:80px">'


def _strings(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, str):
        yield value


def test_no_text_from_people_enters_any_figure_as_markup():
    """Every string from the database (idea titles, phase reasons, chart titles, units, ward
    and measure names) reaches the figure JSON escaped: plotly renders <a> and <b style>."""
    view = make_view()
    view = replace(view, summary=replace(view.summary, unit=MARKUP),
                   breaks=[{"date": "2024-01-08", "reason": MARKUP}])  # fmt: skip
    idea = {"date": "2024-01-08", "title": MARKUP}
    ward_chart = figures.figure(view, MARKUP, [idea])
    trust_chart = figures.figure(view, MARKUP, compact=True)
    units = [{"name": MARKUP, "count": 60, "bed_days": 1000},
             *({"name": f"W{i}", "count": 10, "bed_days": 1000} for i in range(4))]  # fmt: skip
    funnel = funnel_figure(units, MARKUP, MARKUP).figure  # its rows feed the autoescaped table
    for figure in (ward_chart, trust_chart, funnel):
        strings = list(_strings(figure))
        assert not any("<a " in s or "<b " in s for s in strings)
        assert any("&lt;a href=" in s for s in strings)
