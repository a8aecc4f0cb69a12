"""The demo's change ideas and their PDSA cycles (pure data; seed_demo saves them through the
change-idea services, so they obey every rule of measures/pdsa_rules.py).

An improving demo ward (measures.demo) tested its idea in a small first cycle that was
adapted, then adopted it ward-wide in the week its restraint fell; the first wards of the
first trust (those of the demo ward staff) also have an abandoned idea and one still running.
All of them target restraint measures, whose demo counts are the ones that improve."""

import datetime
from dataclasses import dataclass

from . import pdsa_rules

RESTRAINT = ("physical_restraint", "prone_restraint")
RAPID_TRANQUILLISATION = ("physical_restraint", "rapid_tranquillisation")


@dataclass(frozen=True)
class DemoCycle:
    starts: int  # weeks from the idea's anchor (the improvement week, or the latest week)
    weeks: int  # how long it ran
    owner_role: str
    plan: str
    prediction: str
    do: str = ""
    study: str = ""
    act: str = ""
    outcome: str = ""


@dataclass(frozen=True)
class DemoIdea:
    title: str
    driver_area: str
    measures: tuple[str, ...]
    cycles: tuple[DemoCycle, ...]

    def dates(self, anchor: datetime.date, cycle: DemoCycle):
        start = anchor + datetime.timedelta(weeks=cycle.starts)
        return start, start + datetime.timedelta(weeks=cycle.weeks, days=-1)


def adopted(title: str, area: str) -> DemoIdea:
    """The idea of an improving ward: adapted after a one-shift test, then adopted."""
    return DemoIdea(title, area, RESTRAINT, (
        DemoCycle(-6, 4, "Charge nurse",
                  f"Try '{title}' on the late shift only, where most restraints start.",
                  "Fewer restraints on the late shift within four weeks.",
                  do="Tried on 20 late shifts; staff used it in most of them.",
                  study="Late-shift restraints fell a little, but night staff had not heard "
                        "of it and the early shift saw no change.",
                  act="Brief every shift at handover and test ward-wide.",
                  outcome=pdsa_rules.ADAPT),
        DemoCycle(0, 8, "Ward manager",
                  f"'{title}' on every shift, briefed at each handover.",
                  "Restraint halves within two months, without more seclusion.",
                  do="In place on every shift from the first week; two refresher briefings.",
                  study="Restraint fell below the lower limit for eight weeks (a shift); "
                        "seclusion unchanged.",
                  act="Keep it: part of the ward's induction and the weekly safety huddle.",
                  outcome=pdsa_rules.ADOPT),
    ))  # fmt: skip


ABANDONED = DemoIdea(
    "Weighted blankets in the de-escalation room", "Sensory approaches", RESTRAINT, (
        DemoCycle(-30, 6, "Occupational therapist",
                  "Offer a weighted blanket before any hands-on intervention.",
                  "Fewer restraints in the de-escalation room within six weeks.",
                  do="Offered 14 times in six weeks; accepted 3 times.",
                  study="No change in restraint; patients preferred the sensory box.",
                  act="Stop: put the effort into the sensory box instead.",
                  outcome=pdsa_rules.ABANDON),
    ),
)  # fmt: skip

RUNNING = DemoIdea(
    "Weekly review of as-needed (PRN) medication", "Medication", RAPID_TRANQUILLISATION, (
        DemoCycle(-3, 6, "Consultant psychiatrist",
                  "Review every patient's as-needed medication at the weekly ward round.",
                  "Fewer rapid tranquillisations in six weeks, with no rise in restraint.",
                  do="Reviewed at three ward rounds so far."),
    ),
)  # fmt: skip
