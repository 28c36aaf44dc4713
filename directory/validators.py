"""Validation of Norwegian identifiers used across the catalogue."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_ORGNR_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


def organisation_number_check_digit(first_eight: str) -> int | None:
    """MOD11 check digit for the first eight digits, or None when no valid digit exists (r = 1)."""
    remainder = sum(int(d) * w for d, w in zip(first_eight, _ORGNR_WEIGHTS, strict=True)) % 11
    if remainder == 0:
        return 0
    if remainder == 1:
        return None
    return 11 - remainder


def normalise_organisation_number(value: str) -> str:
    """Strip the spaces people type ("889 640 782") so the stored form is nine digits."""
    return "".join(str(value).split())


def validate_organisation_number(value: str) -> None:
    number = normalise_organisation_number(value)
    if len(number) != 9 or not number.isdigit():
        raise ValidationError(
            _("Organisasjonsnummeret må bestå av nøyaktig 9 sifre."), code="orgnr_format"
        )
    if organisation_number_check_digit(number[:8]) != int(number[8]):
        raise ValidationError(
            _("Organisasjonsnummeret %(value)s er ikke gyldig (kontrollsifferet stemmer ikke)."),
            code="orgnr_checksum",
            params={"value": number},
        )


def validate_municipality_code(value: str) -> None:
    if len(value) != 4 or not value.isdigit():
        raise ValidationError(_("Kommunenummeret må bestå av 4 sifre, for eksempel 0301."))
