"""A deterministic, realistic demo data set: 3 PSC regions, 9 trusts, 45 wards, weekly returns.

Counts are Poisson at rates per 1,000 occupied bed days typical of each ward type. Every ward's
series comes from a random generator seeded by the ward's own code, so the same week always gets
the same numbers, and a later run only adds the weeks that have passed since. Half the wards
give the day of each incident of their rare measures (the days come from generators of their
own, so the counts are the same with or without them).
"""

import datetime
import zlib
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from mhsip.weeks import monday_of

from .rules import DAYS_IN_WEEK
from .value_rules import HOURS_IN_WEEK, Proportion

LAUNCH = datetime.date(2021, 5, 3)  # the Monday of MHSIP's launch month, May 2021

REGIONS = [
    ("North East and North Cumbria PSC", "nenc"),
    ("Yorkshire and Humber PSC", "yh"),
    ("West Midlands PSC", "wm"),
]

# Fictitious trusts: (region code, name, ODS code)
TRUSTS = [
    ("nenc", "Tyneside Moors Mental Health NHS Foundation Trust", "RZ1"),
    ("nenc", "Wearvale Partnership NHS Trust", "RZ2"),
    ("nenc", "Cumbria Fells Care NHS Foundation Trust", "RZ3"),
    ("yh", "Humber Estuary Health NHS Trust", "RZ4"),
    ("yh", "Pennine Dales Mental Health NHS Foundation Trust", "RZ5"),
    ("yh", "Sheaf Valley Care NHS Trust", "RZ6"),
    ("wm", "Black Country Canals NHS Foundation Trust", "RZ7"),
    ("wm", "Severn Meadows Partnership NHS Trust", "RZ8"),
    ("wm", "Arden Forest Mental Health NHS Trust", "RZ9"),
]

WARD_NAMES = [
    "Alder", "Birch", "Cedar", "Damson", "Elm", "Fern", "Gorse", "Hazel", "Ivy", "Juniper",
    "Kestrel", "Larch", "Maple", "Nightingale", "Oak", "Poppy", "Quince", "Rowan", "Sycamore",
    "Teasel", "Umber", "Willow", "Yarrow", "Aspen", "Beech", "Clover", "Dove", "Ember",
    "Finch", "Heather", "Iris", "Jasmine", "Kingfisher", "Lavender", "Magnolia", "Nettle",
    "Orchid", "Primrose", "Robin", "Skylark", "Thistle", "Violet", "Wren", "Heron", "Linnet",
]

# Five wards per trust, types in rotation so every trust has a mix; beds per type.
WARD_TYPES = [
    ("acute_adult", 18), ("picu", 10), ("older_adult", 16), ("rehabilitation", 14),
    ("acute_adult", 20), ("forensic", 15), ("lda", 8), ("camhs", 12), ("eating_disorder", 12),
    ("perinatal", 8), ("acute_adult", 22), ("picu", 12), ("older_adult", 18),
    ("forensic", 16), ("rehabilitation", 16),
]

# Incidents per 1,000 occupied bed days, by ward type, in catalogue order. Prone restraint is
# drawn as a share of physical restraint so it can never exceed it.
MEASURE_CODES = [
    "physical_restraint", "rapid_tranquillisation", "seclusion", "long_term_segregation",
    "mechanical_restraint", "self_harm", "ligature", "awol", "sexual_safety_incidents",
    "sexual_safety_patients", "sexual_safety_staff", "violence_aggression",
]
RATES = {
    "acute_adult":     [12, 4, 1.5, 0.05, 0.05, 8, 2, 3, 2, 2.2, 0.8, 15],
    "picu":            [60, 20, 12, 0.5, 0.3, 10, 3, 2, 5, 5.5, 2.5, 60],
    "older_adult":     [6, 1, 0.2, 0, 0.02, 2, 0.3, 0.5, 2.5, 2.7, 1, 18],
    "forensic":        [8, 3, 5, 1, 0.2, 6, 2, 0.3, 2, 2.1, 1, 10],
    "lda":             [45, 10, 8, 1.5, 0.3, 15, 2, 0.5, 3, 3.2, 1.5, 50],
    "camhs":           [40, 6, 4, 0.3, 0.1, 30, 10, 4, 3, 3.3, 1, 25],
    "rehabilitation":  [2, 0.3, 0.2, 0, 0, 2, 0.3, 1.5, 0.8, 0.9, 0.3, 3],
    "eating_disorder": [15, 0.5, 0.1, 0, 0.05, 10, 1, 0.5, 0.4, 0.4, 0.1, 3],
    "perinatal":       [1, 0.2, 0.1, 0, 0, 1, 0.1, 0.2, 0.2, 0.2, 0.1, 1],
}  # fmt: skip
PRONE_SHARE = {"picu": 0.25, "forensic": 0.25, "lda": 0.2, "camhs": 0.2}
RESTRICTIVE = {"physical_restraint", "rapid_tranquillisation", "seclusion", "prone_restraint"}

