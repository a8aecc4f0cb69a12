import pytest
from django.core.exceptions import ValidationError

from mhsip.text import clean_free_text, is_valid_nhs_number


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
