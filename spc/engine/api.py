"""Public entry points: one series (`compute_chart`), many series as 2-D arrays
(`compute_arrays`), and JSON-like dicts (`compute`, `compute_batch`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from spc.engine.assemble import build_chart_result
from spc.engine.auto import AutoChoice, is_auto_spec, plan_auto
from spc.engine.errors import (
    EmptySeriesError,
    InvalidOptionError,
    LengthMismatchError,
    SeriesTooShortError,
    SpecError,
)
from spc.engine.kernel import CHUNK_SERIES, KernelInput, KernelOutput, run_kernel_chunked
from spc.engine.options import OPTION_NAMES, RATIO_CHARTS, ChartOptions, options_from_spec
from spc.engine.results import ChartResult
from spc.engine.validation import (
    PreparedSeries,
    baseline_mask,
    check_values,
    prepare_series,
    resolve_breaks,
)

SPEC_KEYS = frozenset({"values", "denominators", "dates", *OPTION_NAMES})


@dataclass(frozen=True, eq=False)
class BatchResult:
    """Results of many series as 2-D arrays, computed in chunks of `chunk_size` series (see
    `KernelOutput` for the fields; `point_array(name)` joins one across chunks).
    `series(i)` gives the same `ChartResult` that `compute_chart` returns for series i."""

    chunks: tuple[KernelOutput, ...]
    chunk_size: int
    values: np.ndarray
    denominators: np.ndarray | None
    lengths: np.ndarray
    dates: tuple[np.ndarray | None, ...]
    phase_starts: tuple[tuple[int, ...], ...]
    baseline: np.ndarray
    options: tuple[ChartOptions, ...]
    has_denominators: tuple[bool, ...] | None = None

    def __len__(self) -> int:
        return len(self.lengths)

    def series(self, i: int) -> ChartResult:
        """The full result of series `i`."""
        return build_chart_result(self, i)

    def point_array(self, name: str) -> np.ndarray:
        """A (series, points) or (series,) field of `KernelOutput`, e.g. "upper" or
        "variation_code", over all chunks."""
        return np.concatenate([getattr(c, name) for c in self.chunks])


def compute_chart(values: Sequence, denominators: Sequence | None = None,
                  dates: Sequence[str] | None = None,
                  options: ChartOptions | None = None) -> ChartResult:
    """Chart one series: `values` (None / NaN = missing week), optional `denominators` and
    ISO `dates`. Runs the batch kernel on a batch of one."""
    options = options or ChartOptions()
    prepared = prepare_series(values, denominators, dates, options)
    return run_prepared([prepared], options, [""]).series(0)


def compute_arrays(values: np.ndarray, denominators: np.ndarray | None = None, *,
                   options: ChartOptions | None = None,
                   breaks: Sequence[Sequence[int]] | None = None,
                   lengths: Sequence[int] | None = None,
                   dates: np.ndarray | None = None) -> BatchResult:
    """Chart many series at once. `values` and `denominators` are (series, points) float
    arrays with NaN for missing points; `lengths` trims trailing padding (default: all
    points); `breaks[s]` are series s's qicharts2-style phase breaks (default:
    `options.breaks` for all); `dates` is one ISO / datetime64 axis shared by all series.
    `options.freeze` must be an int or None here. Checks run on the whole arrays first and
    name the first offending series and point."""
    options = options or ChartOptions()
    values, den, lens, axis = _check_arrays(values, denominators, lengths, dates, options)
    s_count, t = values.shape
    in_len = np.arange(t) < lens[:, None]
    values = np.where(in_len, values, np.nan)
    if den is not None:
        den = np.where(in_len, den, np.nan)
    check_values(values, den, options.chart, label=" ")
    per_series = breaks if breaks is not None else [options.breaks] * s_count
    if len(per_series) != s_count:
        raise LengthMismatchError("breaks must give one list per series")
    starts = tuple(resolve_breaks(b, int(n), None) if len(b) else (0,)
                   for b, n in zip(per_series, lens, strict=True))
    n_phases = np.fromiter((len(s) for s in starts), dtype=int, count=s_count)
    phase_id, position = _phase_positions(starts, n_phases, t)
    if options.freeze is None:
        base = in_len
    else:
        if (options.freeze > lens).any():
            s = int(np.argmax(options.freeze > lens))
            baseline_mask(options.freeze, starts[s], int(lens[s]), None)  # raises BaselineError
        base = in_len & (position < options.freeze)
    inp = _kernel_input(values, den, lens, phase_id, n_phases, base, [options] * s_count)
    out = run_kernel_chunked(inp, _kernel_args(options), [f"series {i}, " for i in
                                                          range(s_count)])
    return BatchResult(out, CHUNK_SERIES, values, den, lens, (axis,) * s_count, starts, base,
                       _options_with_breaks(options, per_series))


def _check_arrays(values, denominators, lengths, dates, options: ChartOptions):
    """Shapes, lengths, dates and freeze of `compute_arrays` input."""
    values = np.asarray(values, dtype=float)
    if values.ndim != 2:
        raise InvalidOptionError("values must be a 2-D (series, points) array")
    s_count, t = values.shape
    den = None if denominators is None else np.asarray(denominators, dtype=float)
    if den is not None and den.shape != values.shape:
        raise LengthMismatchError(f"denominators shape {den.shape} != values shape {values.shape}")
    lens = np.full(s_count, t) if lengths is None else np.asarray(lengths, dtype=int)
    if len(lens) != s_count or (lens > t).any():
        raise LengthMismatchError("lengths must give one length <= points per series")
    if (lens < 1).any() or t == 0:
        raise EmptySeriesError(f"series {int(np.argmin(lens))} is empty")
    if not isinstance(options.freeze, int | None):
        raise InvalidOptionError("compute_arrays takes an integer freeze; use compute_batch")
    axis = None
    if dates is not None:
        axis = np.asarray(dates, dtype="datetime64[D]")
        if axis.shape != (t,):
            raise LengthMismatchError("dates must be one axis of the same length as the points")
    return values, den, lens, axis


def _phase_positions(starts, n_phases: np.ndarray, t: int) -> tuple[np.ndarray, np.ndarray]:
    """Phase of each point and its position within its phase, (series, points)."""
    s_count = len(starts)
    phase_id = np.zeros((s_count, t), dtype=int)
    position = np.broadcast_to(np.arange(t), (s_count, t)).copy()
    for s in np.nonzero(n_phases > 1)[0]:
        phase_id[s] = np.searchsorted(np.asarray(starts[s][1:]), np.arange(t), side="right")
        position[s] = np.arange(t) - np.asarray(starts[s])[phase_id[s]]
    return phase_id, position


def compute(spec: Mapping) -> dict:
    """JSON in, JSON out: chart one series described by `spec` (see spc/README.md). Weekly
    specs for the automatic choice (`"chart": "auto"`, a `period` or `events`) go through
    `compute_auto_batch`."""
    if is_auto_spec(spec):
        return compute_auto_batch([spec])[0]
    values, den, dates, options = parse_spec(spec)
    return compute_chart(values, den, dates, options).to_dict()


def compute_batch(specs: Sequence[Mapping], on_error: str = "raise") -> list[dict]:
    """Chart many JSON specs through the batch kernel; results equal `compute(spec)` exactly.

    Specs sharing chart, limits, rules, screen_mr and rule lengths are computed together.
    `on_error="return"` puts `{"error": {"type": ..., "message": ...}}` in place of a failing
    spec's result instead of raising. Automatic (weekly) specs may be mixed in.
    """
    return _run_specs(specs, on_error, as_dict=True)


@dataclass(frozen=True, eq=False)
class AutoResult:
    """A chart and, for automatic specs, the choice behind it; `to_dict()` is its JSON."""

    result: ChartResult
    choice: AutoChoice | None

    def to_dict(self) -> dict:
        out = self.result.to_dict()
        if self.choice is not None:
            out["auto"] = self.choice.to_dict()
            out["summary"]["warnings"] = [*self.choice.warnings, *out["summary"]["warnings"]]
        return out


def compute_auto_batch(specs: Sequence[Mapping], on_error: str = "raise",
                       as_dict: bool = True) -> list:
    """Many automatic (weekly) specs, and plain ones, at once: each is validated and its chart
    chosen and built (spc.engine.auto), then the series are grouped by chosen chart and kernel
    options and each group runs through the batch kernel in one call. `as_dict=False` gives
    `AutoResult` objects (serialise later with `.to_dict()`; errors stay dicts)."""
    return _run_specs(specs, on_error, as_dict)


def _prepare(spec: Mapping) -> tuple[PreparedSeries, AutoChoice | None]:
    if is_auto_spec(spec):
        return plan_auto(spec)
    values, den, dates, options = parse_spec(spec)
    return prepare_series(values, den, dates, options), None


def _run_specs(specs: Sequence[Mapping], on_error: str, as_dict: bool) -> list:
    if on_error not in ("raise", "return"):
        raise InvalidOptionError("on_error must be 'raise' or 'return'")
    results: list = [None] * len(specs)
    groups: dict[tuple, list[tuple[int, PreparedSeries, AutoChoice | None]]] = {}
    for i, spec in enumerate(specs):
        try:
            prepared, choice = _prepare(spec)
        except SpecError as exc:
            if on_error == "raise":
                raise type(exc)(f"spec {i}: {exc}") from exc
            results[i] = error_dict(exc)
            continue
        groups.setdefault(prepared.options.kernel_key, []).append((i, prepared, choice))
    for members in groups.values():
        _run_group(members, results, on_error, as_dict)
    return results


def _run_group(members: list, results: list, on_error: str, as_dict: bool) -> None:
    """One kernel group; a series too short for its chart is taken out (its error put in
    place) and the rest rerun."""
    while members:
        try:
            batch = run_prepared([p for _, p, _ in members], members[0][1].options,
                                 [f"spec {i}: " for i, _, _ in members])
        except SeriesTooShortError as exc:
            bad = exc.series_index
            if on_error == "raise":
                raise
            results[members[bad][0]] = error_dict(exc)
            del members[bad]
            continue
        for k, (i, _, choice) in enumerate(members):
            if choice is None and as_dict:
                results[i] = batch.series(k).to_dict()
                continue
            out = AutoResult(batch.series(k), choice)
            results[i] = out.to_dict() if as_dict else out
        return


def parse_spec(spec: Mapping):
    """Split a JSON spec into values, denominators, dates and `ChartOptions`."""
    if not isinstance(spec, Mapping):
        raise InvalidOptionError(f"a spec must be an object, got {type(spec).__name__}")
    unknown = set(spec) - SPEC_KEYS
    if unknown:
        raise InvalidOptionError(f"unknown spec keys: {sorted(unknown)}")
    if "values" not in spec or not isinstance(spec["values"], list | tuple):
        raise InvalidOptionError("spec needs 'values': a list of numbers / nulls")
    for key in ("denominators", "dates"):
        if spec.get(key) is not None and not isinstance(spec[key], list | tuple):
            raise InvalidOptionError(f"'{key}' must be a list")
    return spec["values"], spec.get("denominators"), spec.get("dates"), options_from_spec(spec)


def error_dict(exc: Exception) -> dict:
    return {"error": {"type": type(exc).__name__, "message": str(exc)}}


def run_prepared(series: list[PreparedSeries], options: ChartOptions,
                 labels: list[str]) -> BatchResult:
    """Stack prepared series (same kernel options) and run the kernel."""
    s_count = len(series)
    lens = np.fromiter((len(p.values) for p in series), dtype=int, count=s_count)
    t = int(lens.max())
    values = np.full((s_count, t), np.nan)
    base = np.zeros((s_count, t), dtype=bool)
    phase_id = np.zeros((s_count, t), dtype=int)
    has_den = any(p.denominators is not None for p in series)
    den = np.full((s_count, t), np.nan) if has_den else None
    # A run / i / mr series without denominators shares a kernel group with ones that have
    # them: value / 1 is the value itself, bit for bit.
    ones = has_den and options.chart in RATIO_CHARTS
    kernel_den = np.full((s_count, t), np.nan) if ones else den
    for s, p in enumerate(series):
        n = lens[s]
        values[s, :n] = p.values
        base[s, :n] = p.baseline
        if len(p.phase_starts) > 1:
            phase_id[s, :n] = np.searchsorted(np.asarray(p.phase_starts[1:]), np.arange(n),
                                              side="right")
            phase_id[s, n:] = len(p.phase_starts) - 1
        if p.denominators is not None:
            den[s, :n] = p.denominators
        if ones:
            kernel_den[s, :n] = 1.0 if p.denominators is None else p.denominators
    n_phases = np.fromiter((len(p.phase_starts) for p in series), dtype=int, count=s_count)
    opts = [p.options for p in series]
    inp = _kernel_input(values, kernel_den, lens, phase_id, n_phases, base, opts)
    out = run_kernel_chunked(inp, _kernel_args(options), labels)
    return BatchResult(out, CHUNK_SERIES, values, den, lens, tuple(p.dates for p in series),
                       tuple(p.phase_starts for p in series), base, tuple(opts),
                       tuple(p.denominators is not None for p in series))


def _options_with_breaks(options: ChartOptions, breaks: Sequence) -> tuple[ChartOptions, ...]:
    """Each series' options with its own breaks, so its result echoes them."""
    cache: dict[tuple, ChartOptions] = {}
    out = []
    for b in breaks:
        key = tuple(int(v) for v in b)
        if key not in cache:
            cache[key] = options if key == options.breaks else replace(options, breaks=key)
        out.append(cache[key])
    return tuple(out)


def _kernel_args(o: ChartOptions) -> tuple:
    return (o.chart, o.limits, o.rules, o.screen_mr, o.shift_length, o.trend_length)


def _kernel_input(values, den, lens, phase_id, n_phases, base, opts: list[ChartOptions]):
    def per_series(fn, dtype=float):
        return np.fromiter((fn(o) for o in opts), dtype=dtype, count=len(opts))

    return KernelInput(
        values=values,
        denominators=den,
        lengths=lens,
        phase_id=phase_id,
        n_phases=n_phases,
        baseline=base,
        multiply=per_series(lambda o: o.multiply),
        improvement=per_series(lambda o: o.improvement_sign, int),
        recent_n=per_series(lambda o: o.recent_n, int),
        target_value=per_series(lambda o: o.target.value if o.target and o.target.value
                                is not None else np.nan),
        target_reduction=per_series(lambda o: o.target.reduction if o.target and
                                    o.target.reduction is not None else np.nan),
    )
