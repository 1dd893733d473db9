"""The invoice basis: what the operator invoices one public party for a year."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from iop.money import allocate
from partnerships.models import (
    ActualCost,
    Agreement,
    AgreementParty,
    Budget,
    Organisation,
    round_money,
)

from .common import ZERO
from .money import budget_for, financial_account
from .period import period, period_label, version_for_year, version_info


def public_parties(agreement: Agreement) -> list[AgreementParty]:
    return list(
        agreement.parties.filter(role=AgreementParty.PartyRole.PUBLIC_FUNDER)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def _address(org: Organisation) -> dict[str, str]:
    return {
        "name": org.name,
        "org_number": org.org_number,
        "street_address": org.street_address,
        "postal_code": org.postal_code,
        "city": org.city,
        "gln": org.gln,
        "peppol_id": org.peppol_id,
        "invoice_reference": org.invoice_reference,
        "invoice_marking": org.invoice_marking,
    }


def _seller(org: Organisation) -> dict[str, Any]:
    """The seller's address and how it is paid, frozen with the basis."""
    return {
        **_address(org),
        "bankgiro": org.bankgiro,
        "plusgiro": org.plusgiro,
        "iban": org.iban,
        "bic": org.bic,
        "payment_terms_days": org.payment_terms_days,
        "ocr_reference": org.ocr_reference,
        "f_skatt": org.f_skatt,
    }


def invoice_figures(
    agreement: Agreement, year: int, party: AgreementParty | None = None
) -> dict[str, Any]:
    """What the operator invoices one public party for `year`, line by line.

    Refuses (ValidationError, Swedish message) a year outside the agreement, a year without
    a budget, shares that do not add up, and a party that has no share to invoice.
    """
    budget = budget_for(agreement, year)
    account = financial_account(budget)
    if account["shares_error"]:
        raise ValidationError(account["shares_error"], code="shares_do_not_add_up")
    funders = {f["party_id"]: f for f in account["funders"] if f["is_public"]}
    party = _party_to_invoice(agreement, year, funders, party)
    operator = agreement.operator_party()
    if operator is None:
        raise ValidationError(
            _("Överenskommelsen saknar en idéburen utförare som kan fakturera."), code="no_operator"
        )
    funder = funders[party.pk]
    share_amount = funder["amount"]
    total = account["total"]
    charge = _charge(agreement, budget, account, share_amount)
    # The party's share per cost line, so that the lines add up to the amount exactly.
    weights = [
        line["actual"] if agreement.pays_against_actuals else line["budget"]
        for line in account["lines"]
    ]
    for line, part in zip(account["lines"], allocate(charge["amount"], weights), strict=True):
        line["party_share"] = part
    version = version_for_year(agreement, year)
    buyer = _address(party.organisation)
    marking_base = party.organisation.invoice_marking or agreement.title
    start, end = period(agreement, year)
    return {
        "agreement": {
            "title": agreement.title,
            "short_id": agreement.short_id,
            "decision_reference": agreement.decision_reference,
        },
        "year": year,
        "period_start": start.isoformat(),
        "period_end": end.isoformat(),
        "period_label": period_label(agreement, year),
        "marking": f"{marking_base}, {period_label(agreement, year)}",
        "seller": _seller(operator.organisation),
        "buyer": buyer,
        "buyer_reference": buyer["invoice_reference"] or agreement.short_id,
        "party_id": party.pk,
        "version": version_info(version),
        "version_id": version.pk if version else None,
        "pays_against_actuals": agreement.pays_against_actuals,
        "lines": account["lines"],
        "total": total,
        "actual_total": account["actual_total"],
        "share_percent": funder["percent"],
        "share_amount": share_amount,
        "actual_share": charge["actual_share"],
        "capped": charge["capped"],
        "vouchers": charge["vouchers"],
        "amount": charge["amount"],
    }


def _party_to_invoice(
    agreement: Agreement,
    year: int,
    funders: dict[int, dict[str, Any]],
    party: AgreementParty | None,
) -> AgreementParty:
    """`party`, or by default the first public party with a share; refused unless it has
    a share of this agreement's budget to invoice."""
    if party is None:
        candidates = [p for p in public_parties(agreement) if p.pk in funders]
        if not candidates:
            raise ValidationError(
                _("Ingen offentlig part har en finansieringsandel i budgeten för %(year)s.")
                % {"year": year},
                code="no_public_share",
            )
        party = candidates[0]
    if party.agreement_id != agreement.pk or party.pk not in funders:
        raise ValidationError(
            _("%(org)s har ingen finansieringsandel att fakturera i budgeten för %(year)s.")
            % {"org": party.organisation, "year": year},
            code="no_share_for_party",
        )
    return party


def _charge(
    agreement: Agreement, budget: Budget, account: dict[str, Any], share_amount: Decimal
) -> dict[str, Any]:
    """The amount to invoice: the party's share of the grant, or, when the agreement pays
    against actual costs, its share of those (at most its share of the grant) with the
    vouchers behind them (1 query)."""
    if not agreement.pays_against_actuals:
        return {"amount": share_amount, "actual_share": None, "capped": False, "vouchers": []}
    total = account["total"]
    actual_share = round_money(share_amount * account["actual_total"] / total) if total else ZERO
    vouchers = [
        {
            "line": a.cost_line.description,
            "date": a.date.isoformat(),
            "voucher": a.voucher,
            "description": a.description,
            "reason": a.reason,
            "amount": a.amount,
        }
        for a in ActualCost.objects.filter(cost_line__budget=budget)
        .select_related("cost_line")
        .order_by("cost_line__position", "cost_line_id", "date", "pk")
    ]
    return {
        "amount": min(actual_share, share_amount),
        "actual_share": actual_share,
        "capped": actual_share > share_amount,
        "vouchers": vouchers,
    }
