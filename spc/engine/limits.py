"""Centre lines and limits of each chart type, on 2-D arrays (one row per phase).

Every function takes arrays of shape (rows, points); a point is used for the centre and sigma
when its `base` flag is set (baseline point, value present). Sums run sequentially along each
row (`np.cumsum`), so a row's result does not depend on the other rows, on padding or on the
batch it came in: the batch and the single-series paths give identical bits.
Results are unscaled: the caller applies `multiply` afterwards, as qicharts2 qic.agg() does.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from spc.engine.codes import ALL_EVENTS, LIMITS_OK, NO_EVENTS, NO_GAPS, NO_VARIATION
from spc.engine.constants import (
    D2,
    MDC_LIMIT,
    MDC_LIMIT_CLOSE,
    MDC_LIMIT_ONE_SIGMA,
    MR_SCREEN_FACTOR,
    MR_UCL_FACTOR,
    SIGMA_LIMIT,
    SIGMA_WARNING,
    T_POWER,
)


@dataclass(frozen=True)
class ControlLines:
    """Per-row centre (rows,) and per-point lines (rows, points) of one chart computation.

    `mean_moving_range` is the screened mean MR (i charts, and of z-scores for Laney charts);
    `sigma_z` is Laney's between-subgroup factor (up / pp charts); NaN where not applicable.
    `no_limits` (rows,) says why a row has no control limits (`spc.engine.codes`: 0 = it has
    them, NO_VARIATION, NO_EVENTS, ALL_EVENTS); None means 0 everywhere.
    """

    centre: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    lower_2sigma: np.ndarray
    upper_2sigma: np.ndarray
    lower_1sigma: np.ndarray
    upper_1sigma: np.ndarray
    mean_moving_range: np.ndarray
    sigma_z: np.ndarray
    no_limits: np.ndarray | None = None


# Above this many rows a column-by-column loop beats `np.cumsum` along rows; both add strictly
# left to right, so they give the same bits.
COLUMN_LOOP_ROWS = 256


def sequential_sum(a: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Sum of `a` where `mask`, left to right along the last axis (order-stable, unlike
    NumPy's pairwise `sum`, whose grouping depends on the row length and so on padding)."""
    picked = np.where(mask, a, 0.0)
    if picked.ndim != 2 or picked.shape[0] < COLUMN_LOOP_ROWS or picked.shape[1] < 2:
        return np.cumsum(picked, axis=-1)[..., -1]
    total = picked[:, 0].copy()
    for j in range(1, picked.shape[1]):
        total += picked[:, j]
    return total


