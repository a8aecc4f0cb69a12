"""t and g charts reproduce qicharts2 (anhoej/qicharts2 @ 1b9487e); each test names its source.

Two kinds of expected values:
- qicharts2's own output: tests/testthat/ex_7.6_1.rds (a t chart, every column at full
  precision) and the labels its rendered vignette draws on the G and T charts of the cabg
  fatalities, both in golden/qicharts2_rare_events.json (made by
  golden/make_rare_events_reference.py, which names the command).
- where qicharts2 ships nothing (freeze, phases, same-day ties, few events): `QicTranscription`
  below, a separate line-by-line transcription of R/helper.functions.R (`qic.i`, `qic.t`,
  `qic.g`, `runs.analysis`, `makeparts`, `qic.agg`) and R/qic.R (`freeze <- Inf` when `part`
  is given) in plain Python (math.fsum, no NumPy), written from the R source, not from the
  engine.
"""

import json
import math
from pathlib import Path
from statistics import median

import pytest

from spc.engine import compute

GOLDEN = json.loads((Path(__file__).parent / "golden" / "qicharts2_rare_events.json").read_text())
RTOL = 1e-9


def close(a, b, rtol=RTOL):
    if a is None or b is None:
        return a is None and b is None
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=rtol, abs_tol=1e-12)


def assert_series(got, want, what):
    assert len(got) == len(want), what
    for k, (g, w) in enumerate(zip(got, want, strict=True)):
        assert close(g, w), f"{what}[{k}]: engine {g!r}, qicharts2 {w!r}"


# --- the transcription of qicharts2 (R/helper.functions.R @ 1b9487e) ---------------------

NA = None


def is_na(v):
    return v is None or (isinstance(v, float) and math.isnan(v))


def r_mean(xs):
    """mean(x, na.rm = TRUE); NaN for no values."""
    xs = [x for x in xs if not is_na(x)]
    return math.fsum(xs) / len(xs) if xs else math.nan


def r_pow(x, p):
    """R's `^`: a negative base with a non-integer power is NaN; NA stays NA."""
    if is_na(x):
        return math.nan
    return math.nan if x < 0 else x ** p


class QicTranscription:
    """qic(y, chart = 't' | 'g', freeze = , part = )$data, columns y, cl, lcl, ucl, lcl.95,
    ucl.95, sigma.signal and the runs analysis of each part."""

    def __init__(self, y, chart, freeze=None, part=None):
        n = len(y)
        # qic.R: if (is.null(freeze) || !is.null(part)) freeze <- Inf
        if freeze is None or part is not None:
            freeze = math.inf
        parts = self.makeparts(part or [], n)
        xx = list(range(1, n + 1))
        self.rows = []
        for p in sorted(set(parts)):
            idx = [k for k in range(n) if parts[k] == p]
            d = {"y": [y[k] for k in idx], "baseline": [xx[k] <= freeze for k in idx]}
            d = self.qic_t(d) if chart == "t" else self.qic_g(d)
            d = self.runs_analysis(d)
            self.rows.append(d)
        for key in ("y", "cl", "lcl", "ucl", "lcl.95", "ucl.95"):
            col = [v for d in self.rows for v in d[key]]
            # qic.agg(): d$ucl[!is.finite(d$ucl)] <- NA (and lcl, lcl.95, ucl.95)
            if key != "y" and key != "cl":
                col = [math.nan if is_na(v) or math.isinf(v) else v for v in col]
            setattr(self, key.replace(".", "_"), col)
        # sigma.signal <- y > ucl | y < lcl; NA -> FALSE
        self.sigma_signal = [
            (not is_na(v)) and ((not is_na(u) and v > u) or (not is_na(lo) and v < lo))
            for v, u, lo in zip(self.y, self.ucl, self.lcl, strict=True)]

    @staticmethod
    def makeparts(x, n):
        x = sorted({0, *x})
        x = [v for v in x if 0 <= v < n]
        bounds = [*x, n]
        out = []
        for k in range(len(x)):
            out += [k + 1] * (bounds[k + 1] - bounds[k])
        return out

    @staticmethod
    def qic_i(d):
        base = d["baseline"]  # include is all TRUE (no exclude)
        yb = [v for v, b in zip(d["y"], base, strict=True) if b]
        cl = r_mean(yb)
        centred = [NA if is_na(v) else v - cl for v in yb]
        mr = [NA if is_na(a) or is_na(b) else abs(b - a)
              for a, b in zip(centred, centred[1:], strict=False)]
        amr = r_mean(mr)
        ulmr = 3.267 * amr  # qic.screenedmr is TRUE once the package is attached
        mr = [m for m in mr if is_na(m) or m < ulmr]  # mr[mr < ulmr] keeps NA
        amr = r_mean(mr)
        stdev = amr / 1.128
        d["cl"] = [cl] * len(d["y"])
        d["lcl"] = [cl - 3 * stdev] * len(d["y"])
        d["lcl.95"] = [cl - 2 * stdev] * len(d["y"])
        d["ucl"] = [cl + 3 * stdev] * len(d["y"])
        d["ucl.95"] = [cl + 2 * stdev] * len(d["y"])
        return d

    def qic_t(self, d):
        if min(v for v in d["y"] if not is_na(v)) <= 0:
            raise ValueError("Time between events must be greater than zero")
        d["y"] = [r_pow(v, 1 / 3.6) for v in d["y"]]
        d = self.qic_i(d)
        d["y"] = [r_pow(v, 3.6) for v in d["y"]]
        for key in ("cl", "ucl", "ucl.95", "lcl", "lcl.95"):
            d[key] = [r_pow(v, 3.6) for v in d[key]]
        d["lcl"] = [0.0 if (math.isnan(v) or v < 0) else v for v in d["lcl"]]
        return d

    @staticmethod
    def qic_g(d):
        base = d["baseline"]
        yb = [v for v, b in zip(d["y"], base, strict=True) if b]
        cl = r_mean(yb)
        stdev = math.sqrt(cl * (cl + 1))
        n = len(d["y"])
        d["ucl"] = [cl + 3 * stdev] * n
        d["ucl.95"] = [cl + 2 * stdev] * n
        d["lcl"] = [max(cl - 3 * stdev, 0.0)] * n  # x$lcl[x$lcl < 0] <- 0
        d["lcl.95"] = [max(cl - 2 * stdev, 0.0)] * n
        d["cl"] = [median([v for v in yb if not is_na(v)])] * n
        return d

    @staticmethod
    def runs_analysis(d):
        runs = [0 if is_na(v) else (v > c) - (v < c) for v, c in zip(d["y"], d["cl"], strict=True)]
        runs = [r for r in runs if r != 0]
        n_useful = len(runs)
        lengths = []
        for r in runs:
            if lengths and lengths[-1][0] == r:
                lengths[-1][1] += 1
            else:
                lengths.append([r, 1])
        if not n_useful:  # runs.analysis(): the counts are NA
            d["runs"] = {"n_useful": 0, "longest_run": None, "longest_run_max": None,
                         "crossings": None, "crossings_min": None}
            return d
        d["runs"] = {
            "n_useful": n_useful,
            "longest_run": max(length for _, length in lengths),
            "longest_run_max": round(math.log2(n_useful)) + 3,
            "crossings": max(len(lengths) - 1, 0),
            "crossings_min": qbinom_05(n_useful - 1),
        }
        return d


