"""Template filters used everywhere: money and dates in the Swedish house style."""

import datetime
from decimal import Decimal

from django import template
from django.utils import timezone

from iop.money import format_sek

register = template.Library()


@register.filter
def sek(value: Decimal | int | None) -> str:
    """`1670400` → `1 670 400 kr`."""
    return format_sek(value)


@register.filter
def sek_ore(value: Decimal | int | None) -> str:
    """Always with öre: `1 691 323,20 kr`."""
    return format_sek(value, decimals=True)


@register.filter
def isodate(value: datetime.date | datetime.datetime | None) -> str:
    """Dates as `2026-03-31` whatever the language."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


@register.filter
def percent(value: Decimal | float | None, decimals: int = 0) -> str:
    """`45.5` → `45,5 %`, Swedish decimal comma."""
    if value is None:
        return "–"
    text = f"{Decimal(value):.{int(decimals)}f}".replace(".", ",")
    return f"{text} %"


@register.filter
def report_due(agreement, year: int) -> str:
    """The annual-report due date for `year` of an agreement, as an ISO date."""
    return agreement.report_due_date(int(year)).isoformat()


@register.filter
def sub(value, other):
    """`a|sub:b` → a − b, for deviations; empty when either side is missing."""
    if value is None or value == "" or other is None or other == "":
        return None
    return Decimal(value) - Decimal(other)
