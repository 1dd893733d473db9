"""Number formatting for the reports, which render Decimals and their frozen strings alike."""

from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.translation import gettext as _

register = template.Library()

# The figure (reporting.figures.FIGURE_KEYS) behind each measured goal indicator: the
# numerator of a share, or the count itself.
METRIC_FIGURES = {
    "share_to_work": "to_work",
    "share_to_studies": "to_studies",
    "step_progression": "progressed",
    "off_income_support": "left_income_support",
    "participants": "enrolled",
}


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


def _figure_url(context, key: str, gender: str = "", outcome: str = "") -> str:
    """The drill-down URL of a figure, or "" where the page offers none (the PDF, users who
    may not see participants). Only codes go into it: figure key, gender, exit outcome."""
    base = context.get("figure_links")
    if not base or not key:
        return ""
    query = urlencode({k: v for k, v in (("gender", gender), ("outcome", outcome)) if v})
    return f"{base}{key}/" + (f"?{query}" if query else "")


@register.simple_tag(takes_context=True)
def figure(context, value, key: str, gender: str | None = None, outcome: str | None = None) -> str:
    """A report figure, linked to the participants counted in it where the user may see
    them: {% figure p.to_work "to_work" %}, {% figure row.n "exited" gender=g outcome=o %}.
    A gender or outcome passed but empty (not known for the cell) gives no link rather
    than a link to a wider list."""
    if hasattr(value, "hidden"):  # a suppressed Cell: a hidden count links to no one
        if value.hidden:
            return conditional_escape(value.display)
        value = value.display
    url = _figure_url(context, key, gender or "", outcome or "")
    # Nothing to list behind a zero.
    if not url or gender == "" or outcome == "" or str(value) == "0":
        return conditional_escape(value)
    return format_html(
        '<a href="{}" title="{}">{}</a>', url, _("Visa deltagarna bakom siffran"), value
    )


@register.simple_tag(takes_context=True)
def metric_participants_link(context, metric: str) -> str:
    """ "deltagarna" linked to the participants behind a measured goal indicator."""
    url = _figure_url(context, METRIC_FIGURES.get(metric, ""))
    if not url:
        return ""
    return format_html(' · <a href="{}">{}</a>', url, _("deltagarna"))
