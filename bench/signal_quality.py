"""Signal quality of the engine's chart choice on simulated wards (a benchmark, not a test).

Simulated wards at true rates of 0.1, 0.3, 1, 3, 10 and 30 incidents a week (at 140 occupied
bed days): each ward draws its bed-day level once, uniform 100–180 a week, then ±10% week to
week; weekly counts are Poisson with mean rate × bed days / 140; each incident gets a day
drawn uniformly within its week. The series starts on a random Monday of 2023, the first 20
weeks are the frozen baseline (`freeze: 20`), improvement is "decrease", Making Data Count
rules. After 26 and 52 further weeks:
(a) stable wards (constant rate): share with a special-cause variation icon at the latest
    point (any: improvement, concern);
(b) wards with a true sustained 50% reduction from the first week after the baseline: share
    whose icon at the latest point is "improvement";
and, on the same data, the power of the exact conditional Poisson rate-ratio test (post-period
incidents given the total are binomial with p = post bed days / all bed days under no change;
one-sided, non-randomised, at the chart's measured (a) and at 5%): the limit no method beats.

    .venv/bin/python bench/signal_quality.py --wards 2000 --seed 2026
    .venv/bin/python bench/signal_quality.py --methods auto,u_week,u_4week,g,t --wards 1000

Methods: `auto` (the engine's default choice: "chart": "auto" with event dates), `auto_noevents`
(the same without event dates), `u_week` (today: a weekly u chart spec), `u_4week`, `u_month`,
`run_week`, `run_4week` (run charts of the rate), `g` (bed days between incidents), `t` (days
between incidents; fails on same-day pairs).
"""

from __future__ import annotations

import argparse
import collections
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from spc.engine import compute_auto_batch  # noqa: E402

RATES = (0.1, 0.3, 1.0, 3.0, 10.0, 30.0)
BASELINE_WEEKS = 20
HORIZONS = (26, 52)
REFERENCE_BED_DAYS = 140.0
REDUCTION = 0.5
METHODS = ("auto", "auto_noevents", "u_week", "u_4week", "u_month", "run_week", "run_4week",
           "g", "t")
FIRST_MONDAY = np.datetime64("2023-01-02")


def simulate(rng, rate: float, wards: int, weeks: int, reduced: bool):
    """Bed days (wards, weeks), counts, start Mondays and each ward's incident days."""
    level = rng.uniform(100, 180, size=(wards, 1))
    bed_days = np.round(level * rng.uniform(0.9, 1.1, size=(wards, weeks)))
    mean = rate * bed_days / REFERENCE_BED_DAYS
    if reduced:
        mean[:, BASELINE_WEEKS:] *= 1 - REDUCTION
    counts = rng.poisson(mean)
    starts = FIRST_MONDAY + 7 * rng.integers(0, 52, size=wards)
    events = []
    for w in range(wards):
        week_of = np.repeat(np.arange(weeks), counts[w])
        days = starts[w] + 7 * week_of + rng.integers(0, 7, size=len(week_of))
        events.append(np.sort(days))
    return bed_days, counts, starts, events


def spec_for(method: str, counts, bed_days, start, events, horizon: int) -> dict:
    n = BASELINE_WEEKS + horizon
    weeks = [str(start + 7 * k) for k in range(n)]
    spec = {"values": counts[:n].tolist(), "denominators": bed_days[:n].tolist(),
            "dates": weeks, "freeze": BASELINE_WEEKS, "improvement": "decrease",
            "multiply": 1000, "rules": "mdc", "limits": "mdc"}
    last = start + 7 * n
    ev = [str(d) for d in events[events < last]]
    if method == "u_week":
        return dict(spec, chart="u")
    if method == "auto":
        return dict(spec, chart="auto", events=ev)
    if method == "auto_noevents":
        return dict(spec, chart="auto")
    if method in ("u_4week", "u_month"):
        return dict(spec, chart="u", period=method[2:])
    if method in ("run_week", "run_4week"):
        return dict(spec, chart="run", period=method[4:])
    return dict(spec, chart=method, events=ev)


def icons(method: str, cell, horizon: int):
    bed_days, counts, starts, events = cell
    specs = [spec_for(method, counts[w], bed_days[w], starts[w], events[w], horizon)
             for w in range(len(starts))]
    out = compute_auto_batch(specs, on_error="return", as_dict=False)
    names, charts = [], collections.Counter()
    for r in out:
        if isinstance(r, dict):
            names.append(None)
            charts[f"error: {r['error']['type']}"] += 1
            continue
        # As the app shows them (spc/stored.py): a run chart has no limits, so no icon.
        run_chart = r.result.options.chart == "run"
        names.append(None if run_chart else r.result.summary.variation_icon)
        charts[r.choice.chart + ("/" + r.choice.period if r.choice.period != "event" else "")
               if r.choice else r.result.options.chart + "/week"] += 1
    return names, charts


