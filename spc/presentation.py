"""What a stored chart looks like to a person: a plain-English sentence, labels and icon
names (spc/figures.py draws the chart itself, spc/funnel_figure.py the funnel plot). Pure:
reads typed stored views (spc.stored.ChartView), no database.
"""

import datetime
import math

# Making Data Count colours as NHSRplotthedots R/ptd_spc_colours.R defines them.
COLOURS = {
    "common_cause": "#a6a6a6",
    "special_cause_improvement": "#00b0f0",
    "special_cause_neutral": "#490092",
    "special_cause_concern": "#e46c0a",
    "mean_line": "#000000",
    "limit_line": "#a6a6a6",
    "target": "#de1b1b",
}
CLASSIFICATION_LABELS = {
    "common_cause": "Common cause",
    "special_cause_improvement": "Special cause improvement",
    "special_cause_concern": "Special cause concern",
    "special_cause_neutral": "Special cause (neither better nor worse)",
}
RULE_LABELS = {
    "outside_limits": "a point outside the control limits",
    "shift": "a shift: 7 or more points on one side of the centre line",
    "trend": "a trend: 7 or more points rising or falling",
    "two_of_three": "2 of 3 points beyond the 2-sigma line",
    "long_run": "an unusually long run (Anhøj)",
    "few_crossings": "too few crossings of the centre line (Anhøj)",
}
VARIATION_LABELS = {
    "common_cause": "Common cause variation",
    "improvement_high": "Special cause improvement (high)",
    "improvement_low": "Special cause improvement (low)",
    "concern_high": "Special cause concern (high)",
    "concern_low": "Special cause concern (low)",
    "neutral_high": "Special cause variation, neither improvement nor concern (high)",
    "neutral_low": "Special cause variation, neither improvement nor concern (low)",
}
ASSURANCE_LABELS = {
    "consistent_pass": "Target consistently met",
    "consistent_fail": "Target consistently not met",
    "hit_and_miss": "Target hit and miss",
}


REPORTING_PHRASE = (
    "a reporting measure: more reports can mean better reporting, so neither direction is "
    "shown as improvement or concern and no assurance icon is given"
)

PERIOD_WORDS = {
    "week": ("week", "weeks"),
    "4week": ("4-week period", "4-week periods"),
    "month": ("month", "months"),
    "event": ("gap between incidents", "gaps between incidents"),
}
VIEW_LABELS = {
    "chosen": "Chosen chart",
    "week": "Weekly",
    "4week": "4-weekly",
    "month": "Monthly",
}


def week_label(iso: str | None) -> str:
    if not iso:
        return ""
    day = datetime.date.fromisoformat(iso)
    return f"w/c {day.day} {day:%b %Y}"


def long_date(iso: str) -> str:
    day = datetime.date.fromisoformat(iso)
    return f"{day.day} {day:%b %Y}"


def point_label(iso: str, period: str) -> str:
    """A point as a person names it: the week, the period, the month or the incident's day."""
    day = datetime.date.fromisoformat(iso)
    if period == "week":
        return week_label(iso)
    if period == "month":
        return f"{day:%B %Y}"
    if period == "4week":
        return f"4 weeks from {day.day} {day:%b %Y}"
    return f"incident on {day.day} {day:%b %Y}"


