"""Funnel plots of incident rates: each unit's rate against its exposure, with control limits
around a target rate that narrow as the exposure grows.

Method: Spiegelhalter DJ, "Funnel plots for comparing institutional performance", Statistics
in Medicine 2005; 24: 1185-1202 (section 3 and appendix A.1.1), for a Poisson rate: a unit
with exposure E (occupied bed days) and the target rate θ (events per bed day) has an
expected count θE. Its p-limit is the p-quantile of Poisson(θE), made continuous with the
paper's interpolation for discrete distributions:

    r_p = the smallest r with P(R ≤ r) ≥ p
    α   = (P(R ≤ r_p) − p) / (P(R ≤ r_p) − P(R ≤ r_p − 1))
    limit (as a count) = r_p − α,  as a rate (r_p − α) / E

"exact" (the default) uses these exact Poisson limits; "normal" uses the normal approximation
θ ± z_p √(θ / E) of the same paper (no continuity correction), adequate once θE is large
(say > 20 events expected). Limits are two-sided: probability 0.95 gives the 2.5% and 97.5%
quantiles (≈ 2 SD), 0.998 the 0.1% and 99.9% (≈ 3 SD), the paper's usual pair.

Over-dispersion (Spiegelhalter DJ, "Handling over-dispersion of performance indicators",
Qual Saf Health Care 2005; 14: 347-351): units often differ by more than chance, so Poisson
limits flag too many. On the square-root scale (Spiegelhalter 2012's scale for counts, as
FunnelPlotR's "CQC" method) a unit's z-score is z = 2(√O − √E); the dispersion ratio is
φ = Σ z² / I over the I units, with the z-scores 10% winsorised first (those beyond the 10th
and 90th percentiles set to them) so that the outliers being looked for do not inflate it.
Under Poisson variation I·φ is about χ² on I − 1 degrees of freedom: above its 95% point the
units are over-dispersed. Two adjusted limits: multiplicative, √θ ± z_p √φ · s with
s = 1 / (2√E) (exposure E, not multiplied), or additive random effects,
√θ ± z_p √(s² + τ²) with τ² = (I·φ − (I − 1)) / (Σw − Σw² / Σw), w = 1 / s² (DerSimonian and
Laird; 0 when I·φ < I − 1); squared back to rates. The additive limits keep a floor of
between-unit spread for the biggest units, which the paper prefers.

NumPy and the standard library only; no Django.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

DEFAULT_PROBS = (0.95, 0.998)
METHODS = ("exact", "normal", "multiplicative", "additive")
ADJUSTED = ("multiplicative", "additive")
# Spiegelhalter 2005: winsorise 10% at each end before estimating φ.
WINSORISE = 0.1
# Fewer units than this and neither φ nor τ² can be told from noise (FunnelPlotR warns too).
MIN_DISPERSION_UNITS = 5
DISPERSION_TEST_PROB = 0.95


@dataclass(frozen=True)
class FunnelLimits:
    """Limits at each exposure. `lower[prob][i]`, `upper[prob][i]` go with `exposures[i]`;
    rates are per `multiply` units of exposure (1000: per 1,000 occupied bed days)."""

    target: float
    exposures: tuple[float, ...]
    lower: dict[float, tuple[float, ...]]
    upper: dict[float, tuple[float, ...]]
    multiply: float
    method: str


@dataclass(frozen=True)
class Dispersion:
    """How spread out the units are compared with Poisson variation alone."""

    units: int
    z: tuple[float, ...]  # each unit's z-score, 2(√O − √E), before winsorising
    phi: float  # winsorised dispersion ratio: 1 is Poisson spread
    tau2: float  # additive between-unit variance on the square-root scale (per unit exposure)
    statistic: float  # I·φ
    threshold: float  # the 95% point of χ² on I − 1 degrees of freedom
    judged: bool  # enough units to judge (MIN_DISPERSION_UNITS)

    @property
    def overdispersed(self) -> bool:
        return self.judged and self.statistic > self.threshold


@dataclass(frozen=True)
class FunnelPoint:
    count: int
    exposure: float
    rate: float | None  # None when the exposure is 0 (no rate can be plotted)
    lower: dict[float, float]
    upper: dict[float, float]
    # "within", or "above_<prob>" / "below_<prob>" for the widest limit it is beyond
    flag: str


@dataclass(frozen=True)
class Funnel:
    target: float  # the pooled rate Σcounts / Σexposures × multiply
    total_count: int
    total_exposure: float
    points: tuple[FunnelPoint, ...]
    multiply: float
    method: str
    probs: tuple[float, ...]


def _poisson_cdf_table(mean: float, upto: int) -> np.ndarray:
    """P(R ≤ r) for r = 0..upto, R ~ Poisson(mean), summed in log space (stable for large
    means, where e^-mean underflows)."""
    r = np.arange(upto + 1, dtype=float)
    if mean == 0:
        return np.ones(upto + 1)
    # log(r!) as a running sum of logs: vectorised, exact enough (lgamma per term is 10× slower).
    log_factorial = np.concatenate(([0.0], np.cumsum(np.log(np.arange(1, upto + 1)))))
    log_pmf = r * math.log(mean) - mean - log_factorial
    return np.minimum(np.cumsum(np.exp(log_pmf)), 1.0)


def poisson_limit(mean: float, p: float) -> float:
    """The interpolated p-quantile of Poisson(mean), as a count (Spiegelhalter 2005, A.1.1)."""
    if not 0 < p < 1:
        raise ValueError("p must be between 0 and 1.")
    if mean < 0 or not math.isfinite(mean):
        raise ValueError("The expected count must be a finite number ≥ 0.")
    if mean == 0:
        return 0.0
    upto = int(mean + 12 * math.sqrt(mean) + 30)
    cdf = _poisson_cdf_table(mean, upto)
    r_p = int(np.searchsorted(cdf, p, side="left"))  # first r with cdf[r] >= p
    r_p = min(r_p, upto)
    below = cdf[r_p - 1] if r_p > 0 else 0.0
    alpha = (cdf[r_p] - p) / (cdf[r_p] - below) if cdf[r_p] > below else 0.0
    return float(max(0.0, r_p - alpha))


def _check(probs: Sequence[float], method: str) -> tuple[float, ...]:
    if method not in METHODS:
        raise ValueError(f"method is one of {', '.join(METHODS)}, not {method!r}.")
    probs = tuple(float(p) for p in probs)
    if not probs or any(not 0 < p < 1 for p in probs):
        raise ValueError("Each probability must be between 0 and 1, e.g. 0.95 or 0.998.")
    return probs


def chi2_upper(df: int, prob: float) -> float:
    """The `prob` quantile of χ² on `df` degrees of freedom, by the Wilson-Hilferty cube-root
    approximation (within 0.5% of the exact value from 3 degrees of freedom: 9.46 for the
    exact 9.49 at df 4, 95%)."""
    if df < 1:
        raise ValueError("χ² needs at least one degree of freedom.")
    z = NormalDist().inv_cdf(prob)
    a = 2 / (9 * df)
    return df * (1 - a + z * math.sqrt(a)) ** 3


def funnel_dispersion(
    counts: Sequence[int],
    exposures: Sequence[float],
    *,
    target: float | None = None,
    multiply: float = 1000.0,
    winsorise: float = WINSORISE,
) -> Dispersion:
    """The units' dispersion ratio φ and between-unit variance τ² around the target rate
    (Spiegelhalter 2005, above); units with no exposure are left out."""
    pairs = [(int(c), float(e)) for c, e in zip(counts, exposures, strict=True) if e > 0]
    n = len(pairs)
    if target is None:
        total = sum(e for _, e in pairs)
        target = sum(c for c, _ in pairs) / total * multiply if total else 0.0
    theta = target / multiply
    if n == 0 or theta <= 0:
        return Dispersion(n, (), 1.0, 0.0, 0.0, math.inf, False)
    observed = np.array([c for c, _ in pairs], dtype=float)
    exposure = np.array([e for _, e in pairs])
    z = 2 * (np.sqrt(observed) - np.sqrt(theta * exposure))
    low, high = np.quantile(z, [winsorise, 1 - winsorise])  # R's type 7, as FunnelPlotR
    statistic = float(np.sum(np.clip(z, low, high) ** 2))
    weights = 4 * exposure  # w = 1 / s², s = 1 / (2√E)
    spread = weights.sum() - (weights**2).sum() / weights.sum()
    tau2 = max(0.0, (statistic - (n - 1)) / spread) if spread > 0 else 0.0
    judged = n >= MIN_DISPERSION_UNITS
    threshold = chi2_upper(n - 1, DISPERSION_TEST_PROB) if n > 1 else math.inf
    return Dispersion(n, tuple(float(x) for x in z), statistic / n, tau2, statistic, threshold,
                      judged)  # fmt: skip


def _adjusted_at(theta: float, exposure: float, prob: float, method: str,
                 dispersion: Dispersion) -> tuple[float, float]:  # fmt: skip
    z = NormalDist().inv_cdf(1 - (1 - prob) / 2)
    s2 = 1 / (4 * exposure)
    if method == "multiplicative":
        half = z * math.sqrt(max(dispersion.phi, 1.0) * s2)
    else:
        half = z * math.sqrt(s2 + dispersion.tau2)
    root = math.sqrt(theta)
    return (max(0.0, root - half) ** 2, (root + half) ** 2)


def _limits_at(theta: float, exposure: float, prob: float, method: str,
               dispersion: Dispersion | None = None) -> tuple[float, float]:  # fmt: skip
    """Lower and upper limits of the rate per unit of exposure (not multiplied)."""
    if exposure <= 0:
        return (math.nan, math.nan)
    if method in ADJUSTED:
        return _adjusted_at(theta, exposure, prob, method, dispersion)
    tail = (1 - prob) / 2
    if method == "normal":
        z = NormalDist().inv_cdf(1 - tail)
        half = z * math.sqrt(theta / exposure)
        return (max(0.0, theta - half), theta + half)
    mean = theta * exposure
    return (poisson_limit(mean, tail) / exposure, poisson_limit(mean, 1 - tail) / exposure)


def funnel_limits(
    rate: float,
    exposures: Sequence[float],
    probs: Sequence[float] = DEFAULT_PROBS,
    *,
    multiply: float = 1000.0,
    method: str = "exact",
    dispersion: Dispersion | None = None,
) -> FunnelLimits:
    """Funnel limits around the target `rate` at each exposure.

    `rate` is per `multiply` units of exposure (e.g. 8.5 per 1,000 occupied bed days with
    multiply=1000); `exposures` are in units (bed days). Limits come back in the units of
    `rate`; an exposure of 0 has no limits (NaN). The adjusted methods need the units'
    `dispersion` (funnel_dispersion)."""
    probs = _check(probs, method)
    if method in ADJUSTED and dispersion is None:
        raise ValueError(f"{method} limits need the units' dispersion.")
    if rate < 0 or not math.isfinite(rate):
        raise ValueError("The target rate must be a finite number ≥ 0.")
    if multiply <= 0:
        raise ValueError("multiply must be positive.")
    theta = rate / multiply
    exposures = tuple(float(e) for e in exposures)
    if any(e < 0 or not math.isfinite(e) for e in exposures):
        raise ValueError("Exposures must be finite numbers ≥ 0.")
    lower, upper = {}, {}
    for prob in probs:
        pairs = [_limits_at(theta, e, prob, method, dispersion) for e in exposures]
        lower[prob] = tuple(lo * multiply for lo, _ in pairs)
        upper[prob] = tuple(hi * multiply for _, hi in pairs)
    return FunnelLimits(rate, exposures, lower, upper, multiply, method)


def funnel_points(
    counts: Sequence[int],
    exposures: Sequence[float],
    probs: Sequence[float] = DEFAULT_PROBS,
    *,
    target: float | None = None,
    multiply: float = 1000.0,
    method: str = "exact",
    dispersion: Dispersion | None = None,
) -> Funnel:
    """Each unit's rate and where it falls against the funnel around the target.

    The target is the pooled rate of all units, Σcounts / Σexposures × multiply (e.g. the
    regional rate when the units are its wards), unless given. A unit is flagged by the
    widest limit it lies strictly beyond: "above_0.998", "below_0.95", … or "within"."""
    probs = _check(probs, method)
    if len(counts) != len(exposures):
        raise ValueError("counts and exposures must have the same length.")
    counts = [int(c) for c in counts]
    if any(c < 0 for c in counts):
        raise ValueError("Counts cannot be negative.")
    total_count, total_exposure = sum(counts), float(sum(exposures))
    if target is None:
        target = total_count / total_exposure * multiply if total_exposure > 0 else 0.0
    limits = funnel_limits(target, exposures, probs, multiply=multiply, method=method,
                           dispersion=dispersion)  # fmt: skip
    points = []
    for i, (count, exposure) in enumerate(zip(counts, limits.exposures, strict=True)):
        lower = {p: limits.lower[p][i] for p in probs}
        upper = {p: limits.upper[p][i] for p in probs}
        rate = count / exposure * multiply if exposure > 0 else None
        flag = "within"
        if rate is not None:
            for p in sorted(probs, reverse=True):
                if rate > upper[p]:
                    flag = f"above_{p:g}"
                    break
                if rate < lower[p]:
                    flag = f"below_{p:g}"
                    break
        points.append(FunnelPoint(count, exposure, rate, lower, upper, flag))
    return Funnel(
        target=target,
        total_count=total_count,
        total_exposure=total_exposure,
        points=tuple(points),
        multiply=multiply,
        method=method,
        probs=probs,
    )


def funnel_curve_exposures(max_exposure: float, n: int = 60) -> tuple[float, ...]:
    """Exposures at which to draw the funnel's lines, from small to `max_exposure`, spaced
    evenly on a log scale so the narrow-exposure end (where limits change fast) is smooth."""
    if max_exposure <= 0:
        return ()
    start = min(max_exposure, max(1.0, max_exposure / 200))
    return tuple(float(x) for x in np.geomspace(start, max_exposure, n))
