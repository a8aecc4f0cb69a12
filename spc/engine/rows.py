"""How phases of many series map to the rows of the kernel's 2-D arrays, and back.

Each phase of each series becomes one row laid on its series' full time axis (points of other
phases are NaN there). Rows are phase-major: rows 0..S-1 are every series' first phase, so
gathering back is a view plus patches for the series that have later phases.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class RowPlan:
    """How phases map to rows. Rows are phase-major: rows 0..S-1 are every series' first
    phase (so gathering back is a view plus patches), then the second phases, and so on.
    `row_index[s, k]` is the row of series s's phase k (-1 if it has fewer phases)."""

    row_series: np.ndarray
    row_phase: np.ndarray
    row_index: np.ndarray
    n_phases: np.ndarray
    identity: bool


def plan_rows(n_phases: np.ndarray) -> RowPlan:
    """One row per (series, phase), phase-major."""
    s_count = len(n_phases)
    most = int(n_phases.max())
    series = [np.nonzero(n_phases > k)[0] for k in range(most)]
    row_series = np.concatenate(series)
    row_phase = np.concatenate([np.full(len(m), k) for k, m in enumerate(series)])
    row_index = np.full((s_count, most), -1)
    row_index[row_series, row_phase] = np.arange(len(row_series))
    return RowPlan(row_series, row_phase, row_index, n_phases, most == 1)


def spread_to_rows(a: np.ndarray, plan: RowPlan, in_phase: np.ndarray, fill) -> np.ndarray:
    """Series arrays (S, T) to row arrays (R, T), blanking points of other phases."""
    if plan.identity:
        return np.where(in_phase, a, fill)
    return np.where(in_phase, a[plan.row_series], fill)


def gather_to_series(a: np.ndarray, plan: RowPlan, phase_id: np.ndarray) -> np.ndarray:
    """Row arrays (R, T) back to series arrays (S, T): each point from its phase's row.
    Reuses (and overwrites) the first S rows of `a`."""
    if plan.identity:
        return a
    s_count = len(plan.n_phases)
    out = a[:s_count] if a.flags.writeable else a[:s_count].copy()
    for k in range(1, plan.row_index.shape[1]):
        series = np.nonzero(plan.n_phases > k)[0]
        rows = plan.row_index[series, k]
        out[series] = np.where(phase_id[series] == k, a[rows], out[series])
    return out


def spread_row_values(values: np.ndarray, plan: RowPlan, phase_id: np.ndarray,
                      t: int) -> np.ndarray:
    """A per-row scalar (R,) as a per-point array (S, T) following each point's phase."""
    s_count = len(plan.n_phases)
    out = np.repeat(values[:s_count, None], t, axis=1)
    for k in range(1, plan.row_index.shape[1]):
        series = np.nonzero(plan.n_phases > k)[0]
        rows = plan.row_index[series, k]
        out[series] = np.where(phase_id[series] == k, values[rows][:, None], out[series])
    return out




def phase_mask(plan: RowPlan, phase_id: np.ndarray, in_len: np.ndarray) -> np.ndarray:
    """(R, T): the points of each row's phase (within its series' length)."""
    if plan.identity:
        return in_len
    return (phase_id[plan.row_series] == plan.row_phase[:, None]) & in_len[plan.row_series]
