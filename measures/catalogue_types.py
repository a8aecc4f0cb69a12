"""The catalogue entries of measures that are not plain counts (a composite, a proportion, a
duration, a score) and the chemical restraint counts by route, placed in
`catalogue.MEASURES` by name. MHSDS codes: see catalogue.py."""

RESTRICTIVE = "restrictive_practice"
SEXUAL = "sexual_safety"

RESTRICTIVE_PRACTICE_TOTAL = {
    # First in the catalogue, so first on dashboards and the trust matrix.
    "code": "restrictive_practice_total",
    "name": "Restrictive practice (total)",
    "domain": RESTRICTIVE,
    "value_type": "composite",
    "parts": ["physical_restraint", "seclusion", "rapid_tranquillisation"],
    "unit": "restrictive interventions",
    "mhsds_codes": ["01", "05", "07", "08", "09", "10", "11", "12", "13", "14"],
    "definition": (
        "Physical restraint (all positions, MHSDS 01, 07-13) + seclusion (05) + rapid "
        "tranquillisation (14) in the week: worked out from those three counts, never "
        "entered. Missing for a week when any of the three is missing."
    ),
    "includes": (
        "Each physical restraint episode in any position (MHSDS 01, 07-13), each seclusion "
        "episode (05) and each administration of rapid tranquillisation (14)."
    ),
    "excludes": (
        "Prone restraint on its own: every prone restraint is already a physical restraint, "
        "so adding it would count it twice. Mechanical restraint, segregation and other "
        "chemical restraint are not part of this total."
    ),
}

CHEMICAL_RESTRAINT = {
    "code": "chemical_restraint",
    "name": "Chemical restraint (all routes)",
    "domain": RESTRICTIVE,
    "unit": "administrations",
    "mhsds_codes": ["14", "15", "16", "17"],
    "definition": (
        "Medication given to control or subdue a patient's behaviour in an emergency, not "
        "to treat an illness, by any route (MHSDS restrictive intervention types 14 to 17)."
    ),
    "includes": (
        "Rapid tranquillisation by injection (14), other injections to restrain (15), oral "
        "medication to restrain (16) and any other route (17), each administration once."
    ),
    "excludes": (
        "Regular prescribed medication, depot antipsychotics, PRN medication the patient "
        "asks for and takes freely, and medication for physical health."
    ),
}

CHEMICAL_RESTRAINT_INJECTION = {
    "code": "chemical_restraint_injection",
    "name": "Chemical restraint: other injection",
    "domain": RESTRICTIVE,
    "unit": "administrations",
    "mhsds_codes": ["15"],
    "parent": "chemical_restraint",
    "definition": (
        "Medication given by injection to restrain a patient that is not rapid "
        "tranquillisation (MHSDS 15)."
    ),
    "includes": "Each such injection, planned or unplanned.",
    "excludes": "Rapid tranquillisation (MHSDS 14, counted separately); depot injections.",
}

CHEMICAL_RESTRAINT_ORAL = {
    "code": "chemical_restraint_oral",
    "name": "Chemical restraint: oral",
    "domain": RESTRICTIVE,
    "unit": "administrations",
    "mhsds_codes": ["16"],
    "parent": "chemical_restraint",
    "definition": "Medication given by mouth to restrain a patient (MHSDS 16).",
    "includes": "Oral medication given to calm a patient in an emergency, offered or not.",
    "excludes": "Regular oral medication and PRN the patient asks for and takes freely.",
}

CHEMICAL_RESTRAINT_OTHER = {
    "code": "chemical_restraint_other",
    "name": "Chemical restraint: other route",
    "domain": RESTRICTIVE,
    "unit": "administrations",
    "mhsds_codes": ["17"],
    "parent": "chemical_restraint",
    "definition": (
        "Medication given to restrain a patient by a route not listed above, for example "
        "intranasal or buccal (MHSDS 17)."
    ),
    "includes": "Each administration by another route.",
    "excludes": "Injections (MHSDS 14, 15) and oral medication (16).",
}

SECLUSION_HOURS = {
    "code": "seclusion_hours",
    "name": "Hours in seclusion",
    "domain": RESTRICTIVE,
    "value_type": "duration",
    "duration_unit": "hours",
    "unit": "hours",
    "mhsds_codes": ["05"],
    "definition": (
        "The hours patients spent in seclusion in the week, summed over every episode "
        "(MHSDS 05), to the nearest quarter hour. Charted per 1,000 occupied bed days."
    ),
    "includes": "The part of each episode that fell in the week, from its start to its end.",
    "excludes": "Long-term segregation; hours of episodes outside the week.",
}

RESTRAINT_DEBRIEF_72H = {
    "code": "restraint_debrief_72h",
    "name": "Restraints debriefed within 72 hours",
    "domain": RESTRICTIVE,
    "kind": "process",
    "improvement": "increase",
    "value_type": "proportion",
    "unit": "restraint episodes",
    "numerator_label": "restraints followed by a debrief within 72 hours",
    "denominator_label": "restraint episodes in the week",
    "mhsds_codes": ["01", "07", "08", "09", "10", "11", "12", "13"],
    "definition": (
        "Of the physical restraint episodes in the week (MHSDS 01, 07-13), how many were "
        "followed within 72 hours by a debrief offered to the patient. Charted as a "
        "percentage (p chart)."
    ),
    "includes": "A debrief offered and declined counts: the offer is what is measured.",
    "excludes": "Staff-only debriefs; debriefs after 72 hours.",
}

SEXUAL_SAFETY_FEEL_SAFE = {
    "code": "sexual_safety_feel_safe",
    "name": "Feel sexually safe on the ward",
    "domain": SEXUAL,
    "improvement": "increase",
    "value_type": "proportion",
    "unit": "people asked",
    "numerator_label": "people answering yes",
    "denominator_label": "people asked",
    "definition": (
        "Patients and staff who feel sexually safe on the ward: of the people asked in the "
        "week \"Do you feel sexually safe on this ward?\", how many answered yes. Charted "
        "as a percentage (p chart). Counts only: never who answered."
    ),
    "includes": "Patients and staff asked in person or by a short survey during the week.",
    "excludes": "Visitors; answers other than yes or no.",
}

STAFF_FEEL_SAFE_SCORE = {
    "code": "staff_feel_safe_score",
    "name": "Staff feeling safe at work (mean score)",
    "domain": RESTRICTIVE,
    "kind": "balancing",
    "improvement": "increase",
    "value_type": "score",
    "score_min": 0,
    "score_max": 10,
    "unit": "mean score (0-10)",
    "definition": (
        "The mean of staff answers, 0 (not at all) to 10 (completely), to \"How safe did "
        "you feel at work this week?\". A balancing measure: reducing restrictive practice "
        "must not leave staff feeling less safe. Charted as an XmR chart."
    ),
    "includes": "Every member of ward staff who answered in the week.",
    "excludes": "Bank or agency staff on a single shift, if the ward does not ask them.",
}
