"""Benchmark of the SPC engine on the national workload (not a test).

15,000 series of 160 weekly points: u charts (incidents per 1,000 occupied bed days) with
Making Data Count rules, 20-point baselines, one phase break in a third of the series.
Times the batch path (`compute_arrays`, 2-D arrays) and a plain per-series loop of the public
API (`compute_chart`) in one run, and prints medians and their ratio.

    python bench/engine.py [--repeats 5] [--loop-repeats 3] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import platform
import pstats
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from spc.engine import ChartOptions, TargetSpec, compute_arrays, compute_batch, compute_chart  # noqa: E402

SERIES = 15_000
POINTS = 160
FREEZE = 20


def national_workload(seed: int = 2024):
    """Synthetic weekly incidents and occupied bed days; a break at a random week in every
    third series, and a step change after it so that rules fire."""
    rng = np.random.default_rng(seed)
    bed_days = rng.integers(150, 420, size=(SERIES, POINTS)).astype(float)
    rate = rng.uniform(2, 40, size=(SERIES, 1)) / 1000
    breaks = [[] for _ in range(SERIES)]
    for s in range(0, SERIES, 3):
        b = int(rng.integers(40, 120))
        breaks[s] = [b]
    step = np.ones((SERIES, POINTS))
    for s in range(0, SERIES, 3):
        step[s, breaks[s][0]:] = 0.6
    counts = rng.poisson(rate * step * bed_days).astype(float)
    counts[rng.random((SERIES, POINTS)) < 0.002] = np.nan
    return counts, bed_days, breaks


def options() -> ChartOptions:
    return ChartOptions(chart="u", limits="mdc", rules="mdc", improvement="decrease",
                        multiply=1000, freeze=FREEZE, target=TargetSpec(reduction=0.25))


def run_batch(counts, bed_days, breaks):
    return compute_arrays(counts, bed_days, options=options(), breaks=breaks)


def run_loop(counts, bed_days, breaks):
    out = []
    base = options()
    per_break = {}
    for s in range(SERIES):
        key = tuple(breaks[s])
        o = per_break.get(key)
        if o is None:
            o = per_break[key] = ChartOptions(**{**base.__dict__, "breaks": key})
        out.append(compute_chart(counts[s].tolist(), bed_days[s].tolist(), options=o))
    return out


def to_specs(counts, bed_days, breaks):
    return [{"values": [None if np.isnan(v) else v for v in counts[s].tolist()],
             "denominators": bed_days[s].tolist(), "chart": "u", "multiply": 1000,
             "freeze": FREEZE, "breaks": breaks[s], "improvement": "decrease",
             "target": {"reduction": 0.25}} for s in range(SERIES)]


def timed(fn, *args, repeats: int):
    times = []
    result = None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn(*args)
        times.append(time.perf_counter() - start)
    return statistics.median(times), times, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--loop-repeats", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="also time the JSON paths")
    parser.add_argument("--profile", action="store_true", help="profile one batch run")
    args = parser.parse_args()
    counts, bed_days, breaks = national_workload()
    print(f"Python {platform.python_version()}, NumPy {np.__version__}, {platform.machine()}")
    print(f"workload: {SERIES} u-chart series x {POINTS} weekly points, freeze {FREEZE}, "
          f"{sum(1 for b in breaks if b)} with one break, MDC rules")
    run_batch(counts, bed_days, breaks)  # warm-up
    batch_t, batch_all, batch = timed(run_batch, counts, bed_days, breaks, repeats=args.repeats)
    loop_t, loop_all, loop = timed(run_loop, counts, bed_days, breaks, repeats=args.loop_repeats)
    for s in range(0, SERIES, 997):  # the two paths must agree exactly
        assert batch.series(s).to_dict() == loop[s].to_dict(), s
    print(f"batch  compute_arrays : median {batch_t:.3f} s  ({SERIES / batch_t:,.0f} series/s)  "
          f"runs {[round(x, 3) for x in batch_all]}")
    print(f"loop   compute_chart  : median {loop_t:.3f} s  ({SERIES / loop_t:,.0f} series/s)  "
          f"runs {[round(x, 3) for x in loop_all]}")
    print(f"speed-up batch / loop : {loop_t / batch_t:.1f}x")
    if args.json:
        specs = to_specs(counts, bed_days, breaks)
        json_t, json_all, _ = timed(compute_batch, specs, repeats=max(1, args.repeats // 2))
        print(f"json   compute_batch  : median {json_t:.3f} s  ({SERIES / json_t:,.0f} series/s)")
    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        run_batch(counts, bed_days, breaks)
        profile.disable()
        pstats.Stats(profile).sort_stats("tottime").print_stats(15)


if __name__ == "__main__":
    main()
