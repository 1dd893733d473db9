"""Charts as inline SVG: no JavaScript, identical in the browser and in the PDF."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from partnerships.models import format_sek

# Colours readable in greyscale print too. Presentation attributes, not style="": the
# same markup must pass a strict Content-Security-Policy in the browser.
SERIES_COLOURS = ("#1f5f8b", "#e0a526", "#6a9f58", "#9b4f96")
TEXT = 'font-family="DejaVu Sans, sans-serif" font-size="10" fill="#222"'


def _number(value: Decimal | int | str | None) -> Decimal:
    return Decimal(str(value)) if value not in (None, "") else Decimal("0")


def bar_chart(
    title: str,
    rows: Sequence[tuple[str, Sequence[Decimal | int | str | None]]],
    series: Sequence[str],
    *,
    money: bool = False,
    width: int = 640,
) -> SafeString:
    """Horizontal grouped bars: one group per row, one bar per series.

    `rows` are (label, values) with one value per series; values may be Decimal strings
    (as they come back from a frozen snapshot).
    """
    label_width = 200
    value_width = 110
    bar_height = 12
    gap = 10
    plot = width - label_width - value_width
    values = [[_number(v) for v in vals] for _label, vals in rows]
    largest = max((v for vals in values for v in vals), default=Decimal("0")) or Decimal("1")
    group_height = bar_height * len(series) + gap
    legend_height = 22
    height = legend_height + group_height * len(rows) + 4
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    x = label_width
    for index, name in enumerate(series):
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        parts.append(f'<rect fill="{colour}" x="{x}" y="4" width="10" height="10"/>')
        parts.append(f'<text x="{x + 14}" y="13" {TEXT}>{escape(name)}</text>')
        x += 24 + 7 * len(name)
    for row_index, ((label, _vals), row_values) in enumerate(zip(rows, values, strict=True)):
        top = legend_height + row_index * group_height
        short = label if len(label) <= 32 else label[:31] + "…"
        parts.append(
            f'<text x="{label_width - 6}" y="{top + bar_height * len(series) / 2 + 4:.1f}" '
            f'text-anchor="end" {TEXT}>{escape(short)}</text>'
        )
        for index, value in enumerate(row_values):
            colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
            length = float(max(value, Decimal("0")) / largest) * plot
            y = top + index * bar_height
            parts.append(
                f'<rect fill="{colour}" x="{label_width}" y="{y}" width="{length:.1f}" '
                f'height="{bar_height - 2}"/>'
            )
            text = format_sek(value) if money else f"{value.normalize():f}".replace(".", ",")
            parts.append(
                f'<text x="{label_width + length + 4:.1f}" y="{y + bar_height - 3}" '
                f"{TEXT}>{escape(text)}</text>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text is escaped above


def _value_or_mark(value: Decimal | int | str | None) -> tuple[Decimal | None, str]:
    """A number to draw and its label, or (None, mark) for a value that is not a number,
    such as "<5" for a count hidden to protect the people behind it."""
    if isinstance(value, str):
        try:
            number = Decimal(value)
        except ArithmeticError:
            return None, value
    else:
        number = _number(value)
    return number, f"{number.normalize():f}".replace(".", ",")


def column_chart(
    title: str,
    columns: Sequence[tuple[str, Sequence[Decimal | int | str | None]]],
    series: Sequence[str],
    *,
    width: int = 640,
    height: int = 220,
) -> SafeString:
    """Vertical grouped columns, e.g. one group per month and one column per series.

    `columns` are (label, values) with one value per series. A value that is not a number
    (a hidden small count, "<5") draws no column; its mark is written where the column
    would stand, so a reader never mistakes it for zero.
    """
    legend_height = 22
    label_height = 16
    top_margin = 12
    left = 8
    plot_height = height - legend_height - label_height - top_margin
    parsed = [[_value_or_mark(v) for v in vals] for _label, vals in columns]
    largest = max((n for vals in parsed for n, _t in vals if n is not None), default=Decimal("0"))
    largest = largest or Decimal("1")
    group_width = (width - left * 2) / max(len(columns), 1)
    bar_width = max((group_width - 6) / max(len(series), 1), 2)
    baseline = legend_height + top_margin + plot_height
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    x = float(left)
    for index, name in enumerate(series):
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        parts.append(f'<rect fill="{colour}" x="{x:.1f}" y="4" width="10" height="10"/>')
        parts.append(f'<text x="{x + 14:.1f}" y="13" {TEXT}>{escape(name)}</text>')
        x += 24 + 7 * len(name)
    parts.append(
        f'<line x1="{left}" y1="{baseline}" x2="{width - left}" y2="{baseline}" stroke="#888" stroke-width="1"/>'
    )
    small = 'font-family="DejaVu Sans, sans-serif" font-size="8" fill="#222" text-anchor="middle"'
    for group, ((label, _vals), values) in enumerate(zip(columns, parsed, strict=True)):
        group_left = left + group * group_width + 3
        for index, (number, text) in enumerate(values):
            colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
            x0 = group_left + index * bar_width
            length = (
                0.0 if number is None else float(max(number, Decimal("0")) / largest) * plot_height
            )
            if length:
                parts.append(
                    f'<rect fill="{colour}" x="{x0:.1f}" y="{baseline - length:.1f}" '
                    f'width="{bar_width - 1:.1f}" height="{length:.1f}"/>'
                )
            if bar_width >= 12:
                parts.append(
                    f'<text x="{x0 + bar_width / 2:.1f}" y="{baseline - length - 2:.1f}" '
                    f"{small}>{escape(text)}</text>"
                )
        parts.append(
            f'<text x="{group_left + group_width / 2 - 3:.1f}" y="{baseline + 12}" '
            f'text-anchor="middle" {TEXT}>{escape(label)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text is escaped above
