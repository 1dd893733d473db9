"""Number formatting for the reports, which render Decimals and their frozen strings alike."""

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def num(value: Decimal | int | str | None, decimals: int = 1) -> str:
    """`12.50` → `12,5`, `400.00` → `400`; Swedish decimal comma, at most `decimals` places."""
    if value is None or value == "":
        return "–"
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    number = (
        number.quantize(Decimal(1).scaleb(-int(decimals)))
        if decimals
        else number.quantize(Decimal(1))
    )
    text = f"{number.normalize():f}" if number != number.to_integral_value() else f"{number:.0f}"
    whole, _sep, frac = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    whole = whole.lstrip("-")
    groups: list[str] = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return sign + " ".join(groups or ["0"]) + ("," + frac if frac else "")


@register.filter
def indicator_value(value: Decimal | str | None, is_percent: bool) -> str:
    if value is None or value == "":
        return "–"
    return f"{num(value)} %" if is_percent else num(value)
