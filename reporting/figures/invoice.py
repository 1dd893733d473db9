"""The invoice basis: what the operator invoices one public party for a year."""

from __future__ import annotations

import datetime
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
    format_sek,
    round_money,
)

from ..models import InvoiceBasis
from .billing import Billing, Period, billings, find_period, periods
from .common import HUNDRED, ZERO
from .money import budget_for, financial_account
from .period import version_for_year, version_info


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
    agreement: Agreement,
    year: int,
    party: AgreementParty | None = None,
    *,
    billing: Billing | None = None,
    period_start: datetime.date | None = None,
    all_billings: list[Billing] | None = None,
) -> dict[str, Any]:
    """What a seller invoices one public party for one period of `year`, line by line.

    `billing` names seller and buyer (default: the first billing to `party`, or to the
    first public party with a share); `period_start` the period (default: the year's
    first); `all_billings` the agreement's billings when the caller has them already. Refuses (ValidationError, Swedish message) a year outside the agreement, a year
    without a budget, shares that do not add up, a party without a share to invoice, and
    invoicing pairs that together exceed the party's share.
    """
    budget = budget_for(agreement, year)
    account = financial_account(budget)
    if account["shares_error"]:
        raise ValidationError(account["shares_error"], code="shares_do_not_add_up")
    funders = {f["party_id"]: f for f in account["funders"] if f["is_public"]}
    if all_billings is None:
        all_billings = billings(agreement)
    billing = _billing_to_invoice(agreement, year, funders, party, billing, all_billings)
    period = find_period(agreement, year, period_start)
    funder = funders[billing.buyer.pk]
    amount_for_year = year_amount(billing, funder["amount"], all_billings)
    charge = _charge(agreement, budget, account, period, amount_for_year)
    # The seller's share per cost line, so that the lines add up to the amount exactly.
    for line, part in zip(
        account["lines"], allocate(charge["amount"], charge["weights"]), strict=True
    ):
        line["party_share"] = part
    adjustments = (
        []
        if charge["actual_share"] is not None
        else index_adjustments(agreement, year, billing, all_billings)
    )
    adjusted = sum((a["amount"] for a in adjustments), ZERO)
    version = version_for_year(agreement, year)
    return {
        **_header(agreement, year, billing, period),
        "version": version_info(version),
        "version_id": version.pk if version else None,
        "pays_against_actuals": agreement.pays_against_actuals,
        "lines": account["lines"],
        "total": account["total"],
        "actual_total": account["actual_total"],
        "share_percent": funder["percent"],
        "share_amount": funder["amount"],
        "year_amount": amount_for_year,
        "seller_has_part": amount_for_year != funder["amount"],
        "settles_on_actuals": charge["actual_share"] is not None,
        "planned_amount": charge["planned"],
        "actual_share": charge["actual_share"],
        "capped": charge["capped"],
        "vouchers": charge["vouchers"],
        "settlement": charge["settlement"],
        "period_amount": charge["amount"],
        "index_adjustments": adjustments,
        "index_adjustment_total": adjusted,
        "amount": charge["amount"] + adjusted,
    }


def index_adjustments(
    agreement: Agreement, year: int, billing: Billing, all_billings: list[Billing]
) -> list[dict[str, Any]]:
    """The index adjustments the seller's next basis to the buyer carries.

    A budget indexed from the year before with an index series' provisional value comes
    to more (or less) once the final value differs (`Budget.indexation_adjustment`). The
    first basis the seller issues to the buyer for a period of that year or later, once
    the final value is known, carries the seller's part of it as a line of its own — the
    seller's part of that year's budget, in whole öre — unless a live basis (not credited
    in full) already carries it. Bases settled on actual costs carry none: they pay what
    was spent. 1 query when no budget of the agreement follows an index series.
    """
    budgets = list(
        Budget.objects.filter(
            agreement=agreement,
            year__lte=year,
            index_series__isnull=False,
            applied_index_percent__isnull=False,
            derived_from__isnull=False,
        )
        .select_related("index_series", "derived_from")
        .order_by("year")
    )
    result = []
    for budget in budgets:
        adjustment = budget.indexation_adjustment()
        if adjustment is None or budget.year in _years_carried(billing, budget.year):
            continue
        assert budget.index_series is not None
        final = budget.index_series.value_for(budget.year).final_percent
        account = financial_account(budget)
        funders = {f["party_id"]: f for f in account["funders"] if f["is_public"]}
        funder = funders.get(billing.buyer.pk)
        if funder is None or not account["total"]:
            continue
        part = year_amount(billing, funder["amount"], all_billings)
        amount = round_money(adjustment * part / account["total"])
        if not amount:
            continue
        result.append(
            {
                "year": budget.year,
                "series": budget.index_series.name,
                "provisional_percent": budget.applied_index_percent,
                "final_percent": final,
                "budget_adjustment": adjustment,
                "amount": amount,
                "description": _(
                    "Indexjustering %(year)s: %(series)s slutligt %(final)s %% i stället för "
                    "preliminärt %(provisional)s %%"
                )
                % {
                    "year": budget.year,
                    "series": budget.index_series.name,
                    "final": _percent(final),
                    "provisional": _percent(budget.applied_index_percent),
                },
            }
        )
    return result


