"""What the equity pages show, from the request's choices (logic kept out of the views)."""

from dataclasses import dataclass

from measures.models import Measure

from .disproportion import Disproportion, disproportion, patients
from .groups import DIMENSIONS, ETHNICITY, NOT_COMPARED, REFERENCE
from .importing import breakdown_measures
from .trend import figure, ratio_trend

PERIODS = (13, 26, 52)


@dataclass(frozen=True)
class Choice:
    measure: Measure
    dimension: str
    weeks: int


def choice_from(params) -> Choice:
    """The measure, breakdown and period asked for, falling back to physical restraint by
    ethnic group over 26 weeks (unknown values are ignored, never an error page)."""
    measures = {m.code: m for m in breakdown_measures()}
    measure = measures.get(params.get("measure")) or measures.get("physical_restraint") or next(
        iter(measures.values()), None)
    dimension = params.get("breakdown") if params.get("breakdown") in DIMENSIONS else ETHNICITY
    try:
        weeks = int(params.get("weeks", 26))
    except ValueError:
        weeks = 26
    return Choice(measure, dimension, weeks if weeks in PERIODS else 26)


def scope_report(scope: str, scope_id: int, choice: Choice, *, show_small: bool) -> dict:
    """Every breakdown's table for the measure, and the trend of the chosen breakdown's
    most different group (the one with the largest ratio, else the first compared)."""
    tables = {d: disproportion(scope, scope_id, choice.measure, d, weeks=choice.weeks,
                               show_small_numbers=show_small) for d in DIMENSIONS}  # fmt: skip
    chosen: Disproportion = tables[choice.dimension]
    compared = [r for r in chosen.rows if not r.is_reference and r.group not in NOT_COMPARED]
    ranked = sorted((r for r in compared if r.ratio and r.ratio.ratio),
                    key=lambda r: -r.ratio.ratio)
    group = (ranked or compared or [None])[0]
    trend = trend_figure = None
    if group is not None:
        reference = REFERENCE[choice.dimension]
        trend = ratio_trend(scope, scope_id, choice.measure, choice.dimension, group.group,
                            reference, show_small_numbers=show_small)  # fmt: skip
        trend_figure = figure(trend, f"{patients(choice.dimension, group.group)} against "
                                     f"{patients(choice.dimension, reference).lower()}")
    return {"tables": tables, "chosen": chosen, "trend": trend, "trend_figure": trend_figure,
            "trend_group": group.group if group else None}  # fmt: skip
