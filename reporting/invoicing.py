"""Invoice basis workflow: issue a numbered, dated basis with its figures and PDF frozen."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from partnerships.models import Agreement, AgreementParty, User

from . import figures
from .documents import invoice_basis_pdf
from .models import InvoiceBasis


def next_number(agreement: Agreement, year: int) -> str:
    count = InvoiceBasis.objects.filter(agreement=agreement, year=year).count()
    return f"FU-{agreement.short_id.upper()}-{year}-{count + 1:02d}"


@transaction.atomic
def issue_invoice_basis(
    *,
    agreement: Agreement,
    year: int,
    user: User | None,
    party: AgreementParty | None = None,
    issued_on: datetime.date | None = None,
) -> InvoiceBasis:
    """Number, date and freeze the invoice basis to `party` (default: the public funder).

    Refuses, with a Swedish ValidationError and nothing saved, a year outside the
    agreement, a year without budget, shares that do not add up, a party without a share.
    """
    # Numbers are per agreement and year: lock the agreement so two issues cannot collide.
    Agreement.objects.select_for_update().filter(pk=agreement.pk).get()
    data = figures.freeze(figures.invoice_figures(agreement, year, party))
    issued_on = issued_on or timezone.localdate()
    basis = InvoiceBasis(
        agreement=agreement,
        year=year,
        party_id=data["party_id"],
        number=next_number(agreement, year),
        issued_on=issued_on,
        amount=data["amount"],
        agreement_version_id=data["version_id"],
        figures=data,
        created_by=user,
    )
    basis.pdf = invoice_basis_pdf(data, number=basis.number, issued_on=issued_on)
    basis.save()
    return basis


def latest_or_issue(
    *, agreement: Agreement, year: int, user: User | None = None
) -> tuple[InvoiceBasis, bool]:
    """The latest basis issued for the year, or a newly issued one (for the command)."""
    existing = (
        InvoiceBasis.objects.filter(agreement=agreement, year=year)
        .order_by("-created_at", "-pk")
        .first()
    )
    if existing is not None:
        return existing, False
    return issue_invoice_basis(agreement=agreement, year=year, user=user), True