def _percent(value: Decimal | None) -> str:
    return f"{value:.2f}".replace(".", ",") if value is not None else ""


def _years_carried(billing: Billing, from_year: int) -> set[int]:
    """The years whose index adjustment a live basis of the billing already carries."""
    carried = InvoiceBasis.objects.filter(
        kind=InvoiceBasis.Kind.INVOICE,
        credited=False,
        seller_id=billing.seller.organisation_id,
        party_id=billing.buyer.pk,
        year__gte=from_year,
    ).values_list("figures__index_adjustments", flat=True)
    return {int(a["year"]) for adjustments in carried for a in adjustments or []}


def _header(agreement: Agreement, year: int, billing: Billing, period: Period) -> dict[str, Any]:
    """Parties, period, marking and reference of the basis."""
    buyer = _address(billing.buyer.organisation)
    pair = billing.pair
    # The marking belongs to the agreement's pair, never to the buyer alone: the same
    # committee funds several partnerships.
    marking_base = (pair.marking_text if pair else "") or agreement.title
    marking = f"{marking_base}, {period.label}"
    marking_code = pair.marking if pair else ""
    reference = (pair.buyer_reference if pair else "") or buyer["invoice_reference"]
    return {
        "agreement": {
            "title": agreement.title,
            "short_id": agreement.short_id,
            "decision_reference": agreement.decision_reference,
        },
        "year": year,
        "period_start": period.start.isoformat(),
        "period_end": period.end.isoformat(),
        "period_label": period.label,
        "terminated_on": agreement.terminated_on.isoformat()
        if period.cut_by_termination and agreement.terminated_on
        else None,
        "marking": marking,
        "marking_code": marking_code,
        # One note (BT-22) carries both: the buyer's marking code and the text with period.
        "note": f"{marking_code}; {marking}" if marking_code else marking,
        "seller": _seller(billing.seller.organisation),
        "seller_party_id": billing.seller.pk,
        "pair_id": pair.pk if pair else None,
        "buyer": buyer,
        "buyer_reference": reference or agreement.short_id,
        "party_id": billing.buyer.pk,
    }