def log_factorials(n_max: int) -> np.ndarray:
    return np.concatenate([[0.0], np.cumsum(np.log(np.arange(1, n_max + 1)))])


def binomial_lower_tail(x: np.ndarray, total: np.ndarray, p: np.ndarray,
                        lf: np.ndarray) -> np.ndarray:
    """P(X <= x) for X ~ Binomial(total, p), per ward (log-space sums)."""
    out = np.empty(len(x))
    for w in range(len(x)):
        k = np.arange(int(x[w]) + 1)
        n = int(total[w])
        logs = lf[n] - lf[k] - lf[n - k] + k * math.log(p[w]) + (n - k) * math.log1p(-p[w])
        top = logs.max()
        out[w] = math.exp(top) * np.exp(logs - top).sum()
    return np.minimum(out, 1.0)


def test_p_values(cell, horizon: int) -> np.ndarray:
    """One-sided p-values of the conditional test of fewer post-baseline incidents."""
    bed_days, counts, _, _ = cell
    n = BASELINE_WEEKS + horizon
    x_post = counts[:, BASELINE_WEEKS:n].sum(axis=1)
    total = counts[:, :n].sum(axis=1)
    p = bed_days[:, BASELINE_WEEKS:n].sum(axis=1) / bed_days[:, :n].sum(axis=1)
    lf = log_factorials(int(total.max()) + 1)
    return binomial_lower_tail(x_post, total, p, lf)


def share(flags) -> float:
    return float(np.mean(flags))


def run(args) -> dict:
    rng = np.random.default_rng(args.seed)
    weeks = BASELINE_WEEKS + max(HORIZONS)
    results = {"wards": args.wards, "seed": args.seed, "rates": {}}
    for rate in args.rates:
        stable = simulate(rng, rate, args.wards, weeks, reduced=False)
        reduced = simulate(rng, rate, args.wards, weeks, reduced=True)
        cell = {"methods": {}, "test": {}}
        for h in HORIZONS:
            p_reduced = test_p_values(reduced, h)
            p_stable = test_p_values(stable, h)
            cell["test"][h] = {"power_5pct": share(p_reduced <= 0.05),
                               "size_5pct": share(p_stable <= 0.05),
                               "p_reduced": p_reduced}
        for method in args.methods:
            m = {}
            for h in HORIZONS:
                false_icons, charts = icons(method, stable, h)
                true_icons, _ = icons(method, reduced, h)
                a = share([i not in (None, "common_cause") for i in false_icons])
                b = share([i is not None and i.startswith("improvement") for i in true_icons])
                alpha = a if a > 0 else 0.0
                limit = share(cell["test"][h]["p_reduced"] <= alpha) if alpha > 0 else 0.0
                m[h] = {"false_icon": a, "improvement": b, "test_power_at_a": limit,
                        "charts": dict(charts.most_common())}
            cell["methods"][method] = m
            print(f"rate {rate:>5}: {method:<13} " + "  ".join(
                f"{h}w a={m[h]['false_icon']:.3f} b={m[h]['improvement']:.3f} "
                f"limit@a={m[h]['test_power_at_a']:.3f} "
                f"limit@5%={cell['test'][h]['power_5pct']:.3f}" for h in HORIZONS)
                + f"  {m[HORIZONS[0]]['charts']}", flush=True)
        for h in HORIZONS:
            cell["test"][h].pop("p_reduced")
        results["rates"][rate] = cell
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--wards", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--rates", default=",".join(map(str, RATES)))
    parser.add_argument("--methods", default="auto,u_week")
    parser.add_argument("--json", default=None, help="write the figures to this file")
    args = parser.parse_args()
    args.rates = [float(r) for r in args.rates.split(",")]
    args.methods = args.methods.split(",")
    started = time.perf_counter()
    results = run(args)
    print(f"{args.wards} wards per cell; Monte-Carlo SE of a share p: sqrt(p(1-p)/"
          f"{args.wards}) (0.5% at p = 5%, 1.1% at 50%); {time.perf_counter() - started:.0f} s")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, default=str))


if __name__ == "__main__":
    main()
