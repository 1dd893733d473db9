"""Small-number suppression: counts of people that would let someone be recognised.

* Primary suppression: a count of people (participants, exits, contacts, attendance) from
  1 up to the threshold (settings.IOP_SUPPRESSION_THRESHOLD, 5) is shown as "<5". A zero
  is shown: it belongs to no one, and hiding it would hide every total of a partnership
  that serves women only.
* Secondary suppression: every table registers which cells add up to which (gender
  columns to their total, months to the year, outcomes to the exits). Whenever exactly
  one cell of such a sum is hidden, it could be worked out from the others, so the
  smallest other non-zero cell is hidden as well ("*"), until no sum has a single hidden
  cell. Sums shared between tables are the same Cell objects, so hiding holds across the
  whole page and the CSV.
* A percentage (Share) is hidden when its numerator or denominator is.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from .figures import percent_of


def threshold() -> int:
    return settings.IOP_SUPPRESSION_THRESHOLD


def format_count(n: int) -> str:
    # Thin groups as in "1 670 400", matching format_sek.
    return f"{n:,}".replace(",", "\u00a0")


@dataclass(eq=False)
class Cell:
    """A count of people (or of what they did) that may have to be hidden."""

    value: int
    primary: bool = False
    secondary: bool = False

    @property
    def hidden(self) -> bool:
        return self.primary or self.secondary

    @property
    def display(self) -> str:
        if self.primary:
            return f"<{threshold()}"
        if self.secondary:
            return "*"
        return format_count(self.value)

    @property
    def csv(self) -> str:
        return self.display.replace("\u00a0", "")

    @property
    def chart(self) -> int | str:
        return self.display if self.hidden else self.value

    css = "num count"


@dataclass(eq=False)
class Share:
    """A percentage of two cells (and hidden with them)."""

    numerator: Cell
    denominator: Cell
    # Further cells the percentage would give away (e.g. absences beside attendance).
    also: tuple[Cell, ...] = ()

    @property
    def value(self) -> Decimal | None:
        return percent_of(self.numerator.value, self.denominator.value)

    @property
    def hidden(self) -> bool:
        return any(c.hidden for c in (self.numerator, self.denominator, *self.also))

    @property
    def display(self) -> str:
        if self.hidden:
            return "*"
        if self.value is None:
            return "–"
        return f"{self.value} %".replace(".", ",")

    @property
    def csv(self) -> str:
        if self.hidden:
            return "*"
        return "" if self.value is None else str(self.value).replace(".", ",")

    @property
    def chart(self) -> Decimal | str:
        if self.hidden:
            return "*"
        return self.value if self.value is not None else Decimal("0")

    css = "num"


class Suppressor:
    """Collects the page's cells and the sums between them, then hides what must be hidden."""

    def __init__(self) -> None:
        self.cells: list[Cell] = []
        self.sums: list[list[Cell]] = []

    def cell(self, value: int | None) -> Cell:
        cell = Cell(int(value or 0))
        self.cells.append(cell)
        return cell

    def total(self, parts: list[Cell]) -> Cell:
        cell = self.cell(sum(p.value for p in parts))
        self.relate(cell, parts)
        return cell

    def relate(self, total: Cell, parts: list[Cell]) -> None:
        # A relation that does not hold exactly (a participant counted once in the year
        # but in two months) cannot be used to work a cell out, so it is not registered.
        if len(parts) > 1 and total.value == sum(p.value for p in parts):
            self.sums.append([total, *parts])

    def apply(self) -> None:
        limit = threshold()
        for cell in self.cells:
            cell.primary = 0 < cell.value < limit
        changed = True
        while changed:
            changed = False
            for members in self.sums:
                if sum(1 for m in members if m.hidden) != 1:
                    continue
                # Hide the smallest other count; prefer a part over the total.
                candidates = [
                    (m.value, index == 0, index)
                    for index, m in enumerate(members)
                    if not m.hidden and m.value > 0
                ]
                if candidates:
                    members[min(candidates)[2]].secondary = True
                    changed = True
