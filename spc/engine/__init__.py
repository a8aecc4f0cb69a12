"""SPC engine: run and control charts with Making Data Count and Anhøj rules.

Pure Python + NumPy; imports nothing from Django. Public API:

- `compute(spec) -> dict` / `compute_batch(specs) -> list[dict]`: JSON in, JSON out.
- `compute_chart(values, denominators, dates, options) -> ChartResult`: one series.
- `compute_arrays(values, denominators, options=..., breaks=...) -> BatchResult`: many series
  as 2-D arrays (the fast path).
- `compute_auto_batch(specs, on_error, as_dict)`: weekly specs, the engine choosing the chart
  (`"chart": "auto"`), grouped by chosen chart through the batch kernel.
- `between_events(events, weeks, bed_days)`, `aggregate_weeks(...)`, `months_from_events(...)`,
  `choose_chart(...)`: the rare-event helpers.
- the rule and limit functions in `spc.engine.rules` and `spc.engine.limits`.

See spc/README.md for the spec, the output and where the references differ.
"""

from spc.engine.api import (
    AutoResult,
    BatchResult,
    compute,
    compute_arrays,
    compute_auto_batch,
    compute_batch,
    compute_chart,
)
from spc.engine.auto import AutoChoice, plan_auto
from spc.engine.choice import ChoiceRule, choose_chart
from spc.engine.errors import (
    BaselineError,
    CountExceedsDenominatorError,
    EmptySeriesError,
    InvalidBreaksError,
    InvalidDateError,
    InvalidDenominatorError,
    InvalidEventsError,
    InvalidOptionError,
    InvalidTargetError,
    InvalidValueError,
    LengthMismatchError,
    NegativeCountError,
    NonPositiveTimeError,
    SeriesTooShortError,
    SpecError,
    TooFewEventsError,
    UnusedDenominatorError,
)
from spc.engine.events import EventGaps, between_events
from spc.engine.limits import (
    ControlLines,
    c_lines,
    g_lines,
    laney_lines,
    masked_mean,
    mr_lines,
    p_lines,
    run_centre,
    t_lines,
    u_lines,
    xmr_lines,
)
from spc.engine.options import ChartOptions, TargetSpec, options_from_spec
from spc.engine.periods import PeriodSeries, aggregate_weeks, months_from_events
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
    "AutoChoice", "AutoResult", "ChoiceRule", "EventGaps", "InvalidEventsError",
    "NonPositiveTimeError", "PeriodSeries", "TooFewEventsError", "UnusedDenominatorError",
    "aggregate_weeks", "between_events", "choose_chart", "compute_auto_batch", "g_lines",
    "months_from_events", "plan_auto", "t_lines",
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
