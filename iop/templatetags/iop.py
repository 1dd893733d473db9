"""Template filters used everywhere: money and dates in the Swedish house style."""

import datetime
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django import template
from django.forms import BaseForm, BaseFormSet
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


@register.filter
def hidden_field_errors(form: BaseForm) -> list[str]:
    """Errors of a form's hidden fields, which have no place of their own on the page
    (shown with the form's non-field errors, where the error summary links to)."""
    return [f"{f.label}: {e}" for f in form.hidden_fields() for e in f.errors]


def _bound_forms(value: object) -> Iterator[BaseForm | BaseFormSet]:
    if isinstance(value, BaseForm | BaseFormSet):
        if value.is_bound:
            yield value
    elif isinstance(value, list | tuple):
        for item in value:
            if isinstance(item, BaseForm | BaseFormSet) and item.is_bound:
                yield item


def _form_errors(form: BaseForm) -> Iterator[tuple[str, str]]:
    """(anchor, message) for each error of a bound form, in the order of its fields."""
    prefix = f"{form.prefix}-" if form.prefix else ""
    for error in form.non_field_errors():
        yield f"{prefix}non-field-errors", str(error)
    for field in form:
        for error in field.errors:
            label = field.label or field.name
            # Hidden fields cannot take focus; point at the form's own error box.
            anchor = f"{prefix}non-field-errors" if field.is_hidden else field.id_for_label
            yield anchor, f"{label}: {error}"


@register.inclusion_tag("includes/error_summary.html", takes_context=True)
def error_summary(context: template.Context) -> dict[str, Any]:
    """Every error of every bound form or formset on the page, as one list of links to the
    fields (the GOV.UK error summary). base.html shows it at the top of every page, so a
    form cannot fail quietly further down; static/js/iop.js moves focus to it."""
    errors: list[tuple[str, str]] = []
    seen: set[int] = set()
    for value in context.flatten().values():
        for item in _bound_forms(value):
            if id(item) in seen:
                continue
            seen.add(id(item))
            if isinstance(item, BaseFormSet):
                for error in item.non_form_errors():
                    errors.append((f"{item.prefix}-errors", str(error)))
                for form in item.forms:
                    errors.extend(_form_errors(form))
            else:
                errors.extend(_form_errors(item))
    return {"errors": errors}