# A measure is rare on a ward below this many expected incidents a week: there the charts use
# the days between incidents (spc.engine.choice.U_CHART_MIN_PER_POINT, 2 a week).
RARE_PER_WEEK = 2.0
TYPICAL_OCCUPANCY = 0.9  # the mean of the weekly occupancy drawn below

CHANGE_IDEAS = [
    ("Safewards: calm-down methods and soft words", "Safewards"),
    ("Twice-daily safety huddle", "Safety huddles"),
    ("Trauma-informed care training for all staff", "Trauma-informed care"),
    ("Supine-first restraint policy", "Reducing prone restraint"),
    ("Positive behaviour support plans on admission", "Positive behaviour support"),
    ("Sexual safety champion on every shift", "Sexual safety"),
]


@dataclass(frozen=True)
class DemoWard:
    trust_ods: str
    name: str
    code: str
    ward_type: str
    beds: int
    active_from: datetime.date
    active_to: datetime.date | None
    # The Monday of a change idea after which restrictive practice falls, or None.
    improves_from: datetime.date | None
    improvement_factor: float
    # The measures whose incidents have their days (every rare measure of half the wards).
    dated_measures: tuple[str, ...] = ()


def _rng(*parts) -> np.random.Generator:
    return np.random.default_rng(zlib.crc32("/".join(map(str, parts)).encode()))


def rare_measures(ward_type: str, beds: int) -> tuple[str, ...]:
    """The measures a ward of this type and size has fewer than RARE_PER_WEEK of, yet some."""
    bed_days = beds * DAYS_IN_WEEK * TYPICAL_OCCUPANCY
    expected = dict(zip(MEASURE_CODES, RATES[ward_type], strict=True))
    expected["prone_restraint"] = expected["physical_restraint"] * PRONE_SHARE.get(ward_type, 0.12)
    return tuple(code for code, rate in expected.items()
                 if 0 < rate * bed_days / 1000 < RARE_PER_WEEK)  # fmt: skip


def demo_wards() -> list[DemoWard]:
    wards = []
    for t, (_, _, ods) in enumerate(TRUSTS):
        for w in range(5):
            index = t * 5 + w
            ward_type, beds = WARD_TYPES[(t * 2 + w) % len(WARD_TYPES)]
            rng = _rng("ward", ods, w)
            active_from = datetime.date(2012 + index % 7, 1 + index % 12, 1)
            active_to = None
            if index == 7:  # one ward opened after launch, one closed: real life
                active_from = datetime.date(2022, 9, 5)
            if index == 23:
                active_to = datetime.date(2025, 6, 29)
            improves = rng.random() < 0.45
            improves_from = None
            if improves:
                offset = int(rng.integers(36, 100))
                improves_from = LAUNCH + datetime.timedelta(weeks=offset)
            wards.append(
                DemoWard(
                    trust_ods=ods,
                    name=f"{WARD_NAMES[index]} Ward",
                    code=f"{ods.lower()}-{WARD_NAMES[index].lower()}",
                    ward_type=ward_type,
                    beds=beds,
                    active_from=active_from,
                    active_to=active_to,
                    improves_from=improves_from,
                    improvement_factor=float(rng.uniform(0.4, 0.65)) if improves else 1.0,
                    dated_measures=rare_measures(ward_type, beds) if index % 2 == 0 else (),
                )
            )
    return wards


@dataclass(frozen=True)
class DemoWeek:
    week_start: datetime.date
    occupied_bed_days: int
    counts: dict  # measure code -> count; a code left out is a missing count
    dates: dict = field(default_factory=dict)  # measure code -> the day of each incident
    # Proportions, durations and scores (measure code -> Proportion or Decimal), on the
    # wards that collect them (VALUE_WARDS); a code left out is missing.
    values: dict = field(default_factory=dict)


# Every third ward collects the measures that are not counts (a few wards of each trust, so
# trust, region and national charts of them exist). Their figures come from generators of
# their own, so the counts are the same with or without them.
VALUE_WARDS = 3
DEBRIEF_RATE = (0.55, 0.85)  # share of restraints debriefed within 72 h, before / after
SECLUSION_MEAN_HOURS = 11.0  # a seclusion episode's mean length (gamma, shape 2)
FEEL_SAFE_RATE = 0.74  # share of people asked who feel sexually safe
STAFF_SAFE_SCORE = 6.4  # staff's mean "how safe did you feel" score, 0 to 10


