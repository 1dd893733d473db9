"""Validators for Swedish and e-invoicing identifiers.

Each one raises a ValidationError with a Swedish message; forms, model validation, the
admin and the importers all call the same functions.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import ean
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.se import orgnr

PEPPOL_ID_RE = re.compile(r"^(?P<scheme>\d{4}):(?P<value>[A-Za-z0-9.\-_]{1,50})$")


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
