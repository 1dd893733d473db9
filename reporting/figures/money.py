"""Money: budget against actual costs, per cost line, per funder and per partnership."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from partnerships.models import (
    ActualCost,
    Agreement,
    AgreementParty,
    Budget,
    CostLine,
    format_sek,
    round_money,
)

from .common import MONEY_ZERO, ZERO, by_agreement, percent_of
from .period import check_year


def budget_for(agreement: Agreement, year: int) -> Budget:
    check_year(agreement, year)
    try:
        return Budget.objects.select_related("agreement").get(agreement=agreement, year=year)
    except Budget.DoesNotExist as exc:
        raise ValidationError(
            _("Det finns ingen budget för %(year)s. Lägg in budgeten innan du tar fram underlaget.")
            % {"year": year},
            code="no_budget",
        ) from exc


def financial_account(budget: Budget) -> dict[str, Any]:
    """Budget vs actual per cost line and per funder, other funding and overcompensation.

    Three queries: cost lines with their summed actuals, funding shares, other funding.
    """
    rows = _cost_line_rows(budget)
    total = sum((row["budget"] for row in rows), ZERO)
    actual_total = sum((row["actual"] for row in rows), ZERO)
    funding = _funders(budget, total, actual_total)
    other = list(budget.other_funding.all())
    other_total = sum((o.amount for o in other), ZERO)
    public_funding = (
        budget.public_grant if budget.public_grant is not None else funding["public_shares"]
    )
    # Public money may cover the actual costs that nobody else pays for; anything above
    # that is overcompensation, which the agreements make repayable.
    coverable = max(actual_total - other_total, ZERO)
    overcompensation = public_funding - coverable if actual_total else ZERO
    covered = funding["covered"]
    shares_error = None
    if funding["funders"] and covered != total:
        shares_error = _(
            "Finansieringsandelarna blir %(covered)s men budgeten är %(total)s. "
            "Rätta andelarna i budgeten för %(year)s."
        ) % {"covered": format_sek(covered), "total": format_sek(total), "year": budget.year}
    return {
        "year": budget.year,
        "lines": rows,
        "total": total,
        "actual_total": actual_total,
        "deviation": actual_total - total,
        "deviation_percent": percent_of(actual_total - total, total),
        "over_budget": actual_total > total,
        "has_actuals": actual_total != 0 or any(r["actual_count"] for r in rows),
        "funders": funding["funders"],
        "shares_covered": covered,
        "shares_error": shares_error,
        "other_funding": [
            {"funder": o.funder, "amount": o.amount, "purpose": o.purpose} for o in other
        ],
        "other_total": other_total,
        "public_funding": public_funding,
        "coverable": coverable,
        "overcompensation": max(overcompensation, ZERO),
        "is_overcompensated": overcompensation > 0,
    }


def _cost_line_rows(budget: Budget) -> list[dict[str, Any]]:
    """The budget's cost lines with their summed actual costs (1 query)."""
    lines = budget.cost_lines.annotate(
        actual=Coalesce(Sum("actuals__amount"), MONEY_ZERO),
        actual_count=Count("actuals"),
    ).order_by("position", "pk")
    rows = []
    for line in lines:
        deviation = line.actual - line.amount
        rows.append(
            {
                "id": line.pk,
                "category": line.get_category_display(),
                "description": line.description,
                "fte": line.fte,
                "budget": line.amount,
                "actual": line.actual,
                "actual_count": line.actual_count,
                "deviation": deviation,
                "deviation_percent": percent_of(deviation, line.amount),
                "over_budget": deviation > 0,
            }
        )
    return rows


def _funders(budget: Budget, total: Decimal, actual_total: Decimal) -> dict[str, Any]:
    """Each funding share in money, what the shares cover and the public parties' part
    of it (1 query)."""
    funders = []
    covered = ZERO
    public_shares = ZERO
    for share, amount in budget.share_amounts(total):
        covered += amount
        is_public = share.party.role == AgreementParty.PartyRole.PUBLIC_FUNDER
        if is_public:
            public_shares += amount
        funders.append(
            {
                "party_id": share.party_id,
                "organisation": share.party.organisation.name,
                "role": share.party.get_role_display(),
                "is_public": is_public,
                "amount": amount,
                "percent": share.percent
                if share.percent is not None
                else percent_of(amount, total),
                # What the funder's share of the actual costs comes to.
                "actual": round_money(amount * actual_total / total) if total else ZERO,
            }
        )
    return {"funders": funders, "covered": covered, "public_shares": public_shares}


def budget_by_agreement(agreements: Any, year: int) -> dict[int, dict[str, Any]]:
    """Budget total and actual costs booked for `year`, per agreement: financial_account's
    `total` and `actual_total` for many agreements at once, and whether any cost is
    `booked` (2 queries)."""
    lines = CostLine.objects.filter(
        by_agreement(agreements, "budget__agreement"), budget__year=year
    )
    totals: dict[int, dict[str, Any]] = {
        row["budget__agreement"]: {"total": row["total"] or ZERO, "actual_total": ZERO}
        for row in lines.values("budget__agreement").annotate(total=Sum("amount"))
    }
    for row in (
        ActualCost.objects.filter(
            by_agreement(agreements, "cost_line__budget__agreement"), cost_line__budget__year=year
        )
        .values("cost_line__budget__agreement")
        .annotate(actual=Sum("amount"), booked=Count("pk"))
    ):
        entry = totals.setdefault(
            row["cost_line__budget__agreement"], {"total": ZERO, "actual_total": ZERO}
        )
        entry["actual_total"] = row["actual"] or ZERO
        # Whether anything is booked at all: 0 kr booked is not "nothing booked".
        entry["booked"] = row["booked"] > 0
    return totals
