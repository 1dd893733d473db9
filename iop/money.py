"""Money: SEK amounts as Decimal with öre precision, one rounding rule and one format."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import models

from .forms import AmountField

ORE = Decimal("0.01")


def round_money(amount: Decimal) -> Decimal:
    """Round to whole öre, halves away from zero (the rounding rule used for all money)."""
    return amount.quantize(ORE, rounding=ROUND_HALF_UP)


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
