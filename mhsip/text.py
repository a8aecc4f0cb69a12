"""Free text is about wards and changes, never about a person: refuse NHS numbers, warn about
names and dates of birth, and keep spreadsheet formulas and chart markup out.

The one identifier guard: every form, admin form, API serializer, the import filename and
stored text go through `clean_free_text` (refuse) and `identifier_warning` (warn)."""

import re
import unicodedata

from django.core.exceptions import ValidationError

# Characters that print as nothing: a number typed with them between its digits looks like
# an ordinary NHS number on screen, so they are removed before looking.
INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u180e\u200b\u200c\u200d\u2060\u2063\ufeff"), None)
# What people (and spreadsheets) put between digit groups: spaces (NFKC has made NBSP and
# thin spaces plain), dots, slashes, underscores and every kind of hyphen or dash. Not the
# ASCII information separators (\x1c-\x1f), which the importer puts between cells.
SEPARATOR = r"(?:[^\S\x1c-\x1f]|[./\\_\-\u2010-\u2015\u2212])"
# A digit group and the separator run after it (" - ", ". ", "  "). Consecutive groups joined
# by the same separator making exactly 10 digits are a candidate, so any grouping (3-3-4,
# 2-2-2-2-2, 4-6, 10) is found, also beside other numbers, while one longer number is not,
# and a date beside a number ("2024-01-01 12") is not one number.
GROUP = re.compile(rf"(\d+)({SEPARATOR}{{1,3}}(?=\d))?")
NHS_NUMBER_LENGTH = 10

# A title and a capitalised word ("Mr Smith", "Mrs J Jones", "Dr. O'Neil"): likely a person.
PERSON_NAME = re.compile(
    r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Master|Sir|Dame)\b\.?\s+(?:[A-Z]\.?\s+)*[A-Z][\w'’-]+"
)
DATE_OF_BIRTH = re.compile(r"\b(?:d\.?\s?o\.?\s?b\b\.?|date\s+of\s+birth|born\b)", re.IGNORECASE)

IDENTIFIER_MESSAGE = (
    "This looks like an NHS number. Do not enter anything that identifies a patient: "
    "describe the change, not the person."
)
WARNING_MESSAGE = (
    "{label} looks like it may name a person or give a date of birth. Free text is about the "
    "ward and the change, never a patient or a member of staff: if it does, edit it."
)


def normalised(text: str) -> str:
    """Unicode compatibility form (full-width digits are digits, NBSP is a space) without
    invisible characters: what a reader sees, as plain characters."""
    return unicodedata.normalize("NFKC", text or "").translate(INVISIBLE)


def is_valid_nhs_number(digits: str) -> bool:
    """The NHS number modulus-11 check (NHS Data Dictionary): weights 10..2 on the first nine
    digits; 11 - (sum mod 11) is the check digit, 11 means 0 and 10 means invalid."""
    if len(digits) != NHS_NUMBER_LENGTH or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def _runs(text: str):
    """Runs of digit groups joined by one repeated separator, as lists of groups."""
    run, joiner, end = [], None, None
    for match in GROUP.finditer(normalised(text)):
        digits = "".join(str(int(c)) for c in match.group(1))
        if run and (match.start() != end or joiner is None):
            yield run
            run = []
        if run and match.group(2) is not None and match.group(2) != joiner:
            run.append(digits)  # the last group of this run, and the first of the next
            yield run
            run = []
        run.append(digits)
        joiner, end = match.group(2), match.end()
    if run:
        yield run


def _candidates(text: str):
    for groups in _runs(text):
        for start in range(len(groups)):
            joined = ""
            for group in groups[start:]:
                joined += group
                if len(joined) >= NHS_NUMBER_LENGTH:
                    break
            if len(joined) == NHS_NUMBER_LENGTH:
                yield joined


def find_patient_identifier(text: str) -> bool:
    """Whether the text holds a valid NHS number in any grouping or separator (the one
    identifier check for free text, file cells and names)."""
    return any(is_valid_nhs_number(digits) for digits in _candidates(text or ""))


def identifier_warning(text: str, label: str = "This text") -> str:
    """A warning (not a refusal: "Mr Smith's ward round" may be staff, "born" may be a
    project) when the text looks like it names a person or gives a date of birth; else ""."""
    plain = normalised(text)
    if PERSON_NAME.search(plain) or DATE_OF_BIRTH.search(plain):
        return WARNING_MESSAGE.format(label=label)
    return ""


def validate_no_patient_identifiers(text: str) -> None:
    if find_patient_identifier(text):
        raise ValidationError(IDENTIFIER_MESSAGE, code="patient_identifier")


def clean_free_text(text: str) -> str:
    """Strip NUL (PostgreSQL cannot store it) and surrounding space; refuse NHS numbers."""
    text = (text or "").replace("\x00", "").strip()
    validate_no_patient_identifiers(text)
    return text


# A spreadsheet runs a cell starting with one of these as a formula ("CSV injection", OWASP):
# =HYPERLINK(...) in a ward name would become a live link or worse in Excel. Excel also
# ignores leading spaces and reads the full-width signs as the ASCII ones.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def spreadsheet_safe(value):
    """Text a spreadsheet would run as a formula (also after leading white space), prefixed
    with ' so it is shown as text (the importer removes the ' again); numbers, dates and
    other text unchanged. Every CSV and .xlsx export goes through this."""
    if isinstance(value, str) and value.lstrip(" \u00a0\u3000").startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
