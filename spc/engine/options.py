"""Chart options: a frozen dataclass, validated on construction, with the reference packages'
meanings (qicharts2 `chart`, `freeze`, `part`; NHSRplotthedots `improvement_direction`,
`fix_after_n_points`, `rebase`, `target`, `screen_outliers`)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, fields

import numpy as np

from spc.engine.constants import DEFAULT_RECENT_N, DEFAULT_SHIFT_LENGTH, DEFAULT_TREND_LENGTH
from spc.engine.errors import InvalidDateError, InvalidOptionError, InvalidTargetError

CHARTS = ("run", "i", "mr", "c", "u", "p", "up", "pp", "t", "g")
RATE_CHARTS = frozenset({"u", "p", "up", "pp"})
# Charts of time (t) or units (g) between events: points are events, dates may repeat, and
# improvement is inverted (fewer incidents = longer gaps). qicharts2 qic.t(), qic.g().
GAP_CHARTS = frozenset({"t", "g"})
# Charts that plot value / denominator when denominators are given, as qicharts2 qic() does
# for `qic(y, n, chart = "i")` (qic.agg(): y = sum(y) / sum(n) per subgroup).
RATIO_CHARTS = frozenset({"run", "i", "mr"})
COUNT_CHARTS = frozenset({"c", "u", "p", "up", "pp"})
PROPORTION_CHARTS = frozenset({"p", "pp"})
LIMIT_CONVENTIONS = ("mdc", "qic")
RULE_SETS = ("mdc", "anhoej", "both")
IMPROVEMENTS = ("increase", "decrease", "neutral")
IMPROVEMENT_SIGN = {"increase": 1, "decrease": -1, "neutral": 0}
SIGN_NAMES = {1: "increase", -1: "decrease", 0: "neutral"}
# An increase target of at most 10 times the baseline (reduction -10); beyond is a slip.
MAX_INCREASE = 10.0


@dataclass(frozen=True)
class TargetSpec:
    """A Making Data Count target: a fixed `value`, or a relative `reduction` of the baseline
    centre (0.25 = 25% lower; a negative one is an increase, -0.5 = 50% higher, at most
    MAX_INCREASE times), optionally with an ISO `deadline`."""

    value: float | None = None
    reduction: float | None = None
    deadline: str | None = None

    def __post_init__(self) -> None:
        if (self.value is None) == (self.reduction is None):
            raise InvalidTargetError("target needs exactly one of 'value' or 'reduction'")
        if self.value is not None and not _is_finite_number(self.value):
            raise InvalidTargetError(f"target value must be a finite number, got {self.value!r}")
        if self.reduction is not None and not (
            _is_finite_number(self.reduction) and -MAX_INCREASE <= self.reduction <= 1
            and self.reduction != 0
        ):
            raise InvalidTargetError(
                f"target reduction must be a non-zero fraction in [-{MAX_INCREASE:g}, 1] (negative:"
                f" an increase), got {self.reduction!r}"
            )
        if self.deadline is not None:
            parse_iso_date(self.deadline, "target deadline")

    @property
    def kind(self) -> str:
        return "fixed" if self.value is not None else "reduction"


@dataclass(frozen=True)
class ChartOptions:
    """Options of one chart. See spc/README.md for each option's reference meaning.

    `freeze`: None, an int N (the first N points of each phase are its baseline, as
    NHSRplotthedots `fix_after_n_points`), an ISO date (the baseline ends on that date) or a
    pair of ISO dates (the baseline is the points dated within the closed range).
    `breaks`: sorted 1-based split points exactly like qicharts2 `part` (`(26,)` starts a new
    phase at the 27th point), or ISO dates each starting a phase (NHSRplotthedots `rebase`).
    """

    chart: str = "u"
    limits: str = "mdc"
    rules: str = "mdc"
    improvement: str = "increase"
    screen_mr: bool = True
    multiply: float = 1.0
    freeze: int | str | tuple[str, str] | None = None
    breaks: tuple[int | str, ...] = ()
    target: TargetSpec | None = None
    shift_length: int = DEFAULT_SHIFT_LENGTH
    trend_length: int = DEFAULT_TREND_LENGTH
    recent_n: int = DEFAULT_RECENT_N

    def __post_init__(self) -> None:
        _check_choice("chart", self.chart, CHARTS)
        _check_choice("limits", self.limits, LIMIT_CONVENTIONS)
        _check_choice("rules", self.rules, RULE_SETS)
        _check_choice("improvement", self.improvement, IMPROVEMENTS)
        if not isinstance(self.screen_mr, bool):
            raise InvalidOptionError(f"screen_mr must be true or false, got {self.screen_mr!r}")
        if not (_is_finite_number(self.multiply) and self.multiply > 0):
            raise InvalidOptionError(f"multiply must be a positive number, got {self.multiply!r}")
        for name in ("shift_length", "trend_length", "recent_n"):
            value = getattr(self, name)
            minimum = 1 if name == "recent_n" else 2
            if not _is_int(value) or value < minimum:
                raise InvalidOptionError(f"{name} must be an integer >= {minimum}, got {value!r}")
        if not isinstance(self.breaks, tuple):
            object.__setattr__(self, "breaks", tuple(self.breaks))
        if isinstance(self.freeze, list):
            object.__setattr__(self, "freeze", tuple(self.freeze))
        _check_freeze(self.freeze)
        if self.target is not None and not isinstance(self.target, TargetSpec):
            raise InvalidTargetError(f"target must be a TargetSpec, got {self.target!r}")

    @property
    def improvement_sign(self) -> int:
        """The direction applied to the plotted values: `improvement` describes the incident
        rate, so on t / g charts (gaps between incidents) it is inverted."""
        sign = IMPROVEMENT_SIGN[self.improvement]
        return -sign if self.chart in GAP_CHARTS else sign

    @property
    def kernel_key(self) -> tuple:
        """Options that change the computation itself (series sharing them batch together)."""
        return (self.chart, self.limits, self.rules, self.screen_mr, self.shift_length,
                self.trend_length)


OPTION_NAMES = tuple(f.name for f in fields(ChartOptions))


def options_from_spec(spec: Mapping) -> ChartOptions:
    """Build `ChartOptions` from the option keys of a JSON spec (see spc/README.md)."""
    kwargs = {name: spec[name] for name in OPTION_NAMES if name in spec and spec[name] is not None}
    if "breaks" in kwargs:
        if not isinstance(kwargs["breaks"], list | tuple):
            raise InvalidOptionError(f"breaks must be a list, got {kwargs['breaks']!r}")
        kwargs["breaks"] = tuple(kwargs["breaks"])
    if "target" in kwargs:
        kwargs["target"] = target_from_spec(kwargs["target"])
    return ChartOptions(**kwargs)


def target_from_spec(raw) -> TargetSpec:
    """Parse a target: a number, `{"value": 12.5}` or `{"reduction": 0.25, "deadline": ...}`."""
    if isinstance(raw, Mapping):
        unknown = set(raw) - {"value", "reduction", "deadline"}
        if unknown:
            raise InvalidTargetError(f"unknown target keys: {sorted(unknown)}")
        return TargetSpec(raw.get("value"), raw.get("reduction"), raw.get("deadline"))
    if _is_finite_number(raw):
        return TargetSpec(value=float(raw))
    raise InvalidTargetError(f"target must be a number or an object, got {raw!r}")


def parse_iso_date(text, what: str = "date") -> dt.date:
    """Parse an ISO `YYYY-MM-DD` date, raising `InvalidDateError` naming `what`."""
    if isinstance(text, dt.date) and not isinstance(text, dt.datetime):
        return text
    if not isinstance(text, str):
        raise InvalidDateError(f"{what} must be an ISO date string, got {text!r}")
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidDateError(f"{what} is not an ISO date (YYYY-MM-DD): {text!r}") from exc


def parse_iso_dates(items, what: str = "dates") -> np.ndarray:
    """Many ISO dates to datetime64[D]. A list of `YYYY-MM-DD` strings is parsed by NumPy in
    one call and checked by writing it back (so nothing but strict ISO passes); anything else
    goes date by date through `parse_iso_date`, which names the bad item."""
    if isinstance(items, np.ndarray) and items.dtype == "datetime64[D]":
        return items
    text = np.asarray(items) if len(items) else None
    if text is not None and text.dtype == "<U10":
        try:
            out = text.astype("datetime64[D]")
        except ValueError:
            out = None
        if out is not None and (out.astype("<U10") == text).all():
            return out
    return np.array([np.datetime64(parse_iso_date(d, f"{what}[{i}]"), "D")
                     for i, d in enumerate(items)], dtype="datetime64[D]")


def _check_freeze(freeze) -> None:
    if freeze is None or isinstance(freeze, str):
        if isinstance(freeze, str):
            parse_iso_date(freeze, "freeze")
        return
    if isinstance(freeze, tuple):
        if len(freeze) != 2 or not all(isinstance(d, str) for d in freeze):
            raise InvalidOptionError(f"freeze date range must be two ISO dates, got {freeze!r}")
        start, end = (parse_iso_date(d, "freeze") for d in freeze)
        if start > end:
            raise InvalidOptionError(f"freeze date range starts after it ends: {freeze!r}")
        return
    if not _is_int(freeze) or freeze < 1:
        raise InvalidOptionError(
            f"freeze must be a positive integer or ISO date(s), got {freeze!r}"
        )


def _check_choice(name: str, value, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise InvalidOptionError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_finite_number(value) -> bool:
    return (
        isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    )


__all__ = ["ChartOptions", "TargetSpec", "options_from_spec", "target_from_spec"]
