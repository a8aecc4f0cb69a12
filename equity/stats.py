"""Rate ratios with exact intervals, and small-number suppression. Pure Python + NumPy.

A group's events over its occupied bed days are a Poisson rate. Conditional on the total
number of events n = a + b in two groups, the events of the first are Binomial(n, π) with
π = RR·Ta / (RR·Ta + Tb), so an exact (Clopper–Pearson) interval for π gives an exact
conditional interval for the rate ratio RR (Rothman & Greenland, Modern Epidemiology, 3rd ed.,
ch. 14; the method of R's `poisson.test` for two samples).
"""

from dataclasses import dataclass

import numpy as np

# Counts from 1 to 7 are suppressed outside the organisation: NHS Digital's rule for its Mental
# Health Act and MHSDS statistics ("*" for 1 to 7). The threshold is a setting
# (EQUITY_SUPPRESS_UP_TO); this is its default.
SUPPRESS_UP_TO = 7
# Fewer events than this in either group and an interval "means nothing": the ratio is not
# shown, the page says there are too few events (EQUITY_MIN_EVENTS).
MIN_EVENTS = 5


def _binomial_log_pmf(n: int, p: float) -> np.ndarray:
    k = np.arange(n + 1)
    lg = np.concatenate(([0.0], np.cumsum(np.log(np.arange(1, n + 1)))))  # log k!
    with np.errstate(divide="ignore", invalid="ignore"):
        return lg[n] - lg - lg[::-1] + k * np.log(p) + (n - k) * np.log1p(-p)


def binomial_cdf(k: int, n: int, p: float) -> float:
    """P(X ≤ k) for X ~ Binomial(n, p)."""
    if k < 0:
        return 0.0
    if k >= n or p <= 0.0:
        return 1.0
    if p >= 1.0:
        return 0.0
    return float(np.exp(_binomial_log_pmf(n, p)[: k + 1]).sum().clip(0.0, 1.0))


def _solve(f, target: float) -> float:
    """The p in (0, 1) where the decreasing function f crosses target (bisection)."""
    lo, hi = 0.0, 1.0
    for _ in range(200):
        mid = (lo + hi) / 2
        if f(mid) > target:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-15:
            break
    return (lo + hi) / 2


def clopper_pearson(x: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """The exact binomial interval for x successes in n trials (Clopper & Pearson 1934): the
    proportions at which P(X ≥ x) and P(X ≤ x) are each (1 − confidence) / 2."""
    if n <= 0 or not 0 <= x <= n:
        raise ValueError(f"need 0 ≤ x ≤ n and n > 0, got x={x}, n={n}")
    tail = (1 - confidence) / 2
    # P(X ≥ x) = tail is P(X ≤ x − 1) = 1 − tail; both CDFs fall as p rises.
    lower = 0.0 if x == 0 else _solve(lambda p: binomial_cdf(x - 1, n, p), 1 - tail)
    upper = 1.0 if x == n else _solve(lambda p: binomial_cdf(x, n, p), tail)
    return lower, upper


@dataclass(frozen=True)
class RateRatio:
    ratio: float | None  # None when the reference group has no events
    lower: float | None
    upper: float | None  # None: no upper bound (the reference group has no events)
    enough_events: bool  # False: fewer than MIN_EVENTS in either group; show no interval


def rate_ratio(a: int, bed_days_a: float, b: int, bed_days_b: float, *,
               confidence: float = 0.95, min_events: int = MIN_EVENTS) -> RateRatio:
    """Rate ratio of group A against reference B with its exact conditional interval."""
    if bed_days_a <= 0 or bed_days_b <= 0:
        raise ValueError("each group needs occupied bed days to have a rate")
    enough = a >= min_events and b >= min_events
    scale = bed_days_b / bed_days_a
    ratio = a / b * scale if b else None
    n = a + b
    if n == 0:
        return RateRatio(None, None, None, False)
    lo_p, hi_p = clopper_pearson(a, n, confidence)
    lower = lo_p / (1 - lo_p) * scale
    upper = hi_p / (1 - hi_p) * scale if hi_p < 1 else None
    return RateRatio(ratio, lower, upper, enough)


def suppressed_cells(counts: list[int], up_to: int = SUPPRESS_UP_TO) -> list[bool]:
    """Which of a set of counts that add up to a published total to hide.

    Primary: every count from 1 to `up_to` (0 is shown: no event reveals nobody). Secondary:
    if exactly one count is hidden, the total and the others would give it away, so the
    smallest other non-zero count is hidden too (NHS Digital's secondary suppression)."""
    hidden = [1 <= c <= up_to for c in counts]
    if sum(hidden) == 1:
        others = [(c, i) for i, c in enumerate(counts) if not hidden[i] and c > 0]
        if others:
            hidden[min(others)[1]] = True
    return hidden