def _billing_to_invoice(
    agreement: Agreement,
    year: int,
    funders: dict[int, dict[str, Any]],
    party: AgreementParty | None,
    billing: Billing | None,
    all_billings: list[Billing],
) -> Billing:
    if billing is None:
        party = _party_to_invoice(agreement, year, funders, party)
        billing = next((b for b in all_billings if b.buyer.pk == party.pk), None)
        if billing is None:
            raise ValidationError(
                _("Överenskommelsen saknar en idéburen utförare som kan fakturera."),
                code="no_operator",
            )
    _party_to_invoice(agreement, year, funders, billing.buyer)
    return billing


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
    agreement: Agreement,
    budget: Budget,
    account: dict[str, Any],
    period: Period,
    amount_for_year: Decimal,
) -> dict[str, Any]:
    """The amount to invoice for the period, and the weights that spread it over the cost
    lines.

    By default the period's part of the year's amount (pro rata by days when the period
    is cut short by termination). Against actual costs — when the agreement pays against
    actuals, or settles a termination on actual costs — the seller's share of the costs
    booked in the period (for a whole, uncut year: of the year's costs), at most its part
    of the grant for the period, with the vouchers behind them (1–2 queries)."""
    planned, slot = period_amounts(agreement, period, amount_for_year)
    settles_on_actuals = agreement.pays_against_actuals or (
        period.cut_by_termination
        and agreement.termination_settlement == Agreement.TerminationSettlement.ACTUAL_COSTS
    )
    if not settles_on_actuals:
        return {
            "amount": planned,
            "planned": planned,
            "weights": [line["budget"] for line in account["lines"]],
            "actual_share": None,
            "capped": False,
            "vouchers": [],
            "settlement": _("pro rata per dag") if period.cut_by_termination else "",
        }
    costs = ActualCost.objects.filter(cost_line__budget=budget)
    whole_year = len(periods(agreement, period.start.year)) == 1 and not period.cut_by_termination
    if not whole_year:
        costs = costs.filter(date__gte=period.start, date__lte=period.end)
    vouchers: list[dict[str, Any]] = [
        {
            "line": a.cost_line.description,
            "line_id": a.cost_line_id,
            "date": a.date.isoformat(),
            "voucher": a.voucher,
            "description": a.description,
            "reason": a.reason,
            "amount": a.amount,
        }
        for a in costs.select_related("cost_line").order_by(
            "cost_line__position", "cost_line_id", "date", "pk"
        )
    ]
    actual_total = sum((v["amount"] for v in vouchers), ZERO)
    total = account["total"]
    actual_share = round_money(amount_for_year * actual_total / total) if total else ZERO
    # Up to the termination date the cap is what the whole period would have paid.
    cap = slot if period.cut_by_termination else planned
    weights = [
        sum((v["amount"] for v in vouchers if v["line_id"] == line["id"]), ZERO)
        for line in account["lines"]
    ]
    for v in vouchers:
        del v["line_id"]
    return {
        "amount": max(min(actual_share, cap), ZERO),
        "planned": planned,
        "weights": weights,
        "actual_share": actual_share,
        "capped": actual_share > cap,
        "vouchers": vouchers,
        "settlement": _("faktiska kostnader") if period.cut_by_termination else "",
    }


def year_amount(billing: Billing, buyer_share: Decimal, all_billings: list[Billing]) -> Decimal:
    """The seller's part of the buyer's share for the year.

    Fixed amounts first; the per-cent pairs share the rest of the buyer's share in whole
    öre (through `allocate`). Refuses pairs whose amounts and per cents together exceed
    the buyer's share.
    """
    if billing.pair is None:
        return buyer_share
    pairs = [b.pair for b in all_billings if b.pair and b.buyer.pk == billing.buyer.pk]
    fixed = sum((p.amount for p in pairs if p.amount is not None), ZERO)
    percents = {p.pk: p.percent for p in pairs if p.percent is not None}
    percent_total = sum(percents.values(), ZERO)
    if fixed > buyer_share or percent_total > HUNDRED:
        raise ValidationError(
            _(
                "Faktureringsparen mot %(buyer)s överstiger partens andel %(share)s "
                "(fasta belopp %(fixed)s, andelar %(percent)s procent)."
            )
            % {
                "buyer": billing.buyer.organisation,
                "share": format_sek(buyer_share),
                "fixed": format_sek(fixed),
                "percent": percent_total,
            },
            code="pairs_exceed_share",
        )
    if billing.pair.amount is not None:
        return billing.pair.amount
    # What the per cents leave unallocated is a last weight, so each pair gets its share.
    weights = [*percents.values(), HUNDRED - percent_total]
    parts = allocate(buyer_share - fixed, weights)
    return parts[list(percents).index(billing.pair.pk)]


def period_amounts(
    agreement: Agreement, period: Period, amount_for_year: Decimal
) -> tuple[Decimal, Decimal]:
    """(what the period pays, what its whole slot would have paid): the slots share the
    year by days in whole öre; a period cut short by termination pays pro rata by days."""
    planned = periods(agreement, period.start.year, cut=False)
    parts = allocate(amount_for_year, [Decimal(p.slot_days) for p in planned])
    slot = parts[[p.slot_start for p in planned].index(period.slot_start)]
    if period.cut_by_termination:
        return round_money(slot * period.days / period.slot_days), slot
    return slot, slot
