"""Free text is about wards and changes, never about a person: refuse NHS numbers."""

import re

from django.core.exceptions import ValidationError

# 10 digits, optionally grouped 3-3-4 with spaces or hyphens, not inside a longer number.
NHS_NUMBER_CANDIDATE = re.compile(r"(?<!\d)(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?!\d)")


def is_valid_nhs_number(digits: str) -> bool:
    """The NHS number modulus-11 check (NHS Data Dictionary): weights 10..2 on the first nine
    digits; 11 - (sum mod 11) is the check digit, 11 means 0 and 10 means invalid."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def find_patient_identifier(text: str) -> bool:
    """Whether the text holds a valid NHS number (the one identifier check for free text,
    file cells and names)."""
    return any(
        is_valid_nhs_number("".join(match.groups()))
        for match in NHS_NUMBER_CANDIDATE.finditer(text or "")
    )


def validate_no_patient_identifiers(text: str) -> None:
    if find_patient_identifier(text):
        raise ValidationError(
            "This looks like an NHS number. Do not enter anything that identifies a "
            "patient: describe the change, not the person.",
            code="patient_identifier",
        )


def clean_free_text(text: str) -> str:
    """Strip NUL (PostgreSQL cannot store it) and surrounding space; refuse NHS numbers."""
    text = (text or "").replace("\x00", "").strip()
    validate_no_patient_identifiers(text)
    return text


# A spreadsheet runs a cell starting with one of these as a formula ("CSV injection", OWASP):
# =HYPERLINK(...) in a ward name would become a live link or worse in Excel.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """Text a spreadsheet would run as a formula, prefixed with ' so it is shown as text (the
    importer removes the ' again); numbers, dates and other text unchanged. Every CSV and .xlsx
    export goes through this."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
