"""The MHSIP measure catalogue and programme targets, loaded by a data migration.

MHSDS codes are the restrictive intervention types of the Mental Health Services Data Set as
NHS Digital's restrictive intervention statistics code them: physical restraint 01 prone,
07 standing, 08 restrictive escort, 09 supine, 10 side, 11 seated, 12 kneeling, 13 other;
04 mechanical restraint; 05 seclusion; 06 segregation; chemical restraint 14 rapid
tranquillisation injection, 15 other injection, 16 oral, 17 other.
"""

import datetime

from .catalogue_targets import sync_targets

RESTRICTIVE = "restrictive_practice"
SELF_HARM = "self_harm_suicide"
SEXUAL = "sexual_safety"

MEASURES = [
    {
        "code": "physical_restraint",
        "name": "Physical restraint (all positions)",
        "domain": RESTRICTIVE,
        "unit": "restraint episodes",
        "mhsds_codes": ["01", "07", "08", "09", "10", "11", "12", "13"],
        "definition": (
            "An episode of skilled, hands-on physical intervention by staff that restricts a "
            "patient's movement, in any position, from its start until the patient is released."
        ),
        "includes": (
            "Every episode in any position: prone, standing, restrictive escort, supine, side, "
            "seated, kneeling or other. An episode that moves between positions counts once here "
            "(and once as prone restraint if it was prone at any point)."
        ),
        "excludes": (
            "Guiding a patient by the arm without restricting movement; holds used only for "
            "planned physical healthcare with valid consent; mechanical restraint (counted "
            "separately)."
        ),
    },
    {
        "code": "prone_restraint",
        "name": "Prone restraint",
        "domain": RESTRICTIVE,
        "unit": "restraint episodes",
        "mhsds_codes": ["01"],
        "parent": "physical_restraint",
        "definition": (
            "A physical restraint episode in which the patient was held chest down (prone) at "
            "any point, however briefly."
        ),
        "includes": (
            "Episodes that start standing and go to the floor prone; unplanned and planned prone "
            "holds, including prone holds to give an intramuscular injection."
        ),
        "excludes": "Episodes held only supine, side, seated, kneeling or standing.",
    },
    {
        "code": "rapid_tranquillisation",
        "name": "Rapid tranquillisation",
        "domain": RESTRICTIVE,
        "unit": "administrations",
        "mhsds_codes": ["14"],
        "definition": (
            "Medication given by injection (usually intramuscular, exceptionally intravenous) "
            "for urgent sedation because oral medication was not possible or appropriate "
            "(NICE NG10)."
        ),
        "includes": "Each administration by injection for urgent sedation.",
        "excludes": (
            "Oral PRN medication (MHSDS 16), other injections (15), depot antipsychotics and "
            "medication given for physical health."
        ),
    },
    {
        "code": "seclusion",
        "name": "Seclusion",
        "domain": RESTRICTIVE,
        "unit": "seclusion episodes",
        "mhsds_codes": ["05"],
        "definition": (
            "The supervised confinement and isolation of a patient, away from other patients, in "
            "an area from which they are prevented from leaving (Mental Health Act Code of "
            "Practice 26.103)."
        ),
        "includes": "Each episode from the start of confinement to its end, wherever it happens.",
        "excludes": "Long-term segregation (counted separately); time-out the patient agrees to.",
    },
    {
        "code": "long_term_segregation",
        "name": "Long-term segregation",
        "domain": RESTRICTIVE,
        "unit": "episodes started",
        "mhsds_codes": ["06"],
        "definition": (
            "A multidisciplinary decision, with the responsible commissioner, that a patient is "
            "not allowed to mix freely with other patients on a long-term basis (Code of "
            "Practice 26.150)."
        ),
        "includes": "Each new episode of segregation started in the week.",
        "excludes": "Episodes continuing from an earlier week; seclusion.",
    },
    {
        "code": "mechanical_restraint",
        "name": "Mechanical restraint",
        "domain": RESTRICTIVE,
        "unit": "episodes",
        "mhsds_codes": ["04"],
        "definition": (
            "The use of a device (for example handcuffs, belts or cuffs) to prevent, restrict or "
            "subdue movement of the body or a part of it, for behavioural reasons."
        ),
        "includes": "Devices used by ward staff or by police on the ward.",
        "excludes": (
            "Devices used for clinical reasons such as a splint, or during escorts outside the "
            "ward by another organisation."
        ),
    },
    {
        "code": "self_harm",
        "name": "Self-harm incidents",
        "domain": SELF_HARM,
        "unit": "incidents",
        "definition": (
            "An incident of intentional self-poisoning or self-injury, irrespective of apparent "
            "purpose (NICE NG225), reported in the trust's incident system."
        ),
        "includes": "Every incident, whatever the severity of harm, including attempted suicide.",
        "excludes": "Ligature incidents are counted here and also under ligature incidents.",
    },
    {
        "code": "ligature",
        "name": "Ligature incidents",
        "domain": SELF_HARM,
        "unit": "incidents",
        "definition": (
            "An incident in which a patient used or tried to use a ligature, tied to an anchor "
            "point or not."
        ),
        "includes": "Ligatures found in place, attempts interrupted by staff, ligatures made.",
        "excludes": "Environmental ligature-risk audits and items removed during searches.",
    },
    {
        "code": "awol",
        "name": "AWOL / absconding",
        "domain": SELF_HARM,
        "unit": "incidents",
        "definition": (
            "A detained patient absent without leave, or an informal patient missing from the "
            "ward whose absence causes concern for their safety."
        ),
        "includes": (
            "Failure to return from leave, absconding from the ward or from escorted leave."
        ),
        "excludes": "Informal patients who leave as agreed; late returns agreed in advance.",
    },
    {
        "code": "sexual_safety_incidents",
        # Reports: more can mean better reporting (catalogue_targets.REPORTING_CODES).
        "improvement": "neutral",
        "name": "Sexual safety incidents",
        "domain": SEXUAL,
        "unit": "incidents",
        "definition": (
            "An incident reported in the incident system of unwanted sexual behaviour, sexual "
            "harassment or assault, or a sexual boundary violation on the ward."
        ),
        "includes": (
            "Incidents between patients, from patients to staff, and from staff to patients."
        ),
        "excludes": "Consensual relationships with no safeguarding concern.",
    },
    {
        "code": "sexual_safety_patients",
        # Reports: more can mean better reporting (catalogue_targets.REPORTING_CODES).
        "improvement": "neutral",
        "name": "Sexual safety: patients affected",
        "domain": SEXUAL,
        "unit": "patients affected",
        "definition": "The number of patients affected by sexual safety incidents in the week.",
        "includes": "Each patient affected, once per incident.",
        "excludes": "Staff affected (counted separately).",
    },
    {
        "code": "sexual_safety_staff",
        # Reports: more can mean better reporting (catalogue_targets.REPORTING_CODES).
        "improvement": "neutral",
        "name": "Sexual safety: staff affected",
        "domain": SEXUAL,
        "unit": "staff affected",
        "definition": "The number of staff affected by sexual safety incidents in the week.",
        "includes": "Each member of staff affected, once per incident.",
        "excludes": "Patients affected (counted separately).",
    },
    {
        "code": "violence_aggression",
        "name": "Violence and aggression incidents",
        "domain": RESTRICTIVE,
        "kind": "balancing",
        "unit": "incidents",
        "definition": (
            "Incidents of physical violence or aggression towards patients or staff. A balancing "
            "measure: reducing restrictive practice must not raise it."
        ),
        "includes": "Physical assaults and attempted assaults, on patients or staff.",
        "excludes": "Verbal aggression alone; damage to property alone.",
    },
]

