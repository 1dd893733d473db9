"""How the buyer pays an invoice basis: the seller's account, the due date and the
payment reference, worked out from the frozen figures, the number and the issue date.

Bases frozen before the seller had payment details give 30 days and the number as the
reference, which is what the documents said then.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from partnerships.validators import ocr_number

DEFAULT_TERMS_DAYS = 30


def payment_reference(data: dict[str, Any], number: str) -> str:
    """An OCR number when the seller's Bankgiro reads them, otherwise the basis number.

    The OCR is built from the receiving party (fixed width, so two parties never meet) and
    the digits of the number (year and sequence), then a length and a check digit.
    """
    seller = data["seller"]
    if seller.get("ocr_reference") and (seller.get("bankgiro") or seller.get("plusgiro")):
        digits = re.sub(r"\D", "", number)
        return ocr_number(f"{data['party_id']:05d}{digits}")
    return number


def payment_details(
    data: dict[str, Any], *, number: str | None, issued_on: datetime.date | None
) -> dict[str, Any]:
    seller = data["seller"]
    terms = seller.get("payment_terms_days", DEFAULT_TERMS_DAYS)
    reference = payment_reference(data, number) if number else None
    return {
        "terms_days": terms,
        "due_on": issued_on + datetime.timedelta(days=terms) if issued_on else None,
        "reference": reference,
        "is_ocr": reference is not None and reference != number,
        "bankgiro": seller.get("bankgiro", ""),
        "plusgiro": seller.get("plusgiro", ""),
        "iban": seller.get("iban", ""),
        "bic": seller.get("bic", ""),
        "f_skatt": bool(seller.get("f_skatt")),
    }
