"""The indexation rule: how next year's amounts follow from this year's."""

from __future__ import annotations

from decimal import Decimal

from .models import round_money


def indexed(amount: Decimal, percent: Decimal) -> Decimal:
    """Index an amount by `percent`; rounded to whole öre, halves up (round_money)."""
    return round_money(amount * (Decimal("100") + percent) / Decimal("100"))
