"""Input errors. Each is a `ValueError` so callers may catch them broadly or one by one."""


class SpecError(ValueError):
    """Base class: the input cannot be charted as given; nothing is coerced."""


class InvalidOptionError(SpecError):
    """An option has an unknown name or a value outside its allowed set."""


class EmptySeriesError(SpecError):
    """The series has no points at all."""


class SeriesTooShortError(SpecError):
    """A phase has fewer usable baseline points than its chart needs."""


class LengthMismatchError(SpecError):
    """`values`, `denominators` and `dates` differ in length."""


class InvalidValueError(SpecError):
    """A value is not a finite number (missing points must be null / NaN, not text or inf)."""


class NegativeCountError(SpecError):
    """A count chart (c, u, p, up, pp) got a negative count."""


class InvalidDenominatorError(SpecError):
    """A rate chart got a denominator that is missing, zero, negative or not finite."""


class CountExceedsDenominatorError(SpecError):
    """A p / pp chart got a count larger than its denominator."""


class BaselineError(SpecError):
    """The baseline (`freeze`) is longer than the series, empty, or misplaced."""


class InvalidBreaksError(SpecError):
    """Phase breaks are out of range, unsorted, duplicated or do not match a date."""


class InvalidDateError(SpecError):
    """A date is not ISO `YYYY-MM-DD`, or the dates are not strictly increasing."""


class InvalidTargetError(SpecError):
    """A target is malformed (not a number, or a reduction outside (0, 1])."""


class TooFewEventsError(SeriesTooShortError):
    """A t or g chart has fewer events in a phase's baseline than it needs (the message says
    how many it needs and how many there are)."""


class NonPositiveTimeError(InvalidValueError):
    """A t chart got a time between events that is 0 or negative (qicharts2 qic.t() stops:
    'Time between events must be greater than zero'); same-day pairs belong on a g chart."""


class UnusedDenominatorError(InvalidDenominatorError):
    """Denominators were given to a chart that cannot use them (c, t, g)."""


class InvalidEventsError(SpecError):
    """Event dates are malformed, outside the weeks, or disagree with the weekly counts."""
