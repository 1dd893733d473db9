"""Small-number suppression: counts of people that would let someone be recognised.

* Primary suppression: a count of people (participants, exits, contacts, attendance) from
  1 up to the threshold (settings.IOP_SUPPRESSION_THRESHOLD, 5) is shown as "<5". A zero
  is shown: it belongs to no one, and hiding it would hide every total of a partnership
  that serves women only.
* Secondary suppression: every table registers which cells add up to which (gender
  columns to their total, months to the year, outcomes to the exits). Whenever exactly
  one cell of such a sum is hidden, it could be worked out from the others, so one more
  cell is hidden ("*"), until no sum has a single hidden cell. The cell hidden is the
  least informative one that protects: another small part (below twice the threshold)
  if there is one; for a breakdown (a row split by gender) the row's total, never a
  large count of another group (ThaiWISE's 80 women's contacts are not hidden because
  two men's are); otherwise the smallest part (a month, never the year). Sums shared
  between tables are the same Cell objects, so hiding holds across the whole page and
  the CSV.
* A percentage (Share) is hidden when its numerator or denominator is.
* Across organisations (the statistics network's report): a cell summed over members is
  also hidden when fewer than MIN_CONTRIBUTORS members contribute to it, since a member
  who knows its own figure could otherwise subtract it and read the other's.
* Exact check (opt-in, `Suppressor(exact=True)`, the network's report with its
  cross-tabulations): "no sum with a single hidden cell" does not rule out working a cell
  out from several sums at once (in a table with margins, a hidden cell that joins two
  groups of hidden cells follows from the row and column sums). With the check, the
  hidden cells are solved for as unknowns of all the registered sums (exact fractions);
  any that comes out determined gets one more cell of its sums hidden, until none does.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.conf import settings

from .figures import percent_of

MIN_CONTRIBUTORS = 3


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
    # For a sum over organisations: how many of them contribute a non-zero part.
    contributors: int | None = None

    @property
    def hidden(self) -> bool:
        return self.primary or self.secondary

    @property
    def display(self) -> str:
        if self.primary and self.value < threshold():
            return f"<{threshold()}"
        if self.hidden:
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

    def __init__(self, *, exact: bool = False) -> None:
        self.exact = exact
        self.cells: list[Cell] = []
        self.sums: list[list[Cell]] = []
        # Sums (by position in self.sums) that split a total into groups, where hiding the
        # total tells less than hiding a large group.
        self.breakdowns: set[int] = set()

    def cell(self, value: int | None, *, contributors: int | None = None) -> Cell:
        cell = Cell(int(value or 0), contributors=contributors)
        self.cells.append(cell)
        return cell

    def total(self, parts: list[Cell], *, breakdown: bool = False) -> Cell:
        cell = self.cell(sum(p.value for p in parts))
        self.relate(cell, parts, breakdown=breakdown)
        return cell

    def relate(self, total: Cell, parts: list[Cell], *, breakdown: bool = False) -> None:
        """Register that `parts` add up to `total`. A `breakdown` splits a total into groups
        (genders): its total is hidden rather than a large group."""
        # A relation that does not hold exactly (a participant counted once in the year
        # but in two months) cannot be used to work a cell out, so it is not registered.
        # One part is an equality: the same count shown on two pages hides on both.
        if parts and total.value == sum(p.value for p in parts):
            if breakdown:
                self.breakdowns.add(len(self.sums))
            self.sums.append([total, *parts])

    def apply(self) -> None:
        limit = threshold()
        for cell in self.cells:
            few = cell.contributors is not None and 0 < cell.contributors < MIN_CONTRIBUTORS
            cell.primary = 0 < cell.value < limit or (cell.value > 0 and few)
        self._hide_single_hidden()
        while self.exact and self._protect_determined():
            self._hide_single_hidden()

    def _hide_single_hidden(self) -> None:
        changed = True
        while changed:
            changed = False
            for position, members in enumerate(self.sums):
                if sum(1 for m in members if m.hidden) != 1:
                    continue
                chosen = self._complement(members, breakdown=position in self.breakdowns)
                if chosen is not None:
                    chosen.secondary = True
                    changed = True

    def _protect_determined(self) -> bool:
        """Hide one more cell beside each hidden cell that the sums give away; say whether
        anything changed."""
        changed = False
        for cell in self._determined():
            for position, members in enumerate(self.sums):
                if not any(m is cell for m in members):
                    continue
                chosen = self._complement(members, breakdown=position in self.breakdowns)
                if chosen is not None:
                    chosen.secondary = True
                    changed = True
                    break
        return changed

    def _determined(self) -> list[Cell]:
        """The hidden cells whose value follows from the shown cells and the sums: the
        unknowns of the sums' equations that Gauss–Jordan elimination pins down alone."""
        hidden = list({id(c): c for ms in self.sums for c in ms if c.hidden}.values())
        column = {id(c): i for i, c in enumerate(hidden)}
        pivots: dict[int, dict[int, Fraction]] = {}
        for members in self.sums:
            row: dict[int, Fraction] = {}
            for sign, cell in [(1, members[0])] + [(-1, m) for m in members[1:]]:
                if cell.hidden:
                    j = column[id(cell)]
                    row[j] = row.get(j, Fraction(0)) + sign
            row = {j: v for j, v in row.items() if v}
            for j, pivot_row in pivots.items():
                if j in row:
                    factor = row[j]
                    for k, v in pivot_row.items():
                        row[k] = row.get(k, Fraction(0)) - factor * v
                    row = {k: v for k, v in row.items() if v}
            if not row:
                continue
            lead = min(row)
            row = {k: v / row[lead] for k, v in row.items()}
            for pivot_row in pivots.values():
                if lead in pivot_row:
                    factor = pivot_row[lead]
                    for k, v in row.items():
                        pivot_row[k] = pivot_row.get(k, Fraction(0)) - factor * v
                    for k in [k for k, v in pivot_row.items() if not v]:
                        del pivot_row[k]
            pivots[lead] = row
        return [hidden[j] for j, row in pivots.items() if len(row) == 1]

    @staticmethod
    def _complement(members: list[Cell], *, breakdown: bool) -> Cell | None:
        """The least informative cell of a sum that protects its one hidden cell."""
        total, parts = members[0], members[1:]
        open_parts = sorted(
            (p for p in parts if not p.hidden and p.value > 0), key=lambda p: p.value
        )
        if open_parts and open_parts[0].value < 2 * threshold():
            return open_parts[0]
        if breakdown and not total.hidden and total.value > 0:
            return total
        if open_parts:
            return open_parts[0]
        return None if total.hidden or total.value == 0 else total
