"""Budget workflows: deriving a following year by the indexation rule."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Budget, CostLine, FundingShare, User, round_money


def indexed(amount: Decimal, percent: Decimal) -> Decimal:
    """Index an amount by `percent`; rounded to whole öre, halves up (round_money)."""
    return round_money(amount * (Decimal("100") + percent) / Decimal("100"))


@transaction.atomic
def derive_next_year(*, budget: Budget, user: User | None = None) -> Budget:
    """Create next year's budget: every cost line indexed, the same funding shares.

    Percent shares carry over as they are; fixed-amount shares are indexed like the cost
    lines so that the shares still add up to the total.
    """
    agreement = budget.agreement
    year = budget.year + 1
    if not agreement.covers_year(year):
        raise ValidationError(
            _("Året %(year)s ligger utanför överenskommelsens period.") % {"year": year}
        )
    if Budget.objects.filter(agreement=agreement, year=year).exists():
        raise ValidationError(_("Det finns redan en budget för %(year)s.") % {"year": year})
    pct = budget.indexation_percent
    new = Budget.objects.create(
        agreement=agreement,
        year=year,
        indexation_percent=pct,
        public_grant=indexed(budget.public_grant, pct) if budget.public_grant is not None else None,
        derived_from=budget,
        note=_("Uppräknad från %(year)s med %(pct)s %%.") % {"year": budget.year, "pct": pct},
    )
    CostLine.objects.bulk_create(
        CostLine(
            budget=new,
            category=line.category,
            description=line.description,
            fte=line.fte,
            amount=indexed(line.amount, pct),
            position=line.position,
        )
        for line in budget.cost_lines.all()
    )
    FundingShare.objects.bulk_create(
        FundingShare(
            budget=new,
            party=share.party,
            percent=share.percent,
            amount=indexed(share.amount, pct) if share.amount is not None else None,
        )
        for share in budget.shares.all()
    )
    return new