def demo_values(ward: DemoWard, week: datetime.date, counts: dict, improved: bool) -> dict:
    """A week's debriefs within 72 hours (of its restraints), hours in seclusion (of its
    episodes), people feeling sexually safe (of those asked) and staff's mean safety score."""
    rng = _rng("values", ward.code, week.isoformat())
    values = {}
    restraints = counts.get("physical_restraint")
    if restraints:  # no restraint: nothing to debrief, so no figure (missing, not 0 of 0)
        rate = DEBRIEF_RATE[1] if improved else DEBRIEF_RATE[0]
        values["restraint_debrief_72h"] = Proportion(int(rng.binomial(restraints, rate)),
                                                     restraints)  # fmt: skip
    if (episodes := counts.get("seclusion")) is not None:
        hours = float(rng.gamma(2.0, SECLUSION_MEAN_HOURS / 2, size=episodes).sum())
        values["seclusion_hours"] = Decimal(f"{min(hours, HOURS_IN_WEEK * ward.beds):.2f}")
    if rng.random() > 0.05:  # now and then nobody was asked
        asked = int(rng.integers(max(3, ward.beds // 2), ward.beds + 8))
        values["sexual_safety_feel_safe"] = Proportion(int(rng.binomial(asked, FEEL_SAFE_RATE)),
                                                       asked)  # fmt: skip
    score = np.clip(rng.normal(STAFF_SAFE_SCORE + (0.6 if improved else 0.0), 0.5), 0, 10)
    values["staff_feel_safe_score"] = Decimal(f"{score:.1f}")
    return values


def demo_days(ward: DemoWard, week: datetime.date, counts: dict) -> dict:
    """The day of each incident of the ward's dated measures: uniform over the days of the
    week the ward was open, from a generator of their own."""
    last = 6 if ward.active_to is None else min(6, (ward.active_to - week).days)
    days = {}
    for code in ward.dated_measures:
        if counts.get(code):
            rng = _rng("days", ward.code, week.isoformat(), code)
            offsets = sorted(int(o) for o in rng.integers(0, last + 1, size=counts[code]))
            days[code] = [week + datetime.timedelta(days=o) for o in offsets]
    return days


def demo_weeks(ward: DemoWard, until: datetime.date) -> list[DemoWeek]:
    """Every reporting week of the ward up to `until`, with a few weeks and counts missing."""
    first = max(LAUNCH, monday_of(ward.active_from))
    if monday_of(ward.active_from) < ward.active_from:
        first = max(first, monday_of(ward.active_from) + datetime.timedelta(weeks=1))
    last = until if ward.active_to is None else min(until, monday_of(ward.active_to))
    rates = RATES[ward.ward_type]
    weeks = []
    week = first
    while week <= last:
        rng = _rng("week", ward.code, week.isoformat())
        if rng.random() < 0.02:  # a week the ward never returned
            week += datetime.timedelta(weeks=1)
            continue
        occupancy = min(1.0, rng.normal(0.9, 0.06))
        obd = int(round(ward.beds * DAYS_IN_WEEK * max(occupancy, 0.5)))
        factor = 1.0
        if ward.improves_from and week >= ward.improves_from:
            factor = ward.improvement_factor
        counts = {}
        for code, rate in zip(MEASURE_CODES, rates, strict=True):
            scale = factor if code in RESTRICTIVE else 1.0
            counts[code] = int(rng.poisson(rate * scale * obd / 1000))
        prone_share = PRONE_SHARE.get(ward.ward_type, 0.12) * (
            0.6 if factor < 1 else 1.0
        )  # a supine-first policy cuts prone restraint more than restraint overall
        counts["prone_restraint"] = int(rng.binomial(counts["physical_restraint"], prone_share))
        if rng.random() < 0.01:  # one measure not reported that week: missing, not zero
            counts.pop(MEASURE_CODES[int(rng.integers(len(MEASURE_CODES)))])
        values = demo_values(ward, week, counts, factor < 1) if _collects_values(ward) else {}
        weeks.append(DemoWeek(week, obd, counts, demo_days(ward, week, counts), values))
        week += datetime.timedelta(weeks=1)
    return weeks


def _collects_values(ward: DemoWard) -> bool:
    return zlib.crc32(ward.code.encode()) % VALUE_WARDS == 0
