"""Readers for issued invoice bases. Issuing and crediting are verbs in reporting/actions.py."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from partnerships.models import Agreement

from . import figures
from .figures.common import MONEY_ZERO
from .models import InvoiceBasis


def live_basis(
    *, seller_id: int, party_id: int, start: datetime.date | str, end: datetime.date | str
) -> InvoiceBasis | None:
    """The basis that stands for a seller, buyer and period (not credited in full)."""
    return (
        InvoiceBasis.objects.filter(
            kind=InvoiceBasis.Kind.INVOICE,
            credited=False,
            seller_id=seller_id,
            party_id=party_id,
            period_start=start,
            period_end=end,
        )
        .select_related("party__organisation")
        .first()
    )


def repayment_figures(
    agreement: Agreement, billing: figures.Billing, *, on: datetime.date
) -> dict[str, Any]:
    """What a seller must repay a buyer after termination: what it has invoiced for the
    terminated period and later ones (less credit notes) against what is due for them:
    the terminated period pro rata by days or at actual costs up to the termination date,
    as the agreement states; nothing for later periods.

    Refuses an agreement that is not terminated (Swedish ValidationError).
    """
    terminated_on = agreement.terminated_on
    if terminated_on is None:
        raise ValidationError(
            _("Överenskommelsen är inte uppsagd; det finns inget återbetalningskrav."),
            code="not_terminated",
        )
    due_figures = figures.invoice_figures(
        agreement,
        terminated_on.year,
        billing=billing,
        period_start=figures.periods(agreement, terminated_on.year)[-1].start,
    )
    bases = list(
        InvoiceBasis.objects.filter(
            kind=InvoiceBasis.Kind.INVOICE,
            seller_id=billing.seller.organisation_id,
            party_id=billing.buyer.pk,
            period_end__gte=due_figures["period_start"],
        )
        .annotate(credited_amount=Coalesce(Sum("credit_notes__amount"), MONEY_ZERO))
        .order_by("period_start", "pk")
    )
    rows = [
        {
            "number": b.number,
            "issued_on": b.issued_on.isoformat(),
            "period": f"{b.period_start.isoformat()}–{b.period_end.isoformat()}",
            "amount": b.amount,
            "credited": b.credited_amount,
            "net": b.amount - b.credited_amount,
        }
        for b in bases
    ]
    invoiced = sum((row["net"] for row in rows), Decimal("0"))
    # An index adjustment a basis carried is owed for its year, whatever the termination.
    index_adjustment = Decimal(str(due_figures["index_adjustment_total"])) + sum(
        (Decimal(b.figures.get("index_adjustment_total") or "0") for b in bases if not b.credited),
        Decimal("0"),
    )
    due = due_figures["period_amount"] + index_adjustment
    return {
        "agreement": due_figures["agreement"],
        "year": terminated_on.year,
        "terminated_on": terminated_on.isoformat(),
        "settlement": agreement.get_termination_settlement_display(),
        "seller": due_figures["seller"],
        "buyer": due_figures["buyer"],
        "buyer_reference": due_figures["buyer_reference"],
        "marking": due_figures["marking"],
        "period_label": due_figures["period_label"],
        "period_start": due_figures["period_start"],
        "period_end": due_figures["period_end"],
        "planned_amount": due_figures["planned_amount"],
        "actual_share": due_figures["actual_share"],
        "vouchers": due_figures["vouchers"],
        "settles_on_actuals": due_figures["settles_on_actuals"],
        "bases": rows,
        "invoiced": invoiced,
        "index_adjustment": index_adjustment,
        "due": due,
        "repayment": max(invoiced - due, Decimal("0")),
        "has_repayment": invoiced > due,
        "drawn_up_on": on.isoformat(),
    }


def billing_rows(
    agreement: Agreement,
    year: int,
    billings: list[figures.Billing],
    periods: list[figures.Period],
) -> list[dict[str, Any]]:
    """Every billing × period of the year with the bases and credit notes issued for it
    (2 queries, whatever the number of bases)."""
    issued = list(
        InvoiceBasis.objects.filter(agreement=agreement, kind=InvoiceBasis.Kind.INVOICE, year=year)
        .prefetch_related("credit_notes")
        .order_by("created_at", "pk")
    )
    rows = []
    for billing in billings:
        for period in periods:
            bases = [
                b
                for b in issued
                if b.seller_id == billing.seller.organisation_id
                and b.party_id == billing.buyer.pk
                and b.period_start == period.start
            ]
            rows.append(
                {
                    "billing": billing,
                    "period": period,
                    "bases": bases,
                    "live": next((b for b in bases if not b.credited), None),
                }
            )
    return rows
