import pytest
from django.core.exceptions import ValidationError

from directory.services.demo_content import fictitious_organisation_number
from directory.validators import validate_organisation_number


@pytest.mark.parametrize("number", ["889640782", "889 640 782", "974760673"])
def test_valid_organisation_numbers_pass(number):
    validate_organisation_number(number)


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("889640783", "kontrollsifferet"),
        ("88964078", "9 sifre"),
        ("8896407822", "9 sifre"),
        ("88964078a", "9 sifre"),
        ("", "9 sifre"),
    ],
)
def test_invalid_organisation_numbers_explain_why(number, message):
    with pytest.raises(ValidationError, match=message):
        validate_organisation_number(number)


def test_remainder_one_has_no_valid_check_digit():
    # When the weighted sum leaves remainder 1, none of the ten possible last digits is valid.
    for prefix in range(10000000, 10000200):
        digits = str(prefix)
        r = sum(int(d) * w for d, w in zip(digits, (3, 2, 7, 6, 5, 4, 3, 2), strict=True)) % 11
        if r == 1:
            for last in range(10):
                with pytest.raises(ValidationError):
                    validate_organisation_number(f"{digits}{last}")
            return
    pytest.fail("no prefix with remainder 1 found")


def test_demo_numbers_are_valid_and_deterministic():
    number = fictitious_organisation_number("Frivilligsentralen i Hamar")
    validate_organisation_number(number)
    assert number == fictitious_organisation_number("Frivilligsentralen i Hamar")
