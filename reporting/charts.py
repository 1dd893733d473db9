"""Charts as inline SVG: no JavaScript, identical in the browser and in the PDF.

Every drawn value carries the table cell it comes from (`data-row`, `data-series`,
`data-value`), so a test can check that the chart says what its table says. A value hidden
to protect the people behind it is drawn as hidden — a hatched mark labelled "dold" —
never as an empty or zero bar. Text is at least 11 px at the chart's own size, and the
dashboard shows charts at their own size (scrolling within the figure on a narrow screen)
rather than shrinking the text.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from iop.money import format_sek

# Colours readable in greyscale print too. Presentation attributes, not style="": the
# same markup must pass a strict Content-Security-Policy in the browser.
SERIES_COLOURS = ("#1f5f8b", "#e0a526", "#6a9f58", "#9b4f96")
FONT_SIZE = 12
SMALL_FONT_SIZE = 11
# The text's font and colour are set once, on the group that holds the chart, and inherited:
# repeated on every label they made the PDF's HTML parser, its style cascade and its SVG
# reader handle three attributes per label (issue 19: charts light to lay out).
GROUP = f'<g font-family="DejaVu Sans, sans-serif" font-size="{FONT_SIZE}" fill="#222">'
SMALL = f'font-size="{SMALL_FONT_SIZE}"'
# Unique pattern ids: several charts share one page.
_ids = itertools.count(1)


@dataclass
class Datum:
    """A value to draw with the text its table shows (e.g. a target "≥ 30 %")."""

    value: Decimal | int | None
    display: str
    hidden: bool = False


def _datum(value: Any, *, money: bool = False) -> Datum:
    """A Cell or Share (suppression), a Datum, a number or a numeric string as a Datum.

    A string that is not a number ("<5", "*" in an older frozen snapshot) is hidden.
    """
    if isinstance(value, Datum):
        return value
    if hasattr(value, "hidden") and hasattr(value, "display"):
        if value.hidden:
            return Datum(None, _("dold"), hidden=True)
        return Datum(value.value, value.display)
    if isinstance(value, str):
        try:
            value = Decimal(value) if value else Decimal("0")
        except InvalidOperation:
            return Datum(None, _("dold"), hidden=True)
    number = Decimal(str(value)) if value is not None else Decimal("0")
    text = format_sek(number) if money else f"{number.normalize():f}".replace(".", ",")
    return Datum(number, text)


def _number(datum: Datum) -> Decimal:
    return max(Decimal(str(datum.value)), Decimal("0")) if datum.value is not None else Decimal(0)


def _open(title: str, width: int, height: int, any_hidden: bool) -> tuple[list[str], str]:
    """The chart's opening tags, down to its group; the hatching only when a value is hidden."""
    pattern = f"dold-{next(_ids)}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    if any_hidden:
        parts.append(
            f'<defs><pattern id="{pattern}" patternUnits="userSpaceOnUse" width="6" height="6" '
            f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/>'
            f'<line x1="0" y1="0" x2="0" y2="6" stroke="#444" stroke-width="2.5"/></pattern></defs>'
        )
    parts.append(GROUP)
    return parts, pattern


def _bar_stroke(datum: Datum) -> str:
    """A hidden value's hatched mark has an outline; a drawn bar has none."""
    return ' stroke="#444" stroke-width="0.5"' if datum.hidden else ""


def _legend(
    parts: list[str], series: Sequence[str], pattern: str, any_hidden: bool, x: float
) -> None:
    entries = [(SERIES_COLOURS[i % len(SERIES_COLOURS)], name) for i, name in enumerate(series)]
    if any_hidden:
        entries.append((f"url(#{pattern})", _("dold (för få för att visa)")))
    for fill, name in entries:
        parts.append(
            f'<rect fill="{fill}" stroke="#444" stroke-width="0.5" x="{x:.1f}" y="4" width="12" height="12"/>'
        )
        parts.append(f'<text x="{x + 16:.1f}" y="15">{escape(name)}</text>')
        x += 28 + 7.5 * len(name)


def _data(row: str, series: str, datum: Datum) -> str:
    return (
        f'data-row="{escape(row)}" data-series="{escape(series)}" '
        f'data-value="{escape(datum.display)}"'
    )


