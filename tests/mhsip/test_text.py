import pytest
from django.core.exceptions import ValidationError

from measures.import_cells import cell_text
from mhsip.text import (
    clean_free_text,
    find_patient_identifier,
    identifier_warning,
    is_valid_nhs_number,
    spreadsheet_safe,
)


@pytest.mark.parametrize("number", ["9434765919", "4010232137", "9876543210"])
def test_it_accepts_valid_nhs_numbers_as_such(number):
    assert is_valid_nhs_number(number)


@pytest.mark.parametrize("number", ["9434765918", "1234567890", "123456789", "abcdefghij"])
def test_it_rejects_numbers_failing_the_modulus_11_check(number):
    assert not is_valid_nhs_number(number)


@pytest.mark.parametrize(
    "text", ["NHS no 943 476 5919", "943-476-5919 left", "(9434765919)", "ref:9434765919."]
)
def test_it_refuses_text_holding_an_nhs_number(text):
    with pytest.raises(ValidationError, match="looks like an NHS number"):
        clean_free_text(text)


@pytest.mark.parametrize(
    "text", ["Safewards from 4 Sep 2023", "1234567890", "phone 01632 960 001", "94347659190"]
)
def test_it_allows_other_numbers(text):
    assert clean_free_text(text) == text


def test_it_strips_nul_characters_postgresql_cannot_store():
    assert clean_free_text(" huddle\x00 daily ") == "huddle daily"


@pytest.mark.parametrize(
    "text",
    [
        "943.476.5919",
        "943/476/5919",
        "943_476_5919",
        "943  476  5919",  # double spaces
        "943\u00a0476\u00a05919",  # non-breaking spaces
        "943\u2009476\u20095919",  # thin spaces
        "9434\u200b765919",  # a zero-width space
        "94 34 76 59 19",
        "9434 765 919",
        "943 - 476 - 5919",
        "943\u2013476\u20135919",  # en dashes
        "\uff19\uff14\uff13\uff14\uff17\uff16\uff15\uff19\uff11\uff19",  # full-width digits
        "seen 9434765919 12 times",  # beside another number
        "ward 12, 943 476 5919",
    ],
)
def test_it_finds_nhs_numbers_in_any_grouping_or_separator(text):
    assert find_patient_identifier(text)
    with pytest.raises(ValidationError, match="looks like an NHS number"):
        clean_free_text(text)


@pytest.mark.parametrize(
    "text",
    ["01/02/2023 to 03/04/2023", "12 34 56 78 90", "tel 01632 960 001", "v1.2.3", "9434765918"],
)
def test_it_does_not_take_dates_phones_or_failing_numbers_for_nhs_numbers(text):
    assert not find_patient_identifier(text)


@pytest.mark.parametrize(
    "text",
    ["Spoke to Mr Smith about it", "Mrs J Jones", "Dr. O'Neil's review", "DOB 01/02/1990",
     "born 01/02/1990", "d.o.b. 1 Feb 1990", "Date of birth given"],
)  # fmt: skip
def test_it_warns_about_text_that_looks_like_a_name_or_a_date_of_birth(text):
    assert "may name a person" in identifier_warning(text, "Notes")
    assert identifier_warning(text, "Notes").startswith("Notes ")
    assert clean_free_text(text) == text  # a warning, not a refusal


@pytest.mark.parametrize(
    "text", ["Safewards calm-down methods", "Mrs of the ward", "mr smith", "reborn huddles",
             "Dr rota changed"],
)  # fmt: skip
def test_it_does_not_warn_about_ordinary_text(text):
    assert identifier_warning(text) == ""


@pytest.mark.parametrize(
    "text", [" =1+1", "  +SUM(A1)", "\u00a0-2", "\uff1dHYPERLINK(\"x\")", "\uff0b1", "\uff0d1",
             "\uff20SUM(A1)", "\n=1"],
)  # fmt: skip
def test_it_escapes_formulas_after_white_space_and_full_width_signs(text):
    assert spreadsheet_safe(text) == "'" + text
    assert cell_text(spreadsheet_safe(text)) == text.strip()
