"""The rules of whether a figure fits the ward it is written for: a trust's local measure is
written only by the wards enrolled in it while it is collected, and a count far above what
the ward's bed days make plausible needs confirming. Pure, like every rule; re-exported by
rules.py, where the rules of a return are found."""

import datetime
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from django.utils import dateformat

from .rules_dates import DATES_FIELD

DAYS_IN_WEEK = 7


@dataclass(frozen=True)
class LocalScope:
    """Who may write a local measure (`selectors.local_measure_scopes`)."""

    trust_id: int
    ward_ids: frozenset[int]
    retired_on: datetime.date | None = None
    measure_id: int | None = None


def local_measure_errors(*, ward, week_start: datetime.date, codes: Collection[str],
                         measures: Mapping, scopes: Mapping[str, LocalScope]) -> dict:  # fmt: skip
    """A local measure among `codes` (the measures being written, answered or dated) that this
    ward may not write: another trust's reads as an unknown code (the ward must not learn
    another trust's catalogue), one of its own trust's names the enrolment, a retired one its
    retirement (the weeks before it stay open to correction)."""
    errors = {}
    for code in codes:
        scope = scopes.get(code)
        if scope is None:  # a national measure, or an unknown code (field_errors names it)
            continue
        name = measures[code].name
        if scope.trust_id != ward.trust_id:
            errors[code] = f"Unknown measure code {code!r}."
        elif ward.pk not in scope.ward_ids:
            errors[code] = (
                f"{name} is a local measure {ward.name} is not enrolled in: the trust's QI lead "
                "enrols wards on the trust's local measures page."
            )
        elif scope.retired_on is not None and week_start >= scope.retired_on:
            retired = dateformat.format(scope.retired_on, "j F Y")
            errors[code] = (
                f"{name} was retired on {retired}: it is not collected for weeks from then on."
            )
    return errors


def with_local_measure_errors(errors: dict, *, ward, week_start: datetime.date, measures: Mapping,
                              scopes: Mapping[str, LocalScope], written) -> dict:  # fmt: skip
    """`errors` with those of the local measures this ward may not write; nothing else is
    said of such a measure (not even its name). `written`: (code, value) of everything the
    return writes; a blank (None) or no days ([]) writes nothing, so a file's column of a
    local measure may be blank on the rows of the wards not enrolled in it."""
    codes = {code for code, value in written if value is not None and value != []}
    refused = local_measure_errors(ward=ward, week_start=week_start, codes=codes,
                                   measures=measures, scopes=scopes)  # fmt: skip
    return {key: message for key, message in errors.items()
            if _code_of(key) not in refused} | refused  # fmt: skip


def _code_of(key: str) -> str:
    """The measure code of an error's key: `code`, `code.numerator`, `incident_dates.code`."""
    return key.removeprefix(f"{DATES_FIELD}.").split(".")[0]


def implausible_bound(*, beds: int, occupied_bed_days: int | None, per_1000: float) -> float:
    """The highest count plausible for one measure in one ward-week: `per_1000` incidents per
    1,000 occupied bed days (beds × 7 when the bed days are not known)."""
    bed_days = occupied_bed_days if occupied_bed_days else beds * DAYS_IN_WEEK
    return per_1000 * bed_days / 1000


def implausible_counts(*, counts: Mapping[str, int | None], measures: Mapping,
                       bound: float) -> dict[str, str]:  # fmt: skip
    """Counts far above what the ward could plausibly have: saved only once confirmed."""
    return {
        code: (
            f"{measures[code].name}: {value} is more than expected for this ward "
            f"(about {int(bound)} at most for its bed days). Check the count, or confirm it."
        )
        for code, value in counts.items()
        if value is not None and value > bound
    }