def qbinom_05(trials):
    """stats::qbinom(0.05, trials, 0.5): smallest k with P(X <= k) >= 0.05."""
    cumulative = 0
    for k in range(trials + 1):
        cumulative += math.comb(trials, k)
        if cumulative * 20 >= 2 ** trials:
            return k
    return trials


def compare_with_transcription(values, chart, freeze=None, part=None, dates=None):
    ref = QicTranscription(values, chart, freeze=freeze, part=part)
    spec = {"values": values, "chart": chart, "rules": "anhoej", "limits": "qic"}
    if freeze is not None:
        spec["freeze"] = freeze
    if part is not None:
        spec["breaks"] = part
    if dates is not None:
        spec["dates"] = dates
    r = compute(spec)
    p = r["points"]
    assert_series(p["rate"], [None if is_na(v) else v for v in ref.y], "rate")
    assert_series(p["centre"], ref.cl, "centre")
    assert_series(p["upper"], ref.ucl, "upper")
    assert_series(p["lower"], ref.lcl, "lower")
    assert_series(p["upper_2sigma"], ref.ucl_95, "upper_2sigma")
    assert_series([math.nan if v is None else v for v in p["lower_2sigma"]], ref.lcl_95,
                  "lower_2sigma")
    assert [("outside_limits" in rules) for rules in p["rules"]] == ref.sigma_signal
    for phase, d in zip(r["phases"], ref.rows, strict=True):
        got = {k: phase["runs"][k] for k in d["runs"]}
        assert got == d["runs"]
    return r


# --- qicharts2's own output ------------------------------------------------------------------

def test_t_chart_montgomery_7_6_equals_qicharts2_testthat_reference():
    """Source: qicharts2 tests/testthat/test_montgomery.R 'Example 7.6' and ex_7.6_1.rds:
    qic(failure, hours, data = tbl_07.14, chart = 't')."""
    case = GOLDEN["montgomery_7_6_t"]
    want = case["expected"]
    r = compute({"values": case["values"], "chart": "t", "rules": "anhoej"})
    for key in ("rate", "centre", "upper", "lower"):
        assert_series(r["points"][key], want[key], key)
    assert [("outside_limits" in x) for x in r["points"]["rules"]] == want["sigma_signal"]
    runs = r["phases"][0]["runs"]
    assert (runs["n_useful"], runs["longest_run"], runs["longest_run_max"], runs["crossings"],
            runs["crossings_min"]) == tuple(int(want["runs"][k]) for k in (
                "n.useful", "longest.run", "longest.run.max", "n.crossings", "n.crossings.min"))
    assert runs["signal"] == want["runs_signal"]


