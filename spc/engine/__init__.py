"""SPC engine: run and control charts with Making Data Count and Anhøj rules.

Pure Python + NumPy; imports nothing from Django. Public API:

- `compute(spec) -> dict` / `compute_batch(specs) -> list[dict]`: JSON in, JSON out.
- `compute_chart(values, denominators, dates, options) -> ChartResult`: one series.
- `compute_arrays(values, denominators, options=..., breaks=...) -> BatchResult`: many series
  as 2-D arrays (the fast path).
- the rule and limit functions in `spc.engine.rules` and `spc.engine.limits`.

See spc/README.md for the spec, the output and where the references differ.
"""

from spc.engine.api import BatchResult, compute, compute_arrays, compute_batch, compute_chart
from spc.engine.errors import (
    BaselineError,
    CountExceedsDenominatorError,
    EmptySeriesError,
    InvalidBreaksError,
    InvalidDateError,
    InvalidDenominatorError,
    InvalidOptionError,
    InvalidTargetError,
    InvalidValueError,
    LengthMismatchError,
    NegativeCountError,
    SeriesTooShortError,
    SpecError,
)
from spc.engine.limits import (
    ControlLines,
    c_lines,
    laney_lines,
    masked_mean,
    mr_lines,
    p_lines,
    run_centre,
    u_lines,
    xmr_lines,
)
from spc.engine.options import ChartOptions, TargetSpec, options_from_spec
from spc.engine.results import (
    ChartPoints,
    ChartResult,
    ControlLimits,
    Phase,
    RunsAnalysis,
    Summary,
    TargetResult,
)
from spc.engine.rules import (
    analyse_runs,
    anhoej_limits,
    find_points_close_to_limits,
    find_points_outside_limits,
    find_shifts,
    find_trends,
    find_two_of_three,
    side_of_centre,
)

__all__ = [
    "BaselineError", "BatchResult", "ChartOptions", "ChartPoints", "ChartResult",
    "ControlLimits", "ControlLines", "CountExceedsDenominatorError", "EmptySeriesError",
    "InvalidBreaksError", "InvalidDateError", "InvalidDenominatorError", "InvalidOptionError",
    "InvalidTargetError", "InvalidValueError", "LengthMismatchError", "NegativeCountError",
    "Phase", "RunsAnalysis", "SeriesTooShortError", "SpecError", "Summary", "TargetResult",
    "TargetSpec", "analyse_runs", "anhoej_limits", "c_lines", "compute", "compute_arrays",
    "compute_batch", "compute_chart", "find_points_close_to_limits",
    "find_points_outside_limits", "find_shifts", "find_trends", "find_two_of_three",
    "laney_lines", "masked_mean", "mr_lines", "options_from_spec", "p_lines", "run_centre",
    "side_of_centre", "u_lines", "xmr_lines",
]
