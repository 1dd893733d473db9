"""The statistics network's national report: counts summed over members, every cell
through reporting/suppression.py.

For a period, each member's latest submission counts (the highest form version, then the
highest submission version). Each cell remembers how many members contribute to it, so
the suppressor hides a cell that one or two members make up (a member who knows its own
figure could otherwise subtract it), and a "single" dimension's categories are related to
the total so that a hidden cell cannot be worked out from the others. A cross-tabulation's
rows are related to the row dimension's cells (the same Cell objects) and its columns to
the column dimension's, and the suppressor runs its exact check (no hidden cell follows
from the shown ones by any combination of the sums), so a cross-tab cell cannot be read
out of the margins and the other cells either.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from iop.spreadsheets.writer import stream_csv

from .charts import column_chart
from .models_network import (
    COUNT,
    SINGLE,
    Network,
    NetworkForm,
    NetworkMember,
    NetworkSubmission,
    crosstab_key,
)
from .suppression import Cell, Suppressor


@dataclass
class DimensionTable:
    label: str
    kind: str
    rows: list[tuple[str, Cell]] = field(default_factory=list)
    # The category's cell by its key (what a cross-tabulation's margins are).
    cells: dict[str, Cell] = field(default_factory=dict)


@dataclass
class CrossTable:
    """A cross-tabulation: rows of cells with their row margin (the row dimension's own
    cell for the category), then the column margins (the column dimension's cells)."""

    label: str
    rows_label: str
    column_labels: list[str]
    rows: list[tuple[str, list[Cell], Cell]]
    column_margins: list[Cell]
    total: Cell
    # Members whose submission holds this table (an earlier form version may not).
    members: int


@dataclass
class TrendTable:
    label: str
    column_labels: list[str]
    rows: list[tuple[str, list[Cell]]] = field(default_factory=list)


@dataclass
class NetworkReport:
    form: NetworkForm
    members_reporting: int
    members_total: int
    total: Cell
    dimensions: list[DimensionTable]
    crosstabs: list[CrossTable]
    trend: list[tuple[str, int, Cell]]
    # Per dimension: its categories over the network's periods.
    trends: list[TrendTable]

    @property
    def trend_chart(self) -> SafeString:
        """Contacts per period: one series, one column per period (light for the PDF)."""
        return column_chart(
            _("Kontakter per period"),
            [(period, [cell]) for period, _members, cell in self.trend],
            [_("Kontakter")],
            height=200,
        )


def latest_per_member(submissions: QuerySet[NetworkSubmission]) -> list[NetworkSubmission]:
    ordered = submissions.order_by("member_id", "-form__version", "-version")
    latest: dict[int, NetworkSubmission] = {}
    for submission in ordered:
        latest.setdefault(submission.member_id, submission)
    return list(latest.values())


def period_submissions(form: NetworkForm) -> list[NetworkSubmission]:
    return latest_per_member(
        NetworkSubmission.objects.filter(
            form__network_id=form.network_id, form__year=form.year, form__half=form.half
        ).only("member_id", "form_id", "version", "total_contacts", "counts", "crosstab_counts")
    )


def _sum_cell(suppressor: Suppressor, values: list[int]) -> Cell:
    return suppressor.cell(sum(values), contributors=sum(1 for v in values if v > 0))


def _dimension(
    suppressor: Suppressor, dim: dict[str, Any], subs: list[NetworkSubmission], total: Cell
) -> DimensionTable:
    table = DimensionTable(label=dim["label"], kind=dim["kind"])
    cats = dim["categories"] if dim["kind"] != COUNT else [{"key": "", "label": dim["label"]}]
    for cat in cats:
        values = [int((s.counts.get(dim["key"]) or {}).get(cat["key"]) or 0) for s in subs]
        table.rows.append((cat["label"], _sum_cell(suppressor, values)))
        table.cells[cat["key"]] = table.rows[-1][1]
    if dim["kind"] == SINGLE:
        parts = [cell for _label, cell in table.rows]
        recorded = sum(c.value for c in parts)
        if recorded < total.value:
            # "Not recorded" is a part of the sum too, shown as its own row.
            parts.append(suppressor.cell(total.value - recorded))
            table.rows.append((_("Inte registrerat"), parts[-1]))
        suppressor.relate(total, parts)
    return table


def _crosstab(
    suppressor: Suppressor,
    dims: tuple[dict[str, Any], dict[str, Any]],
    subs: list[NetworkSubmission],
    tables: dict[str, DimensionTable],
    total: Cell,
) -> CrossTable:
    row_dim, col_dim = dims
    key = crosstab_key(row_dim["key"], col_dim["key"])
    holding = [s.crosstab_counts[key] for s in subs if key in (s.crosstab_counts or {})]
    row_margins, col_margins = tables[row_dim["key"]].cells, tables[col_dim["key"]].cells
    rows = []
    for r in row_dim["categories"]:
        cells = [
            _sum_cell(
                suppressor, [int((t.get(r["key"]) or {}).get(c["key"]) or 0) for t in holding]
            )
            for c in col_dim["categories"]
        ]
        # Registered only where the sum holds exactly (relate() checks): then a hidden
        # cell could otherwise be worked out from its row's margin.
        suppressor.relate(row_margins[r["key"]], cells)
        rows.append((r["label"], cells, row_margins[r["key"]]))
    for j, c in enumerate(col_dim["categories"]):
        suppressor.relate(col_margins[c["key"]], [row[1][j] for row in rows])
    return CrossTable(
        label=f"{row_dim['label']} × {col_dim['label']}",
        rows_label=row_dim["label"],
        column_labels=[c["label"] for c in col_dim["categories"]],
        rows=rows,
        column_margins=[col_margins[c["key"]] for c in col_dim["categories"]],
        total=total,
        members=len(holding),
    )


Period = tuple[int, int | None]


def _label(period: Period) -> str:
    year, half = period
    return f"{year}" if half is None else f"{year} H{half}"


def _periods(network: Network) -> dict[Period, dict[int, tuple[int, dict[str, Any]]]]:
    """Every period's latest figures per member: {period: {member: (total, counts)}}."""
    rows = (
        NetworkSubmission.objects.filter(form__network=network)
        .order_by("form__year", "form__half", "member_id", "-form__version", "-version")
        .values_list("form__year", "form__half", "member_id", "total_contacts", "counts")
    )
    periods: dict[Period, dict[int, tuple[int, dict[str, Any]]]] = {}
    for year, half, member_id, total, counts in rows:
        periods.setdefault((year, half), {}).setdefault(member_id, (total, counts or {}))
    return periods


def _trend(
    suppressor: Suppressor, periods: dict[Period, dict[int, tuple[int, dict[str, Any]]]]
) -> list[tuple[str, int, Cell]]:
    return [
        (_label(period), len(figures), _sum_cell(suppressor, [t for t, _c in figures.values()]))
        for period, figures in periods.items()
    ]


def _dimension_trend(
    suppressor: Suppressor,
    dim: dict[str, Any],
    periods: dict[Period, dict[int, tuple[int, dict[str, Any]]]],
    current: tuple[str, DimensionTable],
    totals: dict[str, Cell],
) -> TrendTable:
    """A dimension's categories period by period. The report's own period shows the
    dimension table's cells (the same Cell objects, hidden alike); for the others a
    "single" dimension's categories are related to that period's total."""
    cats = dim["categories"] if dim["kind"] != COUNT else [{"key": "", "label": dim["label"]}]
    table = TrendTable(label=dim["label"], column_labels=[c["label"] for c in cats])
    for period, figures in periods.items():
        label = _label(period)
        if label == current[0]:
            table.rows.append((label, [current[1].cells[c["key"]] for c in cats]))
            continue
        cells = [
            _sum_cell(
                suppressor,
                [
                    int((counts.get(dim["key"]) or {}).get(c["key"]) or 0)
                    for _t, counts in figures.values()
                ],
            )
            for c in cats
        ]
        if dim["kind"] == SINGLE:
            suppressor.relate(totals[label], cells)
        table.rows.append((label, cells))
    return table


def build_report(form: NetworkForm) -> NetworkReport:
    subs = period_submissions(form)
    suppressor = Suppressor(exact=True)
    total = _sum_cell(suppressor, [s.total_contacts for s in subs])
    dimensions = [_dimension(suppressor, dim, subs, total) for dim in form.dimensions]
    tables = {dim["key"]: table for dim, table in zip(form.dimensions, dimensions, strict=True)}
    crosstabs = [_crosstab(suppressor, dims, subs, tables, total) for dims in form.crosstab_tables]
    periods = _periods(form.network)
    trend = _trend(suppressor, periods)
    for label, _members, cell in trend:
        if label == form.period_label:
            # The same count twice: hidden in one place, hidden in both.
            suppressor.relate(total, [cell])
    totals = {label: cell for label, _members, cell in trend}
    trends = [
        _dimension_trend(suppressor, dim, periods, (form.period_label, table), totals)
        for dim, table in zip(form.dimensions, dimensions, strict=True)
    ]
    suppressor.apply()
    return NetworkReport(
        form=form,
        members_reporting=len(subs),
        members_total=NetworkMember.objects.filter(network_id=form.network_id).count(),
        total=total,
        dimensions=dimensions,
        crosstabs=crosstabs,
        trend=trend,
        trends=trends,
    )


def report_csv(report: NetworkReport) -> str:
    """Through the one writer: category labels are the coordinator's own text."""
    rows: list[list[Any]] = [
        [_("Rapporterande medlemmar"), "", report.members_reporting],
        [_("Kontakter totalt"), "", report.total.csv],
    ]
    for table in report.dimensions:
        for label, cell in table.rows:
            rows.append([table.label, label, cell.csv])
    for cross in report.crosstabs:
        for label, cells, margin in cross.rows:
            for column, cell in zip(cross.column_labels, cells, strict=True):
                rows.append([cross.label, f"{label} – {column}", cell.csv])
            rows.append([cross.label, f"{label} – {_('Totalt')}", margin.csv])
        for column, cell in zip(cross.column_labels, cross.column_margins, strict=True):
            rows.append([cross.label, f"{_('Totalt')} – {column}", cell.csv])
    for trend in report.trends:
        for period, cells in trend.rows:
            for column, cell in zip(trend.column_labels, cells, strict=True):
                rows.append([f"{trend.label} {_('per period')}", f"{period} – {column}", cell.csv])
    for period, members, cell in report.trend:
        rows.append([_("Kontakter per period"), period, cell.csv])
        rows.append([_("Rapporterande medlemmar per period"), period, members])
    return "".join(stream_csv([_("Dimension"), _("Kategori"), _("Antal")], rows))


@dataclass
class MemberStatus:
    member: NetworkMember
    submission: NetworkSubmission | None
    late: bool


def member_statuses(form: NetworkForm) -> list[MemberStatus]:
    """Who has submitted and who is late, for the coordinator's page."""
    latest = {
        s.member_id: s
        for s in latest_per_member(
            NetworkSubmission.objects.filter(
                form__network_id=form.network_id, form__year=form.year, form__half=form.half
            ).select_related("form")
        )
    }
    late = form.is_late(timezone.localdate())
    return [
        MemberStatus(member=m, submission=latest.get(m.pk), late=late and m.pk not in latest)
        for m in NetworkMember.objects.filter(network_id=form.network_id).select_related(
            "organisation"
        )
    ]