def test_t_chart_limits_do_not_depend_on_the_limits_convention():
    """Source: qicharts2 qic.t() always calls qic.i() (3 × MR̄ / 1.128), like c/u/p charts."""
    case = GOLDEN["montgomery_7_6_t"]
    a = compute({"values": case["values"], "chart": "t", "limits": "mdc"})
    b = compute({"values": case["values"], "chart": "t", "limits": "qic"})
    assert a["points"]["upper"] == b["points"]["upper"]


def test_cabg_fatalities_table_matches_the_printed_vignette_head():
    """Source: qicharts2 vignette, 'T and G charts for rare events': head(fatalities)."""
    case = GOLDEN["cabg_fatalities"]
    head = case["printed_head"]
    assert case["dd"][:6] == head["dd"]
    assert case["dt"][:6] == head["dt"]
    assert case["dates"][0] == "2011-07-21"


@pytest.mark.parametrize(("chart", "column", "labels"), [
    ("g", "dd", "g_chart_labels"), ("t", "dt", "t_chart_labels")])
def test_cabg_fatalities_equal_the_vignette_charts(chart, column, labels):
    """Source: qicharts2 vignette (docs/articles/qicharts2.html, figures unnamed-chunk-39-1
    and -40-1): qic(dd, data = fatalities, chart = 'g') draws CL 24.0, UCL 128.2, LCL 0.0;
    qic(dt, ..., chart = 't') CL 11.2, UCL 97.3, LCL 0.0; death #25 is the one signal. Points
    are indexed by death number (point 1 has no gap: NA), dates as labels only."""
    case = GOLDEN["cabg_fatalities"]
    want = case[labels]
    r = compute({"values": case[column], "chart": chart, "dates": case["dates"]})
    p = r["points"]
    assert round(p["centre"][-1], 1) == want["centre"]
    assert round(p["upper"][-1], 1) == want["upper"]
    assert round(p["lower"][-1], 1) == want["lower"]
    outside = [k + 1 for k, rules in enumerate(p["rules"]) if "outside_limits" in rules]
    assert outside == want["signal_points"]
    assert p["missing"][0] and not any(p["missing"][1:])
    compare_with_transcription(case[column], chart)


# --- worked cases against the transcription ---------------------------------------------------

MONTGOMERY = GOLDEN["montgomery_7_6_t"]["values"]
CABG_DT = GOLDEN["cabg_fatalities"]["dt"]
CABG_DD = GOLDEN["cabg_fatalities"]["dd"]
SAME_DAY_GAPS = [3, 0, 12, 5, 0, 0, 7, 21, 2, 9, 0, 4, 15, 1, 0, 6, 30, 2, 8, 0, 11, 3]


@pytest.mark.parametrize(("name", "values", "chart", "freeze", "part"), [
    ("t_freeze_12_montgomery", MONTGOMERY, "t", 12, None),
    ("t_freeze_3_fewest_baseline_events", MONTGOMERY, "t", 3, None),
    ("t_two_phases_cabg", CABG_DT, "t", None, [34]),
    ("t_three_phases_cabg", CABG_DT, "t", None, [20, 45]),
    ("t_three_events", [5.0, 40.0], "t", None, None),
    ("g_same_day_ties", SAME_DAY_GAPS, "g", None, None),
    ("g_same_day_ties_freeze_10", SAME_DAY_GAPS, "g", 10, None),
    ("g_two_phases_cabg", CABG_DD, "g", None, [30]),
    ("g_two_events", [17.0], "g", None, None),
    ("g_freeze_20_cabg", CABG_DD, "g", 20, None),
])
def test_rare_event_charts_equal_the_qicharts2_transcription(name, values, chart, freeze, part):
    """Source: qicharts2 R/helper.functions.R @ 1b9487e (qic.t, qic.i, qic.g, runs.analysis,
    qic.agg) and R/qic.R, transcribed in `QicTranscription`; inputs from qicharts2's
    tbl_07.14 (R/sysdata.rda) and data/cabg.rda, or made up (same-day ties)."""
    compare_with_transcription(values, chart, freeze=freeze, part=part)


def test_t_chart_lower_two_sigma_line_is_missing_where_qicharts2_has_nan():
    """Source: qicharts2 qic.t(): only lcl is clipped (`lcl[lcl < 0 | is.nan(lcl)] <- 0`);
    lcl.95 = negative^3.6 = NaN, which qic.agg() turns into NA."""
    ref = QicTranscription(MONTGOMERY, "t")
    assert math.isnan(ref.lcl_95[0]) is False  # Montgomery: cl - 2 sd > 0 in y^(1/3.6)
    r = compute({"values": [1.0, 400.0, 2.0, 350.0, 1.5], "chart": "t"})
    assert r["points"]["lower"][0] == 0.0
    assert r["points"]["lower_2sigma"][0] is None
    compare_with_transcription([1.0, 400.0, 2.0, 350.0, 1.5], "t")
