"""The demo's local measure: the first demo trust's QI team measures the share of patients with
a current positive behaviour support (PBS) plan on three of its wards, a process measure of
restrictive-practice reduction (NICE NG10 and the Restraint Reduction Network ask for one for
every patient at risk of restraint). A proportion with the trust's own +50% target; the
figures rise after a ward's change idea, as the demo's restraints fall."""

import datetime

import numpy as np
from django.utils import timezone

from mhsip.weeks import monday_of

from . import targets
from .demo import DemoWard, _rng
from .local_measures import LOCAL_ORDER_FROM
from .models import LocalMeasure, Measure
from .value_rules import Proportion

WARDS = 3  # of the trust's wards, in the demo's order
PBS_SHARE = (0.38, 0.62)  # patients with a current plan, before / after the ward's change idea
FIELDS = {
    "name": "Patients with a positive behaviour support plan",
    "value_type": "proportion",
    "domain": "restrictive_practice",
    "improvement": "increase",
    "unit": "patients",
    "definition": "Patients on the ward at midnight on Sunday who have a current positive "
    "behaviour support plan, of all patients on the ward then.",
    "includes": "Plans written or reviewed in the last 3 months, shared with the patient.",
    "excludes": "Plans still in draft; care plans without a behaviour support section.",
    "numerator_label": "patients with a current plan",
    "denominator_label": "patients on the ward",
}


def demo_local_measure(trust, wards) -> Measure:
    """The trust's PBS-plan measure (made once), its first WARDS wards enrolled, and a target
    of +50% on the baseline by the end of March after next: a live measure's deadline ahead."""
    code = f"{trust.ods_code.lower()}_pbs_plan"
    measure, created = Measure.objects.get_or_create(
        code=code, defaults={**FIELDS, "display_order": LOCAL_ORDER_FROM})
    if created:
        local = LocalMeasure.objects.create(
            measure=measure, trust=trust, target_kind=targets.RAISE, target_percent=50,
            target_deadline=datetime.date(timezone.localdate().year + 1, 3, 31))  # fmt: skip
        local.wards.set(wards[:WARDS])
    return measure


def demo_local_values(ward: DemoWard, week: datetime.date, occupied_bed_days: int):
    """A week's patients with a plan, of the patients on the ward (its bed days / 7)."""
    patients = max(1, round(occupied_bed_days / 7))
    improved = ward.improves_from is not None and week >= monday_of(ward.improves_from)
    rng = _rng("pbs", ward.code, week.isoformat())
    share = float(np.clip(rng.normal(PBS_SHARE[improved], 0.05), 0, 1))
    return Proportion(int(rng.binomial(patients, share)), patients)