def number(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def plain_summary(name: str, view) -> str:
    """One sentence a QI lead can read aloud, naming the chart and why it was chosen, e.g.
    "Seclusion: 410 occupied bed days between incidents over the last 3 gaps between
    incidents, 35% above baseline (304); common cause variation only. Chart: 0.2 incidents
    expected a week: showing occupied bed days between incidents (g chart) …" """
    if view is None:
        return f"{name}: not enough data for a chart yet."
    s = view.summary
    one, many = PERIOD_WORDS.get(s.period, PERIOD_WORDS["week"])
    span = f"the last {s.recent_n} {many if s.recent_n != 1 else one}"
    parts = [f"{name}: {number(s.recent_value)} {s.unit} over {span}"]
    if s.percent_change is not None and s.baseline_centre:
        direction = "below" if s.percent_change < 0 else "above"
        if round(abs(s.percent_change)) == 0:
            parts[0] += f", the same as baseline ({number(s.baseline_centre)})"
        else:
            parts[0] += (
                f", {abs(s.percent_change):.0f}% {direction} baseline ({number(s.baseline_centre)})"
            )
    elif s.baseline_centre == 0:
        parts[0] += ", with no incidents in the baseline"
    parts.append(_variation_phrase(view))
    if s.improvement_applied == "neutral":
        parts.append(REPORTING_PHRASE)
    target = _target_phrase(s, view.targets[0] if view.targets else None)
    if target:
        parts.append(target)
    sentence = "; ".join(parts) + "."
    if s.explanation:
        sentence += f" {s.explanation[0].upper()}{s.explanation[1:]}"
        sentence += "" if sentence.endswith(".") else "."
    return f"{sentence} Chart: {s.reason}."


def _mix_words(change: dict) -> str:
    parts = [f"{change['joined']} joined" if change["joined"] else "",
             f"{change['left']} left" if change["left"] else ""]  # fmt: skip
    return ", ".join(p for p in parts if p)


def mix_change_label(change: dict) -> str:
    """A change of the enrolled wards, as a chart annotation: "Ward mix changed: 4 joined,
    1 left"."""
    return f"Ward mix changed: {_mix_words(change)}"


def coverage_line(view) -> str:
    """Under an aggregate chart: how many enrolled wards its latest point sums, and where the
    mix of wards changed ("" for a ward's own chart)."""
    if view is None or not view.contributors:
        return ""
    last = next((i for i in range(len(view) - 1, -1, -1) if view.value[i] is not None), None)
    if last is None:
        return ""
    reported = view.contributors[last]
    of = f" of {view.enrolled[last]} enrolled" if view.enrolled else ""
    text = (f"The latest point ({point_label(view.dates[last], view.summary.period)}) sums "
            f"{reported}{of} wards")  # fmt: skip
    if view.mix_changes:
        marks = "; ".join(f"{week_label(c['date'])} ({_mix_words(c)})"
                          for c in view.mix_changes)  # fmt: skip
        text += (f". The mix of enrolled wards changed by more than the set share at: {marks}"
                 " (dashed lines): a step there may be the mix of wards, not a change in care")
    return text + "."


def _runs_phrase(runs: dict | None) -> str:
    if not runs or not runs.get("signal"):
        return "no control limits, so no special cause icon; the run rules find no pattern"
    found = []
    if runs["longest"] is not None and runs["longest"] > runs["longest_max"]:
        found.append(f"a run of {runs['longest']} points on one side of the median (more than "
                     f"{runs['longest_max']} is unusual)")  # fmt: skip
    if runs["crossings"] is not None and runs["crossings"] < runs["crossings_min"]:
        found.append(f"only {runs['crossings']} crossings of the median (fewer than "
                     f"{runs['crossings_min']} is unusual)")  # fmt: skip
    return ("no control limits, so no special cause icon; the run rules (Anhøj) find a "
            f"pattern unlikely by chance: {' and '.join(found)}")


def _variation_phrase(view) -> str:
    s = view.summary
    if not view.has_limits:
        return _runs_phrase(s.runs)
    icon = s.variation_icon or "common_cause"
    if icon == "common_cause":
        return "common cause variation only"
    kind = icon.split("_")[0]
    phrase = {
        "improvement": "special cause improvement",
        "concern": "special cause concern",
        "neutral": "special cause variation",
    }[kind]
    if s.sustained_signal and s.sustained_since:
        return f"{phrase} since {point_label(s.sustained_since, s.period)}"
    return f"{phrase} at the latest point"


def target_name(target: dict) -> str:
    """A target line as a person names it: "50% reduction", "50% increase", "3.0", "the
    trajectory" (targets stored before kinds existed are reductions)."""
    kind = target.get("kind", "reduce")
    percent = target.get("percent", target.get("reduction_percent"))
    if kind in ("reduce", "increase"):
        return f"{percent}% {'reduction' if kind == 'reduce' else 'increase'}"
    if kind == "trajectory":
        return "trajectory"
    return number(target.get("value"))


def target_label(target: dict) -> str:
    """The legend of a target line: "50% reduction target by 31 Mar 2024: 2.0"."""
    by = f" by {long_date(target['deadline'])}" if target.get("deadline") else ""
    kind = target.get("kind", "reduce")
    if kind == "value":
        return f"Target {number(target.get('value'))}{by}"
    if kind == "trajectory":
        steps = target.get("steps") or []
        end = f": {number(steps[-1][1])}" if steps else ""
        return f"Trajectory{by}{end}"
    return f"{target_name(target)} target{by}: {number(target.get('value'))}"


def _deadline_phrase(s, target: dict | None) -> str:
    """After the deadline: met or not *at* the deadline, and what holds now, e.g. "target 50%
    reduction by 30 Sep 2023: met at the deadline (2.1 vs target 2.4) and still met now (2.0
    vs 2.4)"."""
    name = target_name(target) if target else number(s.target_value)
    head = f"target {name} by {long_date(s.target_deadline)}"
    if s.deadline_met is None:
        met = {True: "met", False: "not met"}.get(s.target_met, "not judged")
        return f"{head}: the deadline has passed; {met} now"
    then = (f"{'met' if s.deadline_met else 'not met'} at the deadline "
            f"({number(s.deadline_value)} vs target {number(s.deadline_target)})")  # fmt: skip
    now_figures = f"({number(s.recent_value)} vs {number(s.target_value)})"
    if s.target_met is None:
        return f"{head}: {then}"
    if s.target_met == s.deadline_met:
        return f"{head}: {then} and still {'met' if s.target_met else 'not met'} now {now_figures}"
    since = "met since" if s.target_met else "no longer met"
    return f"{head}: {then}, {since} {now_figures}"


def _target_phrase(s, target: dict | None = None) -> str:
    if s.target_value is None or not s.baseline_centre:
        return ""  # a target of "0.0" off a baseline of none tells nobody anything
    if s.deadline_passed and s.target_deadline:
        return _deadline_phrase(s, target)
    by = f" by {long_date(s.target_deadline)}" if s.target_deadline else ""
    assurance = {
        "consistent_pass": "consistently met",
        "consistent_fail": "consistently not met",
        "hit_and_miss": "hit and miss",
    }.get(s.assurance_icon, "")
    return f"target {number(s.target_value)}{by} {assurance}".rstrip()

