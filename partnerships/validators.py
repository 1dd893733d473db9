"""Validators for Swedish and e-invoicing identifiers.

Each one raises a ValidationError with a Swedish message; forms, model validation, the
admin and the importers all call the same functions.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import bic, ean, iban, luhn
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.se import orgnr

PEPPOL_ID_RE = re.compile(r"^(?P<scheme>\d{4}):(?P<value>[A-Za-z0-9.\-_]{1,50})$")

# The Electronic Address Scheme (EAS) code list that PEPPOL BIS 3.0 accepts for an
# endpoint (rule PEPPOL-EN16931-CL008, variable `eaid` in the PEPPOL rules of release
# 3.0.19). tests/test_payment_details.py checks that it matches the shared XSLT.
PEPPOL_EAS_CODES = frozenset(
    [
        "0002",
        "0007",
        "0009",
        "0037",
        "0060",
        "0088",
        "0096",
        "0097",
        "0106",
        "0130",
        "0135",
        "0142",
        "0151",
        "0177",
        "0183",
        "0184",
        "0188",
        "0190",
        "0191",
        "0192",
        "0193",
        "0195",
        "0196",
        "0198",
        "0199",
        "0200",
        "0201",
        "0202",
        "0204",
        "0208",
        "0209",
        "0210",
        "0211",
        "0212",
        "0213",
        "0215",
        "0216",
        "0218",
        "0221",
        "0230",
        "0235",
        "9910",
        "9913",
        "9914",
        "9915",
        "9918",
        "9919",
        "9920",
        "9922",
        "9923",
        "9924",
        "9925",
        "9926",
        "9927",
        "9928",
        "9929",
        "9930",
        "9931",
        "9932",
        "9933",
        "9934",
        "9935",
        "9936",
        "9937",
        "9938",
        "9939",
        "9940",
        "9941",
        "9942",
        "9943",
        "9944",
        "9945",
        "9946",
        "9947",
        "9948",
        "9949",
        "9950",
        "9951",
        "9952",
        "9953",
        "9957",
        "9959",
        "0147",
        "0154",
        "0158",
        "0170",
        "0194",
        "0203",
        "0205",
        "0217",
        "0225",
        "0240",
    ]
)


def normalise_org_number(value: str) -> str:
    """Return a valid organisation number as NNNNNN-NNNN; anything else unchanged."""
    if not orgnr.is_valid(value):
        return value
    digits = orgnr.compact(value)
    return f"{digits[:6]}-{digits[6:]}"


def validate_org_number(value: str) -> None:
    try:
        orgnr.validate(value)
    except StdnumError as exc:
        raise ValidationError(
            _(
                "Ogiltigt organisationsnummer: ange tio siffror (NNNNNN-NNNN) med rätt kontrollsiffra."
            ),
            code="invalid_org_number",
        ) from exc


def validate_gln(value: str) -> None:
    """A GLN is a 13-digit GS1 number whose last digit is the EAN check digit."""
    if not (value.isdigit() and len(value) == 13):
        raise ValidationError(_("Ett GLN har 13 siffror."), code="invalid_gln")
    try:
        ean.validate(value)
    except StdnumError as exc:
        raise ValidationError(
            _("GLN-numrets kontrollsiffra stämmer inte."), code="invalid_gln"
        ) from exc


def validate_peppol_id(value: str) -> None:
    """PEPPOL participant id as `scheme:identifier`; scheme 0007 is a Swedish org. number."""
    match = PEPPOL_ID_RE.match(value)
    if not match:
        raise ValidationError(
            _("Ange PEPPOL-ID som schema och identitet, till exempel 0007:2120000449."),
            code="invalid_peppol_id",
        )
    if match["scheme"] not in PEPPOL_EAS_CODES:
        raise ValidationError(
            _(
                "Schemat %(scheme)s finns inte i PEPPOL:s lista över adresscheman. "
                "Svenska parter använder 0007 (organisationsnummer) eller 0088 (GLN)."
            )
            % {"scheme": match["scheme"]},
            code="invalid_peppol_scheme",
        )
    if match["scheme"] == "0007":
        try:
            orgnr.validate(match["value"])
        except StdnumError as exc:
            raise ValidationError(
                _(
                    "PEPPOL-ID med schema 0007 måste vara ett giltigt organisationsnummer (tio siffror)."
                ),
                code="invalid_peppol_id",
            ) from exc
    if match["scheme"] == "0088":
        validate_gln(match["value"])


def _compact_giro(value: str) -> str:
    return re.sub(r"[\s-]", "", value)


def normalise_bankgiro(value: str) -> str:
    """A Bankgiro number as it is printed: NNN-NNNN or NNNN-NNNN."""
    digits = _compact_giro(value)
    return f"{digits[:-4]}-{digits[-4:]}" if digits.isdigit() else value


def normalise_plusgiro(value: str) -> str:
    """A Plusgiro number as it is printed: the check digit after a dash (NNNNNN-N)."""
    digits = _compact_giro(value)
    return f"{digits[:-1]}-{digits[-1:]}" if digits.isdigit() else value


def validate_bankgiro(value: str) -> None:
    """Bankgiro: seven or eight digits, the last a mod-10 (Luhn) check digit."""
    digits = _compact_giro(value)
    if not (digits.isdigit() and len(digits) in (7, 8)):
        raise ValidationError(
            _("Ett bankgironummer har sju eller åtta siffror, till exempel 5050-1055."),
            code="invalid_bankgiro",
        )
    if not luhn.is_valid(digits):
        raise ValidationError(
            _("Bankgironumrets kontrollsiffra stämmer inte. Kontrollera numret."),
            code="invalid_bankgiro",
        )


def validate_plusgiro(value: str) -> None:
    """Plusgiro: two to eight digits, the last a mod-10 (Luhn) check digit."""
    digits = _compact_giro(value)
    if not (digits.isdigit() and 2 <= len(digits) <= 8):
        raise ValidationError(
            _("Ett plusgironummer har två till åtta siffror, till exempel 90 20 90-0."),
            code="invalid_plusgiro",
        )
    if not luhn.is_valid(digits):
        raise ValidationError(
            _("Plusgironumrets kontrollsiffra stämmer inte. Kontrollera numret."),
            code="invalid_plusgiro",
        )


def validate_iban(value: str) -> None:
    try:
        iban.validate(value)
    except StdnumError as exc:
        raise ValidationError(
            _("Ogiltigt IBAN: kontrollera landskoden, längden och kontrollsiffrorna."),
            code="invalid_iban",
        ) from exc


def validate_bic(value: str) -> None:
    try:
        bic.validate(value)
    except StdnumError as exc:
        raise ValidationError(
            _("Ogiltig BIC: åtta eller elva tecken, till exempel ESSESESS."), code="invalid_bic"
        ) from exc


def ocr_number(base: str) -> str:
    """A Swedish OCR reference for `base` (digits): a length digit, then a Luhn check digit.

    The length digit (the length including both added digits, mod 10) lets the bank catch a
    digit left out or added, which the check digit alone does not (hard level at Bankgirot).
    """
    with_length = f"{base}{(len(base) + 2) % 10}"
    return with_length + luhn.calc_check_digit(with_length)


def validate_ocr(value: str) -> None:
    """An OCR reference: 2–25 digits whose last is a Luhn check digit."""
    digits = _compact_giro(value)
    if not (digits.isdigit() and 2 <= len(digits) <= 25):
        raise ValidationError(_("Ett OCR-nummer har 2–25 siffror."), code="invalid_ocr")
    if not luhn.is_valid(digits):
        raise ValidationError(_("OCR-numrets kontrollsiffra stämmer inte."), code="invalid_ocr")
