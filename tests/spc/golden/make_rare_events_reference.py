"""Builds qicharts2_rare_events.json from qicharts2's own files (run once; not a test).

    git clone https://github.com/anhoej/qicharts2 /tmp/qicharts2   # @ 1b9487e
    pip install --target /tmp/pyreadr pyreadr
    PYTHONPATH=/tmp/pyreadr python tests/spc/golden/make_rare_events_reference.py /tmp/qicharts2

- tests/testthat/ex_7.6_1.rds: `qic(failure, hours, data = tbl_07.14, chart = 't')$data`
  (Montgomery example 7.6), every column at full double precision.
- data/cabg.rda and the vignette (vignettes/qicharts2.Rmd, "T and G charts for rare
  events"): the `fatalities` table (`x = row_number()`, `dd = x - lag(x)`, `dt = date -
  lag(date)`), whose printed head we check, and the labels the rendered vignette draws on the
  G and T charts (docs/articles/qicharts2_files/figure-html/unnamed-chunk-39-1.png and
  -40-1.png, read by eye: CL, UCL, LCL to one decimal, the one red point).
"""

import datetime as dt
import json
import math
import sys
from pathlib import Path

import pyreadr


def nan_to_none(values):
    return [None if (isinstance(v, float) and math.isnan(v)) else v for v in values]


def main(repo: str) -> None:
    root = Path(repo)
    ex = pyreadr.read_r(str(root / "tests/testthat/ex_7.6_1.rds"))[None]
    cabg = pyreadr.read_r(str(root / "data/cabg.rda"))["cabg"].reset_index(drop=True)
    cabg["x"] = range(1, len(cabg) + 1)
    deaths = cabg[cabg["death"]].copy()
    dd = [None] + [float(v) for v in deaths["x"].diff().iloc[1:]]
    dates = [str(d) for d in deaths["date"]]
    day = [dt.date.fromisoformat(d) for d in dates]
    dt_days = [None] + [float((b - a).days) for a, b in zip(day, day[1:], strict=False)]
    out = {
        "source": "anhoej/qicharts2 @ 1b9487e",
        "command": "PYTHONPATH=/tmp/pyreadr python tests/spc/golden/"
                   "make_rare_events_reference.py /tmp/qicharts2",
        "montgomery_7_6_t": {
            "source": "tests/testthat/ex_7.6_1.rds",
            "qic_call": "qic(failure, hours, data = tbl_07.14, chart = 't')",
            "values": [float(v) for v in ex["y.sum"]],
            "expected": {
                "rate": list(map(float, ex["y"])),
                "centre": list(map(float, ex["cl"])),
                "upper": list(map(float, ex["ucl"])),
                "lower": list(map(float, ex["lcl"])),
                "sigma_signal": list(map(bool, ex["sigma.signal"])),
                "runs": {k: float(ex[k].iloc[0]) for k in (
                    "n.useful", "longest.run", "longest.run.max", "n.crossings",
                    "n.crossings.min")},
                "runs_signal": bool(ex["runs.signal"].iloc[0]),
            },
        },
        "cabg_fatalities": {
            "source": "data/cabg.rda; vignettes/qicharts2.Rmd 'T and G charts for rare events'",
            "printed_head": {"x": [37, 60, 99, 114, 148, 149], "dd": [None, 23, 39, 15, 34, 1],
                             "dt": [None, 16, 20, 5, 13, 1]},
            "dates": dates,
            "dd": nan_to_none(dd),
            "dt": nan_to_none(dt_days),
            "g_chart_labels": {"call": "qic(dd, data = fatalities, chart = 'g')",
                               "figure": "unnamed-chunk-39-1.png",
                               "centre": 24.0, "upper": 128.2, "lower": 0.0,
                               "signal_points": [25]},
            "t_chart_labels": {"call": "qic(dt, data = fatalities, chart = 't')",
                               "figure": "unnamed-chunk-40-1.png",
                               "centre": 11.2, "upper": 97.3, "lower": 0.0,
                               "signal_points": [25]},
        },
    }
    target = Path(__file__).with_name("qicharts2_rare_events.json")
    target.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