def bar_chart(
    title: str,
    rows: Sequence[tuple[str, Sequence[Any]]],
    series: Sequence[str],
    *,
    money: bool = False,
    width: int = 720,
    values: bool = True,
) -> SafeString:
    """Horizontal grouped bars: one group per row, one bar per series.

    `rows` are (label, values) with one value per series: Cells or Shares (hidden ones are
    drawn hatched), Datums, numbers, or Decimal strings (from a frozen snapshot).
    `values=False` leaves out the text beside each drawn bar, for a chart printed under
    the table that gives the same values: WeasyPrint lays SVG text out letter by letter,
    and those labels were a sixth of the annual report's PDF time (issue 19). A hidden
    value keeps its "dold".
    """
    label_width = 230
    value_width = 130
    bar_height = 16
    gap = 12
    plot = width - label_width - value_width
    data = [[_datum(v, money=money) for v in vals] for _label, vals in rows]
    any_hidden = any(d.hidden for ds in data for d in ds)
    largest = max((_number(d) for ds in data for d in ds), default=Decimal("0")) or Decimal("1")
    group_height = bar_height * len(series) + gap
    legend_height = 26
    height = legend_height + group_height * len(rows) + 4
    parts, pattern = _open(title, width, height, any_hidden)
    _legend(parts, series, pattern, any_hidden, label_width)
    for row_index, ((label, _vals), row_data) in enumerate(zip(rows, data, strict=True)):
        top = legend_height + row_index * group_height
        short = label if len(label) <= 30 else label[:29] + "…"
        parts.append(
            f'<text x="{label_width - 6}" y="{top + bar_height * len(series) / 2 + 4:.1f}" '
            f'text-anchor="end">{escape(short)}</text>'
        )
        for index, datum in enumerate(row_data):
            name = series[index] if index < len(series) else ""
            y = top + index * bar_height
            if datum.hidden:
                fill, length = f"url(#{pattern})", 36.0
            else:
                fill = SERIES_COLOURS[index % len(SERIES_COLOURS)]
                length = float(_number(datum) / largest) * plot
            parts.append(
                f'<rect fill="{fill}"{_bar_stroke(datum)} x="{label_width}" y="{y}" '
                f'width="{length:.1f}" height="{bar_height - 3}" {_data(label, name, datum)}/>'
            )
            if values or datum.hidden:
                parts.append(
                    f'<text x="{label_width + length + 4:.1f}" y="{y + bar_height - 4}" '
                    f"{SMALL}>{escape(datum.display)}</text>"
                )
    parts.append("</g></svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text is escaped above


def column_chart(
    title: str,
    columns: Sequence[tuple[str, Sequence[Any]]],
    series: Sequence[str],
    *,
    width: int = 720,
    height: int = 260,
) -> SafeString:
    """Vertical grouped columns, e.g. one group per month and one column per series.

    `columns` are (label, values) with one value per series, as for bar_chart. A hidden
    value is a hatched stub labelled "dold", so a reader never mistakes it for zero.
    """
    legend_height = 26
    label_height = 20
    top_margin = 18
    left = 8
    plot_height = height - legend_height - label_height - top_margin
    data = [[_datum(v) for v in vals] for _label, vals in columns]
    any_hidden = any(d.hidden for ds in data for d in ds)
    largest = max((_number(d) for ds in data for d in ds), default=Decimal("0")) or Decimal("1")
    group_width = (width - left * 2) / max(len(columns), 1)
    bar_width = max((group_width - 8) / max(len(series), 1), 2)
    baseline = legend_height + top_margin + plot_height
    stub = 14.0
    parts, pattern = _open(title, width, height, any_hidden)
    _legend(parts, series, pattern, any_hidden, left)
    parts.append(
        f'<line x1="{left}" y1="{baseline}" x2="{width - left}" y2="{baseline}" stroke="#888" stroke-width="1"/>'
    )
    labels_fit = bar_width >= 7 * max((len(d.display) for ds in data for d in ds), default=1)
    for group, ((label, _vals), group_data) in enumerate(zip(columns, data, strict=True)):
        group_left = left + group * group_width + 4
        for index, datum in enumerate(group_data):
            name = series[index] if index < len(series) else ""
            x0 = group_left + index * bar_width
            if datum.hidden:
                fill, length = f"url(#{pattern})", stub
            else:
                fill = SERIES_COLOURS[index % len(SERIES_COLOURS)]
                length = float(_number(datum) / largest) * plot_height
            parts.append(
                f'<rect fill="{fill}"{_bar_stroke(datum)} x="{x0:.1f}" y="{baseline - length:.1f}" '
                f'width="{bar_width - 1:.1f}" height="{length:.1f}" {_data(label, name, datum)}/>'
            )
            if labels_fit:
                parts.append(
                    f'<text x="{x0 + bar_width / 2:.1f}" y="{baseline - length - 3:.1f}" '
                    f'text-anchor="middle" {SMALL}>{escape(datum.display)}</text>'
                )
            elif datum.hidden:  # upright above the stub, so it fits a narrow column
                x, y = x0 + bar_width / 2 + 4, baseline - length - 3
                parts.append(
                    f'<text x="{x:.1f}" y="{y:.1f}" transform="rotate(-90 {x:.1f} {y:.1f})" '
                    f"{SMALL}>{escape(datum.display)}</text>"
                )
        parts.append(
            f'<text x="{group_left + group_width / 2 - 4:.1f}" y="{baseline + 15}" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    parts.append("</g></svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text is escaped above
