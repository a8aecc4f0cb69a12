"""Timing of the automatic chart choice over the national workload (a benchmark, not a test).

16,000 weekly ward series of 160 weeks (the app recomputes ~16,000 charts): occupied bed days
150-420 a week, true rates spread over 0.1-30 incidents a week (log-uniform), incident dates
within each week, 20-week baselines, a date break in every third series, a 25% reduction
target, ~0.2% missing weeks. Times `compute_auto_batch` with `"chart": "auto"` specs (with
event dates), as result objects and as JSON dicts, against `compute_batch` of today's weekly
u-chart specs on the same data.

    .venv/bin/python bench/auto_batch.py [--series 16000] [--repeats 3] [--no-events]
"""

from __future__ import annotations

import argparse
import collections
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from spc.engine import compute_auto_batch, compute_batch  # noqa: E402

WEEKS = 160
FREEZE = 20
FIRST = np.datetime64("2023-01-02")


def workload(series: int, seed: int = 2024) -> list[dict]:
    rng = np.random.default_rng(seed)
    dates = [str(FIRST + 7 * k) for k in range(WEEKS)]
    rates = np.exp(rng.uniform(np.log(0.1), np.log(30), size=series))
    specs = []
    for s in range(series):
        bed_days = rng.integers(150, 420, size=WEEKS).astype(float)
        counts = rng.poisson(rates[s] * bed_days / 140).astype(float)
        days = np.repeat(np.arange(WEEKS), counts.astype(int)) * 7 + rng.integers(
            0, 7, size=int(counts.sum()))
        events = [str(FIRST + int(d)) for d in np.sort(days)]
        missing = rng.random(WEEKS) < 0.002
        events = [e for e in events
                  if not missing[(np.datetime64(e) - FIRST).astype(int) // 7]]
        counts[missing] = np.nan
        spec = {"chart": "auto", "values": [None if v != v else v for v in counts.tolist()],
                "denominators": bed_days.tolist(), "dates": dates, "events": events,
                "freeze": FREEZE, "improvement": "decrease", "multiply": 1000,
                "target": {"reduction": 0.25}, "recent_n": 12}
        if s % 3 == 0:
            spec["breaks"] = [dates[int(rng.integers(40, 120))]]
        specs.append(spec)
    return specs


def weekly_u(spec: dict) -> dict:
    return {k: v for k, v in spec.items() if k != "events"} | {"chart": "u"}


def timed(fn, repeats: int):
    times, out = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--series", type=int, default=16_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-events", action="store_true", help="automatic specs without "
                        "incident dates (weekly counts and bed days only)")
    args = parser.parse_args()
    specs = workload(args.series)
    if args.no_events:
        specs = [{k: v for k, v in s.items() if k != "events"} for s in specs]
    plain = [weekly_u(s) for s in specs]
    print(f"Python {platform.python_version()}, NumPy {np.__version__}; {args.series} series "
          f"x {WEEKS} weeks, {sum(len(s.get('events', ())) for s in specs):,} incident dates")
    compute_auto_batch(specs[:500], as_dict=False)  # warm-up
    t_obj, runs_obj, objects = timed(lambda: compute_auto_batch(specs, as_dict=False),
                                     args.repeats)
    charts = collections.Counter(o.choice.chart + "/" + o.choice.period for o in objects)
    print(f"auto, objects : median {t_obj:.2f} s  runs {[round(x, 2) for x in runs_obj]}  "
          f"charts {dict(charts.most_common())}")
    t_dict, runs_dict, _ = timed(lambda: compute_auto_batch(specs), args.repeats)
    print(f"auto, dicts   : median {t_dict:.2f} s  runs {[round(x, 2) for x in runs_dict]}")
    t_u, runs_u, _ = timed(lambda: compute_batch(plain), args.repeats)
    print(f"weekly u dicts: median {t_u:.2f} s  runs {[round(x, 2) for x in runs_u]} "
          "(compute_batch of today's specs)")


if __name__ == "__main__":
    main()
