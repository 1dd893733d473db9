"""The risk matrix: likelihood × consequence, the number of risks in each cell.

Drawn as inline SVG on the server, like the reports' charts (no JavaScript, the same in
the browser and in a PDF), with the same table beside it as its text alternative. Each
cell carries `data-likelihood`, `data-consequence` and `data-count`, so a test can check
that the picture says what the table says.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .models import Level, Risk, risk_grade

# Fill by the grade the cell gives; readable in greyscale too (light → dark).
GRADE_COLOURS = {Level.SMALL: "#d9ead3", Level.MEDIUM: "#f6d58e", Level.LARGE: "#e8998d"}
FONT = 'font-family="DejaVu Sans, sans-serif" fill="#222"'
LEVELS = (Level.LARGE, Level.MEDIUM, Level.SMALL)
CELL = 70
LEFT = 120
TOP = 30


@dataclass(frozen=True)
class MatrixRow:
    likelihood: Level
    cells: list[tuple[Level, int, Level]]  # consequence, count, grade


def matrix_rows(risks: Iterable[Risk]) -> list[MatrixRow]:
    """Rows from large to small likelihood, columns from small to large consequence."""
    return matrix_rows_from_pairs([(r.likelihood, r.consequence) for r in risks])


def matrix_rows_from_pairs(pairs: Iterable[Sequence[int]]) -> list[MatrixRow]:
    """The same from (likelihood, consequence) pairs, as a frozen report keeps them."""
    counts = Counter((int(pair[0]), int(pair[1])) for pair in pairs)
    return [
        MatrixRow(
            likelihood=likelihood,
            cells=[
                (
                    consequence,
                    counts[(likelihood, consequence)],
                    Level(risk_grade(likelihood, consequence)),
                )
                for consequence in reversed(LEVELS)
            ],
        )
        for likelihood in LEVELS
    ]


def risk_matrix_svg(rows: list[MatrixRow]) -> SafeString:
    title = _("Riskmatris: antal risker efter sannolikhet och konsekvens")
    width, height = LEFT + 3 * CELL + 10, TOP + 3 * CELL + 40
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart risk-matrix" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>',
        f'<text x="4" y="18" font-size="12" {FONT}>{escape(_("Sannolikhet"))}</text>',
    ]
    for r, row in enumerate(rows):
        y = TOP + r * CELL
        parts.append(
            f'<text x="{LEFT - 8}" y="{y + CELL // 2 + 4}" text-anchor="end" font-size="12" '
            f"{FONT}>{escape(str(row.likelihood.label))}</text>"
        )
        for c, (consequence, count, grade) in enumerate(row.cells):
            x = LEFT + c * CELL
            parts.append(
                f'<g data-likelihood="{row.likelihood.value}" '
                f'data-consequence="{consequence.value}" data-count="{count}">'
                f'<rect x="{x}" y="{y}" width="{CELL}" height="{CELL}" '
                f'fill="{GRADE_COLOURS[grade]}" stroke="#fff" stroke-width="2"/>'
                f'<text x="{x + CELL // 2}" y="{y + CELL // 2 + 7}" text-anchor="middle" '
                f'font-size="20" {FONT}>{count}</text></g>'
            )
    bottom = TOP + 3 * CELL
    for c, (consequence, _count, _grade) in enumerate(rows[0].cells):
        parts.append(
            f'<text x="{LEFT + c * CELL + CELL // 2}" y="{bottom + 16}" text-anchor="middle" '
            f'font-size="12" {FONT}>{escape(str(consequence.label))}</text>'
        )
    parts.append(
        f'<text x="{LEFT + 3 * CELL // 2}" y="{bottom + 34}" text-anchor="middle" '
        f'font-size="12" {FONT}>{escape(_("Konsekvens"))}</text></svg>'
    )
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
