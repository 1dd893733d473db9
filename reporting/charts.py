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