PROGRAMMES = [
    {
        "name": "Restrictive practice: regional aim",
        "description": "Reduce restrictive practice by 25% on each ward's baseline.",
        "reduction_percent": 25,
        "deadline": datetime.date(2023, 4, 30),
        "domain": RESTRICTIVE,
    },
    {
        "name": "Restrictive practice: national aim",
        "description": "Reduce restrictive practice by 50% on each ward's baseline.",
        "reduction_percent": 50,
        "deadline": datetime.date(2024, 3, 31),
        "domain": RESTRICTIVE,
    },
    {
        "name": "Suicide and self-harm",
        "description": "Reduce suicide and self-harm, including AWOL and ligature incidents.",
        "reduction_percent": None,
        "deadline": datetime.date(2024, 3, 31),
        "domain": SELF_HARM,
    },
    {
        "name": "Sexual safety: national aim",
        "description": "A 50% improvement on baseline in the sexual safety of patients and staff.",
        "reduction_percent": 50,
        "deadline": datetime.date(2024, 3, 31),
        "domain": SEXUAL,
    },
]


def sync_catalogue(Measure, Programme) -> None:
    """Create or update every measure and programme by its natural key (idempotent).

    Takes the model classes so a data migration can pass its historical models."""
    by_code = {}
    for order, spec in enumerate(MEASURES, start=1):
        fields = {k: v for k, v in spec.items() if k not in ("code", "parent")}
        fields.setdefault("kind", "outcome")
        fields.setdefault("improvement", "decrease")
        fields.setdefault("mhsds_codes", [])
        fields["display_order"] = order * 10
        fields["parent"] = by_code.get(spec.get("parent"))
        measure, _ = Measure.objects.update_or_create(code=spec["code"], defaults=fields)
        by_code[spec["code"]] = measure
    for spec in PROGRAMMES:
        fields = {k: v for k, v in spec.items() if k not in ("name", "domain")}
        programme, _ = Programme.objects.update_or_create(name=spec["name"], defaults=fields)
        programme.measures.set(
            [m for m in by_code.values() if m.domain == spec["domain"] and m.kind != "balancing"]
        )
    sync_targets(Programme, Measure)
