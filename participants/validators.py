"""Validation of Swedish personal identity numbers (personnummer)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import InvalidChecksum
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.se import personnummer


def normalise_personnummer(value: str) -> str:
    """Return the number as `YYYYMMDD-NNNN`, or raise ValidationError with a Swedish message.

    Twelve digits are stored so that the century is never guessed twice and two spellings
    of the same person (10 or 12 digits, with or without dash) compare equal.
    """
    raw = (value or "").strip()
    try:
        compact = personnummer.validate(raw)
    except InvalidChecksum as exc:
        raise ValidationError(
            _("Kontrollsiffran stämmer inte. Kontrollera personnumret."), code="checksum"
        ) from exc
    except StdnumError as exc:
        raise ValidationError(
            _("Skriv personnumret som ÅÅÅÅMMDD-NNNN och med ett datum som finns."), code="format"
        ) from exc
    birth = personnummer.get_birth_date(compact)
    return f"{birth:%Y%m%d}-{compact[-4:]}"


def validate_personnummer(value: str) -> None:
    normalise_personnummer(value)
