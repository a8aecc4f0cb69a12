"""The groups a breakdown is by: what is collected, in codes, and how it is shown.

Ethnicity is collected as the NHS Data Dictionary "ethnic category" code (the 2001 census
list used in MHSDS, data item ETHNIC CATEGORY) and shown in the five ONS high-level groups,
as NHS Digital publishes Mental Health Act statistics; "not stated" and "not known" are kept
as their own group so that missing recording is visible rather than hidden in a total.
Age bands and sex follow MHSDS's published breakdowns; learning disability / autism is
"recorded" or "not recorded" (the MHSDS LDA flag). Pure Python: no Django.
"""

from dataclasses import dataclass

ETHNICITY, AGE, SEX, LDA = "ethnicity", "age_band", "sex", "ld_autism"
DIMENSIONS = {
    ETHNICITY: "Ethnic group",
    AGE: "Age band",
    SEX: "Sex",
    LDA: "Learning disability or autism",
}

# NHS Data Dictionary ETHNIC CATEGORY codes → ONS high-level group.
ETHNIC_CATEGORY = {
    "A": ("White - British", "White"),
    "B": ("White - Irish", "White"),
    "C": ("White - Any other White background", "White"),
    "D": ("Mixed - White and Black Caribbean", "Mixed"),
    "E": ("Mixed - White and Black African", "Mixed"),
    "F": ("Mixed - White and Asian", "Mixed"),
    "G": ("Mixed - Any other mixed background", "Mixed"),
    "H": ("Asian or Asian British - Indian", "Asian"),
    "J": ("Asian or Asian British - Pakistani", "Asian"),
    "K": ("Asian or Asian British - Bangladeshi", "Asian"),
    "L": ("Asian or Asian British - Any other Asian background", "Asian"),
    "M": ("Black or Black British - Caribbean", "Black"),
    "N": ("Black or Black British - African", "Black"),
    "P": ("Black or Black British - Any other Black background", "Black"),
    "R": ("Other Ethnic Groups - Chinese", "Other"),
    "S": ("Other Ethnic Groups - Any other ethnic group", "Other"),
    "Z": ("Not stated", "Not stated or not known"),
    "99": ("Not known", "Not stated or not known"),
}
ETHNIC_GROUPS = ["White", "Mixed", "Asian", "Black", "Other", "Not stated or not known"]

AGE_BANDS = ["0-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65+"]
SEXES = {"1": "Male", "2": "Female", "9": "Not stated or not known"}
LDA_GROUPS = {"yes": "Recorded", "no": "Not recorded"}

# The group others are compared with: the largest group in the national population of
# inpatients, as NHS Digital's rate ratios do (White for ethnicity).
REFERENCE = {ETHNICITY: "White", AGE: "35-44", SEX: "Female", LDA: "Not recorded"}
# Groups never compared (a ratio against "not known" says nothing about anyone).
NOT_COMPARED = {"Not stated or not known"}


@dataclass(frozen=True)
class Dimension:
    code: str
    label: str
    codes: dict[str, str]  # what may be entered → the group it is shown in
    groups: list[str]  # display order


def _dimensions() -> dict[str, Dimension]:
    return {
        ETHNICITY: Dimension(ETHNICITY, DIMENSIONS[ETHNICITY],
                             {c: g for c, (_, g) in ETHNIC_CATEGORY.items()}, ETHNIC_GROUPS),
        AGE: Dimension(AGE, DIMENSIONS[AGE], {b: b for b in AGE_BANDS}, AGE_BANDS),
        SEX: Dimension(SEX, DIMENSIONS[SEX], SEXES, list(dict.fromkeys(SEXES.values()))),
        LDA: Dimension(LDA, DIMENSIONS[LDA], LDA_GROUPS, list(LDA_GROUPS.values())),
    }  # fmt: skip


DIMENSION = _dimensions()


def group_of(dimension: str, code: str) -> str | None:
    """The display group of an entered code, or None if the code is not one of the dimension's."""
    dim = DIMENSION.get(dimension)
    return dim.codes.get(normalise_code(dimension, code)) if dim else None


def normalise_code(dimension: str, code: str) -> str:
    code = code.strip()
    return code.upper() if dimension == ETHNICITY else code.lower() if dimension == LDA else code
