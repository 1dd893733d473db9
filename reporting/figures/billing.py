"""Who invoices whom, for which periods, and how much of the year each period carries.

A *billing* is a seller (an operator) and a buyer (a public funder) of one agreement:
one of the agreement's invoicing pairs, or, where the agreement states none, the first
operator invoicing the funder's whole share (how agreements were invoiced before pairs).

Periods follow the agreement's rhythm (year, half-year, quarter, month), cut to the
agreement's dates and to the termination date. A period's part of the year's amount is in
proportion to its days (whole öre, adding up to the year exactly); the period in which
the agreement was terminated pays pro rata by days up to the termination date, or actual
costs up to it, as the agreement states.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from partnerships.models import Agreement, AgreementParty, InvoicingPair

MONTHS: dict[str, int] = {
    Agreement.InvoicingRhythm.YEARLY: 12,
    Agreement.InvoicingRhythm.HALF_YEARLY: 6,
    Agreement.InvoicingRhythm.QUARTERLY: 3,
    Agreement.InvoicingRhythm.MONTHLY: 1,
}
MONTH_NAMES = [
    "januari", "februari", "mars", "april", "maj", "juni",
    "juli", "augusti", "september", "oktober", "november", "december",
]  # fmt: skip


@dataclass(frozen=True)
class Billing:
    seller: AgreementParty
    buyer: AgreementParty
    pair: InvoicingPair | None

    @property
    def key(self) -> str:
        return f"{self.seller.pk}-{self.buyer.pk}"


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date
    # The whole slot of the rhythm the period belongs to, before any cut by termination.
    slot_start: datetime.date
    slot_end: datetime.date
    label: str

    @property
    def cut_by_termination(self) -> bool:
        return self.end < self.slot_end

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def slot_days(self) -> int:
        return (self.slot_end - self.slot_start).days + 1


def billings(agreement: Agreement) -> list[Billing]:
    """The agreement's invoicing pairs, or its first operator to every public funder."""
    pairs = list(
        agreement.invoicing_pairs.select_related(
            "seller__organisation", "buyer__organisation"
        ).order_by("position", "pk")
    )
    if pairs:
        return [Billing(p.seller, p.buyer, p) for p in pairs]
    parties = list(agreement.parties.select_related("organisation").order_by("organisation__name"))
    operators = [p for p in parties if p.role == AgreementParty.PartyRole.OPERATOR]
    if not operators:
        return []
    return [
        Billing(operators[0], p, None)
        for p in parties
        if p.role == AgreementParty.PartyRole.PUBLIC_FUNDER
    ]


def _slot_label(agreement: Agreement, start: datetime.date, end: datetime.date) -> str:
    months = MONTHS[agreement.invoicing]
    year = start.year
    if months == 12:
        return _("helår %(year)s") % {"year": year}
    if months == 6:
        return _("halvår %(n)s %(year)s") % {"n": 1 if start.month <= 6 else 2, "year": year}
    if months == 3:
        return _("kvartal %(n)s %(year)s") % {"n": (start.month - 1) // 3 + 1, "year": year}
    return f"{MONTH_NAMES[start.month - 1]} {year}"


def periods(agreement: Agreement, year: int, *, cut: bool = True) -> list[Period]:
    """The year's invoicing periods, in order, cut to the agreement and (unless `cut` is
    False: the year as it was planned) to its termination."""
    months = MONTHS.get(agreement.invoicing, 12)
    last_day = agreement.end_date
    if cut and agreement.terminated_on and agreement.terminated_on < last_day:
        last_day = agreement.terminated_on
    result = []
    for first_month in range(1, 13, months):
        natural_start = datetime.date(year, first_month, 1)
        next_month = first_month + months
        natural_end = (
            datetime.date(year, next_month, 1)
            if next_month <= 12
            else datetime.date(year + 1, 1, 1)
        ) - datetime.timedelta(days=1)
        # The slot as the agreement covers it (a start mid-year is already in its budget).
        slot_start = max(natural_start, agreement.start_date)
        slot_end = min(natural_end, agreement.end_date)
        if slot_start > slot_end or slot_start > last_day:
            continue
        end = min(slot_end, last_day)
        if (slot_start, end) == (natural_start, natural_end):
            label = _slot_label(agreement, slot_start, end)
        else:
            label = f"{slot_start.isoformat()}–{end.isoformat()}"
        result.append(Period(slot_start, end, slot_start, slot_end, label))
    return result


def find_period(agreement: Agreement, year: int, start: datetime.date | None) -> Period:
    """The period of `year` starting on `start` (default: the first), or a Swedish refusal."""
    found = periods(agreement, year)
    if not found:
        raise ValidationError(
            _("Överenskommelsen har ingen faktureringsperiod under %(year)s.") % {"year": year},
            code="no_period",
        )
    if start is None:
        return found[0]
    for candidate in found:
        if candidate.start == start:
            return candidate
    raise ValidationError(
        _("%(day)s är inte början på en faktureringsperiod.") % {"day": start.isoformat()},
        code="no_such_period",
    )