def masked_mean(a: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean of `a` where `mask` along the last axis; NaN where nothing is selected.

    Two passes like R's `mean()` (summary.c: the mean is corrected by the mean residual), so
    the result is as close to R's long-double mean as float64 allows.
    """
    count = np.count_nonzero(mask, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        first = sequential_sum(a, mask) / count
        residual = sequential_sum(a - first[..., None], mask) / count
    return first + residual


def moving_ranges(y: np.ndarray, base: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Absolute differences of neighbouring points, and where both neighbours are baseline
    values. A missing point breaks the range rather than being bridged: R's `diff()` gives NA
    (NHSRplotthedots ptd_spc_standard.R `abs(diff(fix_y))`, qicharts2 qic.i() `abs(diff(...))`).
    """
    mr = np.full(y.shape, np.nan)
    mr[..., 1:] = np.abs(y[..., 1:] - y[..., :-1])
    ok = np.zeros(y.shape, dtype=bool)
    ok[..., 1:] = base[..., 1:] & base[..., :-1]
    return mr, ok


def screened_mean_moving_range(mr: np.ndarray, ok: np.ndarray, screen: bool) -> np.ndarray:
    """Mean moving range, after dropping ranges >= 3.267 x the mean (Nelson 1982) if `screen`.

    NHSRplotthedots ptd_spc_standard.R and qicharts2 qic.i() keep `mr < 3.267 * amr`. When
    every range is 0 both packages drop them all (mean of nothing: NaN); we keep the 0 so it
    can be reported, and the line functions draw no limits there (`without_limits`).
    """
    amr = masked_mean(mr, ok)
    if not screen:
        return amr
    kept = ok & ((mr < MR_SCREEN_FACTOR * amr[..., None]) | (amr[..., None] == 0))
    return masked_mean(mr, kept)


def run_centre(y: np.ndarray, base: np.ndarray) -> np.ndarray:
    """Run chart centre: the median of the baseline points (qicharts2 qic.run())."""
    picked = np.where(base, y, np.nan)
    out = np.full(y.shape[:-1], np.nan)
    has = base.any(axis=-1)
    if has.any():
        out[has] = np.nanmedian(picked[has], axis=-1)
    return out


def run_lines(y: np.ndarray, base: np.ndarray) -> ControlLines:
    """Run chart: a median centre line and no limits (qicharts2 qic.run())."""
    centre = run_centre(y, base)
    none = np.full(y.shape, np.nan)
    nan_rows = np.full(y.shape[:-1], np.nan)
    return ControlLines(centre, none, none, none, none, none, none, nan_rows, nan_rows)


def xmr_lines(y: np.ndarray, base: np.ndarray, convention: str, screen: bool) -> ControlLines:
    """XmR (i chart) centre and limits from the (screened) mean moving range.

    `mdc`: mean ± 2.66 × MR̄, 2-sigma lines at mean ± 2 × (2.66 / 3) × MR̄
    (NHSRplotthedots R/ptd_spc_standard.R). `qic`: mean ± 3 × MR̄ / 1.128, 2-sigma lines at
    mean ± 2 × MR̄ / 1.128 (qicharts2 R/helper.functions.R qic.i(), which takes the moving
    ranges of `y - cl`; we do the same so the bits match). Limits are never clipped at 0.
    """
    centre = masked_mean(y, base)
    c = centre[..., None]
    if convention == "qic":
        mr, ok = moving_ranges(y - c, base)
    else:
        mr, ok = moving_ranges(y, base)
    amr = screened_mean_moving_range(mr, ok, screen)[..., None]
    if convention == "qic":
        stdev = amr / D2
        width3, width2, width1 = SIGMA_LIMIT * stdev, SIGMA_WARNING * stdev, stdev
    else:
        width3, width2, width1 = MDC_LIMIT * amr, MDC_LIMIT_CLOSE * amr, MDC_LIMIT_ONE_SIGMA * amr
    shape = y.shape
    nan_rows = np.full(shape[:-1], np.nan)
    lines = ControlLines(
        centre,
        np.broadcast_to(c - width3, shape),
        np.broadcast_to(c + width3, shape),
        np.broadcast_to(c - width2, shape),
        np.broadcast_to(c + width2, shape),
        np.broadcast_to(c - width1, shape),
        np.broadcast_to(c + width1, shape),
        amr[..., 0],
        nan_rows,
    )
    return without_limits(lines, np.where(amr[..., 0] == 0, NO_VARIATION, LIMITS_OK))


def mr_lines(mr: np.ndarray, base: np.ndarray) -> ControlLines:
    """Moving-range chart of `mr` (first point of each phase missing): centre = mean MR of the
    baseline, UCL = 3.267 × centre, 2-sigma line (3.267 / 3) × 2 × centre, lower lines 0
    (qicharts2 qic.mr(); no screening there). A baseline whose moving ranges are all 0 gets
    no limits (qicharts2 would draw 0-width ones; see `without_limits`)."""
    centre = masked_mean(mr, base)
    c = centre[..., None]
    zero = np.zeros(mr.shape)
    nan_rows = np.full(mr.shape[:-1], np.nan)
    lines = ControlLines(
        centre,
        zero,
        np.broadcast_to(MR_UCL_FACTOR * c, mr.shape),
        zero,
        np.broadcast_to((MR_UCL_FACTOR / 3) * SIGMA_WARNING * c, mr.shape),
        zero,
        np.broadcast_to((MR_UCL_FACTOR / 3) * c, mr.shape),
        nan_rows,
        nan_rows,
    )
    return without_limits(lines, np.where(centre == 0, NO_VARIATION, LIMITS_OK))


def c_lines(y: np.ndarray, base: np.ndarray) -> ControlLines:
    """c chart: c̄ ± 3√c̄ (2- and 1-sigma lines alike), lower lines clipped at 0
    (qicharts2 qic.c(), Montgomery 7.17)."""
    centre = masked_mean(y, base)
    stdev = np.sqrt(centre)[..., None]
    lines = _sigma_lines(centre, np.broadcast_to(stdev, y.shape), upper_cap=None)
    return without_limits(lines, _no_event_codes(centre, proportion=False))


def u_lines(count: np.ndarray, n: np.ndarray, base: np.ndarray) -> ControlLines:
    """u chart: ū = Σcounts / Σdenominators over the baseline; ū ± 3√(ū / nᵢ) per point,
    lower lines clipped at 0 (qicharts2 qic.u(), Montgomery 7.19)."""
    centre = _pooled_rate(count, n, base)
    with np.errstate(invalid="ignore", divide="ignore"):
        stdev = np.sqrt(centre[..., None] / n)
    lines = _sigma_lines(centre, stdev, upper_cap=None)
    return without_limits(lines, _no_event_codes(centre, proportion=False))


def p_lines(count: np.ndarray, n: np.ndarray, base: np.ndarray) -> ControlLines:
    """p chart: p̄ = Σcounts / Σdenominators; p̄ ± 3√(p̄(1 − p̄) / nᵢ), lines clipped to [0, 1]
    (qicharts2 qic.p())."""
    centre = _pooled_rate(count, n, base)
    c = centre[..., None]
    with np.errstate(invalid="ignore", divide="ignore"):
        stdev = np.sqrt(c * (1 - c) / n)
    lines = _sigma_lines(centre, stdev, upper_cap=1.0)
    return without_limits(lines, _no_event_codes(centre, proportion=True))


def laney_lines(
    count: np.ndarray, n: np.ndarray, base: np.ndarray, kind: str, screen: bool
) -> ControlLines:
    """Laney u′ (`kind="u"`) or p′ (`kind="p"`) chart for over-dispersed data.

    zᵢ = (yᵢ − centre) / σᵢ over the baseline, σ_z = (screened) mean |Δz| / 1.128, and the
    u / p chart sigma of each point is multiplied by σ_z (qicharts2 qic.up(), qic.pp()).
    """
    centre = _pooled_rate(count, n, base)
    c = centre[..., None]
    with np.errstate(invalid="ignore", divide="ignore"):
        y = count / n
        stdev = np.sqrt(c / n) if kind == "u" else np.sqrt(c * (1 - c) / n)
        z = (y - c) / stdev
    mr, ok = moving_ranges(z, base)
    amr = screened_mean_moving_range(mr, ok, screen)
    sigma_z = amr / D2
    lines = _sigma_lines(centre, stdev * sigma_z[..., None], upper_cap=1.0 if kind == "p" else None)
    lines = replace(lines, mean_moving_range=amr, sigma_z=sigma_z)
    codes = _no_event_codes(centre, proportion=kind == "p")
    return without_limits(lines, np.where((codes == LIMITS_OK) & (amr == 0), NO_VARIATION, codes))


def t_lines(y: np.ndarray, base: np.ndarray, screen: bool) -> ControlLines:
    """t chart (time between rare events): an I chart of y^(1/3.6) with qicharts2's limits
    (mean ± 3 × MR̄ / 1.128), centre and lines back-transformed by ^3.6; the lower limit is 0
    where the transformed one is negative (qicharts2 R/helper.functions.R qic.t(): `lcl[lcl <
    0 | is.nan(lcl)] <- 0`), and the other lower lines are missing there (R's negative^3.6 is
    NaN, which qic.agg() blanks). Needs y > 0 (checked in validation). Zero variation in the
    baseline: no limits at all (qicharts2 leaves its lower limit at 0 there)."""
    lines = xmr_lines(y ** (1 / T_POWER), base, "qic", screen)
    with np.errstate(invalid="ignore"):
        back = [np.where(a >= 0, a, np.nan) ** T_POWER for a in (
            lines.lower, lines.upper, lines.lower_2sigma, lines.upper_2sigma,
            lines.lower_1sigma, lines.upper_1sigma)]
        back[0] = np.where(lines.lower < 0, 0.0, back[0])
    return ControlLines(lines.centre ** T_POWER, *back, lines.mean_moving_range, lines.sigma_z,
                        lines.no_limits)


def g_lines(y: np.ndarray, base: np.ndarray) -> ControlLines:
    """g chart (units between rare events, zeros allowed): sigma = √(ḡ(ḡ + 1)) from the
    baseline mean ḡ, lines ḡ ± k × sigma with the lower ones clipped at 0, and the centre line
    drawn at the baseline median (qicharts2 R/helper.functions.R qic.g(), Montgomery p. 319;
    the median keeps the Anhøj rules valid for skewed data). A baseline whose gaps are all 0
    gets no limits (deviation: qicharts2 draws them at 0)."""
    mean = masked_mean(y, base)
    with np.errstate(invalid="ignore"):
        stdev = np.sqrt(mean * (mean + 1))[..., None]
    lines = _sigma_lines(mean, np.broadcast_to(stdev, y.shape), upper_cap=None)
    lines = replace(lines, centre=run_centre(y, base))
    return without_limits(lines, np.where(mean == 0, NO_GAPS, LIMITS_OK))


def without_limits(lines: ControlLines, codes: np.ndarray) -> ControlLines:
    """Blank every limit line of the rows whose `codes` are not LIMITS_OK, keeping the centre.

    XmR family (i, mr, t, u′, p′) with zero baseline variation: both references give no
    limits (with their default screening every moving range of 0 fails `mr < 3.267 * 0`, so
    the mean MR is NaN: NHSRplotthedots ptd_spc_standard.R, qicharts2 qic.i()). Count charts
    whose baseline centre is 0 (or 1 for p): qicharts2 draws zero-width limits that make every
    later event "outside"; we draw none (deliberate deviation, spc/README.md).
    """
    codes = np.asarray(codes, dtype=np.int8)
    if not codes.any():
        return replace(lines, no_limits=codes)
    blank = (codes != LIMITS_OK)[..., None]
    out = {name: np.where(blank, np.nan, getattr(lines, name)) for name in (
        "lower", "upper", "lower_2sigma", "upper_2sigma", "lower_1sigma", "upper_1sigma")}
    return replace(lines, **out, no_limits=codes)


def _no_event_codes(centre: np.ndarray, proportion: bool) -> np.ndarray:
    codes = np.where(centre == 0, NO_EVENTS, LIMITS_OK)
    if proportion:
        codes = np.where(centre == 1, ALL_EVENTS, codes)
    return codes.astype(np.int8)


def _pooled_rate(count: np.ndarray, n: np.ndarray, base: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return sequential_sum(count, base) / sequential_sum(n, base)


def _sigma_lines(centre: np.ndarray, stdev: np.ndarray, upper_cap: float | None) -> ControlLines:
    c = centre[..., None]
    lines = []
    for k in (SIGMA_LIMIT, SIGMA_WARNING, 1):
        lower = np.maximum(c - k * stdev, 0.0)
        upper = c + k * stdev
        if upper_cap is not None:
            upper = np.minimum(upper, upper_cap)
        lines += [lower, upper]
    nan_rows = np.full(centre.shape, np.nan)
    return ControlLines(centre, *lines, nan_rows, nan_rows)
