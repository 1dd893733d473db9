"""Money: SEK amounts as Decimal with öre precision, one rounding rule and one format."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

from django.db import models

from .forms import AmountField

ORE = Decimal("0.01")


def round_money(amount: Decimal) -> Decimal:
    """Round to whole öre, halves away from zero (the rounding rule used for all money)."""
    return amount.quantize(ORE, rounding=ROUND_HALF_UP)


def allocate(amount: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Split `amount` in proportion to `weights`, in whole öre, adding up exactly.

    The one rule for splitting money (largest remainder): every part is first rounded
    down to whole öre, then the öre left over go one each to the parts with the largest
    remainders; equal remainders go to the part listed first. Funding shares, invoice
    lines and everything else that splits an amount use this function.
    """
    if not weights:
        return []
    total = sum(weights, Decimal("0"))
    if not total:
        return [round_money(amount)] + [round_money(Decimal("0"))] * (len(weights) - 1)
    sign = -1 if amount < 0 else 1
    cents = int(round_money(abs(amount)) * 100)
    exact = [Decimal(cents) * w / total for w in weights]
    # Floor, not truncation: a refund's negative weight must not push the sum past `amount`.
    parts = [int(e.to_integral_value(rounding=ROUND_FLOOR)) for e in exact]
    left_over = cents - sum(parts)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[:left_over]:
        parts[i] += 1
    return [(sign * Decimal(p) / 100).quantize(ORE) for p in parts]


class MoneyField(models.DecimalField):
    """SEK amount with öre precision; never a float."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs: Any) -> Any:
        # Every form of a money field reads Swedish amounts the same way (iop.forms).
        return super().formfield(**{"form_class": AmountField, **kwargs})


def format_sek(amount: Decimal | int | None, decimals: bool | None = None) -> str:
    """Format an amount as Swedish kronor: `1 670 400 kr`, `1 691 323,20 kr`.

    Öre are shown only when there are any (or when `decimals` is True). The separator is
    a plain space, as users type it; templates keep amounts from wrapping with CSS.
    """
    if amount is None:
        return ""
    value = Decimal(amount)
    show_ore = decimals if decimals is not None else value != value.to_integral_value()
    sign = "-" if value < 0 else ""
    value = abs(value)
    if show_ore:
        whole, frac = f"{round_money(value):.2f}".split(".")
    else:
        whole, frac = f"{value.quantize(Decimal('1'), rounding=ROUND_HALF_UP):.0f}", ""
    groups: list[str] = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    text = " ".join(groups)
    if frac:
        text += "," + frac
    return f"{sign}{text} kr"
