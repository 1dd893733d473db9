"""The statistics network's national report: counts summed over members, every cell
through reporting/suppression.py.

For a period, each member's latest submission counts (the highest form version, then the
highest submission version). Each cell remembers how many members contribute to it, so
the suppressor hides a cell that one or two members make up (a member who knows its own
figure could otherwise subtract it), and a "single" dimension's categories are related to
the total so that a hidden cell cannot be worked out from the others.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from iop.spreadsheets.writer import stream_csv

from .models_network import COUNT, SINGLE, Network, NetworkForm, NetworkMember, NetworkSubmission
from .suppression import Cell, Suppressor


@dataclass
class DimensionTable:
    label: str
    kind: str
    rows: list[tuple[str, Cell]] = field(default_factory=list)


@dataclass
class NetworkReport:
    form: NetworkForm
    members_reporting: int
    members_total: int
    total: Cell
    dimensions: list[DimensionTable]
    trend: list[tuple[str, int, Cell]]


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
        ).only("member_id", "form_id", "version", "total_contacts", "counts")
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
    if dim["kind"] == SINGLE:
        parts = [cell for _label, cell in table.rows]
        recorded = sum(c.value for c in parts)
        if recorded < total.value:
            # "Not recorded" is a part of the sum too, shown as its own row.
            parts.append(suppressor.cell(total.value - recorded))
            table.rows.append((_("Inte registrerat"), parts[-1]))
        suppressor.relate(total, parts)
    return table


def _trend(suppressor: Suppressor, network: Network) -> list[tuple[str, int, Cell]]:
    rows = (
        NetworkSubmission.objects.filter(form__network=network)
        .order_by("form__year", "form__half", "member_id", "-form__version", "-version")
        .values_list("form__year", "form__half", "member_id", "total_contacts")
    )
    periods: dict[tuple[int, int | None], dict[int, int]] = {}
    for year, half, member_id, total in rows:
        periods.setdefault((year, half), {}).setdefault(member_id, total)
    return [
        (
            f"{year}" if half is None else f"{year} H{half}",
            len(totals),
            _sum_cell(suppressor, list(totals.values())),
        )
        for (year, half), totals in periods.items()
    ]


def build_report(form: NetworkForm) -> NetworkReport:
    subs = period_submissions(form)
    suppressor = Suppressor()
    total = _sum_cell(suppressor, [s.total_contacts for s in subs])
    dimensions = [_dimension(suppressor, dim, subs, total) for dim in form.dimensions]
    trend = _trend(suppressor, form.network)
    for label, _members, cell in trend:
        if label == form.period_label:
            # The same count twice: hidden in one place, hidden in both.
            suppressor.relate(total, [cell])
    suppressor.apply()
    return NetworkReport(
        form=form,
        members_reporting=len(subs),
        members_total=NetworkMember.objects.filter(network_id=form.network_id).count(),
        total=total,
        dimensions=dimensions,
        trend=trend,
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
