"""Indexation by index reaches the invoice: when a series' final value differs from the
provisional one a budget was indexed with, the next basis the seller issues to the buyer
carries the seller's part of the difference as a line of its own — on the PDF and in the
UBL (a downward adjustment as quantity −1 at a positive price, BR-27) — and only once."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from lxml import etree

from iop.audit import AuditContext
from partnerships.actions import derive_next_year
from partnerships.models import Budget, IndexSeries
from reporting import figures, peppol
from reporting.models import InvoiceBasis
from tests.test_invoicing_periods import pdf_text, public_a

NS = {
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
}


def url(name, *args):
    return reverse(f"reporting:{name}", args=args)


def indexed_2027(world, final: str | None) -> Budget:
    """Agreement A's 2026 budget (1 000 000 kr, the municipality 70 %) indexed into 2027
    with OPI's provisional 3,0 %; `final` is the value published later."""
    series = IndexSeries.objects.create(name="OPI kommunal sektor")
    value = series.values.create(year=2027, provisional_percent=Decimal("3.0"))
    budget = Budget.objects.get(agreement=world.agreement_a, year=2026)
    budget.index_series = series
    budget.save()
    new = derive_next_year(budget=budget, audit=AuditContext.system())
    assert new.total() == Decimal("1030000")
    if final is not None:
        value.final_percent = Decimal(final)
        value.save()
    return new


def ubl(client, world, basis) -> etree._Element:
    xml = client.get(url("invoice_basis_ubl", world.agreement_a.pk, basis.pk)).content
    report = peppol.validate(xml)
    assert report.is_clean, str(report)
    return etree.fromstring(xml)


def amounts(doc: etree._Element, line: str, quantity: str) -> list[tuple[str, str, str]]:
    return [
        (
            el.findtext(f"cbc:{quantity}", namespaces=NS),
            el.findtext("cbc:LineExtensionAmount", namespaces=NS),
            el.findtext("cac:Price/cbc:PriceAmount", namespaces=NS),
        )
        for el in doc.findall(f"cac:{line}", namespaces=NS)
    ]


def test_the_figures_carry_the_sellers_part_of_the_adjustment(world):
    indexed_2027(world, final="3.4")
    data = figures.invoice_figures(world.agreement_a, 2027, public_a(world))
    # 1 000 000 × 0,4 % = 4 000 kr for the year; the municipality pays 721 000 of
    # 1 030 000 kr, so its part is 2 800 kr.
    (adjustment,) = data["index_adjustments"]
    assert adjustment["budget_adjustment"] == Decimal("4000.00")
    assert adjustment["amount"] == Decimal("2800.00")
    assert adjustment["description"] == (
        "Indexjustering 2027: OPI kommunal sektor slutligt 3,40 % i stället för preliminärt 3,00 %"
    )
    assert data["period_amount"] == Decimal("721000.00")
    assert data["amount"] == Decimal("723800.00")
    lines = sum((line["party_share"] for line in data["lines"]), Decimal("0"))
    assert lines + adjustment["amount"] == data["amount"]


def test_no_adjustment_while_the_value_is_provisional_or_final_and_equal(world):
    budget = indexed_2027(world, final=None)
    data = figures.invoice_figures(world.agreement_a, 2027, public_a(world))
    assert data["index_adjustments"] == [] and data["amount"] == Decimal("721000.00")
    budget.index_series.values.update(final_percent=Decimal("3.0"))
    data = figures.invoice_figures(world.agreement_a, 2027, public_a(world))
    assert data["index_adjustments"] == []


def test_an_upward_adjustment_is_on_the_issued_pdf_and_a_clean_ubl(world, login, set_today):
    indexed_2027(world, final="3.4")
    set_today(datetime.date(2027, 1, 15))
    client = login(world.finance_a)
    client.post(url("invoice_basis", world.agreement_a.pk, 2027))
    basis = InvoiceBasis.objects.get(year=2027)
    assert basis.amount == Decimal("723800.00")
    text = pdf_text(bytes(basis.pdf))
    assert "Indexjustering 2027: OPI kommunal sektor slutligt 3,40 %" in text
    assert "2 800,00 kr" in text and "723 800" in text
    doc = ubl(client, world, basis)
    lines = amounts(doc, "InvoiceLine", "InvoicedQuantity")
    assert lines[-1] == ("1", "2800.00", "2800.00")
    assert sum(Decimal(line[1]) for line in lines) == Decimal("723800.00")
    assert doc.findtext("cac:LegalMonetaryTotal/cbc:PayableAmount", namespaces=NS) == "723800.00"


def test_a_downward_adjustment_is_a_negative_quantity_at_a_positive_price(world, login, set_today):
    indexed_2027(world, final="2.5")
    set_today(datetime.date(2027, 1, 15))
    client = login(world.finance_a)
    client.post(url("invoice_basis", world.agreement_a.pk, 2027))
    basis = InvoiceBasis.objects.get(year=2027)
    # 1 000 000 × −0,5 % = −5 000 kr; the municipality's part −3 500 kr.
    assert basis.amount == Decimal("717500.00")
    assert "-3 500,00 kr" in pdf_text(bytes(basis.pdf))
    doc = ubl(client, world, basis)
    lines = amounts(doc, "InvoiceLine", "InvoicedQuantity")
    assert lines[-1] == ("-1", "-3500.00", "3500.00")
    assert sum(Decimal(line[1]) for line in lines) == Decimal("717500.00")
    assert doc.findtext("cac:LegalMonetaryTotal/cbc:PayableAmount", namespaces=NS) == "717500.00"
    # Its credit note repeats the lines, the adjustment again at a positive price.
    client.post(
        url("invoice_basis_credit", world.agreement_a.pk, basis.pk),
        {"reason": "Fel period", "amount": ""},
    )
    credit = InvoiceBasis.objects.get(kind="credit_note")
    doc = ubl(client, world, credit)
    assert amounts(doc, "CreditNoteLine", "CreditedQuantity")[-1] == ("-1", "-3500.00", "3500.00")
    assert doc.findtext("cac:LegalMonetaryTotal/cbc:PayableAmount", namespaces=NS) == "717500.00"


@pytest.mark.parametrize("credited", [False, True])
def test_only_the_next_basis_carries_it_unless_that_one_is_credited(
    world, login, set_today, credited
):
    world.agreement_a.invoicing = "quarterly"
    world.agreement_a.save()
    budget = indexed_2027(world, final=None)
    set_today(datetime.date(2027, 6, 1))
    client = login(world.finance_a)
    # The first quarter is issued while the value is still provisional: no adjustment.
    client.post(url("invoice_basis", world.agreement_a.pk, 2027))
    assert InvoiceBasis.objects.get().figures["index_adjustments"] == []
    budget.index_series.values.update(final_percent=Decimal("3.4"))
    key = figures.billings(world.agreement_a)[0].key
    client.post(
        url("invoice_basis", world.agreement_a.pk, 2027), {"billing": key, "period": "2027-04-01"}
    )
    second = InvoiceBasis.objects.get(period_start=datetime.date(2027, 4, 1))
    assert second.figures["index_adjustment_total"] == "2800.00"
    if credited:
        client.post(
            url("invoice_basis_credit", world.agreement_a.pk, second.pk),
            {"reason": "Fel", "amount": ""},
        )
    third = figures.invoice_figures(
        world.agreement_a, 2027, public_a(world), period_start=datetime.date(2027, 7, 1)
    )
    carried_again = [a["amount"] for a in third["index_adjustments"]]
    assert carried_again == ([Decimal("2800.00")] if credited else [])


def test_the_budget_page_says_where_the_adjustment_goes(world, login):
    budget = indexed_2027(world, final="3.4")
    client = login(world.finance_a)
    page = client.get(budget.get_absolute_url()).content.decode()
    assert "4 000 kr" in page and "som en egen rad på säljarens nästa fakturaunderlag" in page
    world.agreement_a.pays_against_actuals = True
    world.agreement_a.save()
    page = client.get(budget.get_absolute_url()).content.decode()
    assert "läggs inte som en egen rad" in page
    # Paying against actual costs, the basis pays what was spent: no adjustment line.
    data = figures.invoice_figures(world.agreement_a, 2027, public_a(world))
    assert data["index_adjustments"] == []


def test_a_carried_adjustment_is_owed_in_a_repayment_claim(world, login, set_today):
    indexed_2027(world, final="3.4")
    set_today(datetime.date(2027, 1, 15))
    client = login(world.finance_a)
    client.post(url("invoice_basis", world.agreement_a.pk, 2027))  # 721 000 + 2 800 kr
    world.agreement_a.terminated_on = datetime.date(2027, 3, 31)
    world.agreement_a.status = "terminated"
    world.agreement_a.save()
    pdf = client.get(
        url("repayment_claim_pdf", world.agreement_a.pk, world.party_a.pk, public_a(world).pk)
    )
    text = pdf_text(pdf.content)
    # Due: 721 000 × 90 / 365 = 177 780,82 kr for the quarter, plus the 2 800 kr the basis
    # carried for the year's index; 723 800 − 180 580,82 = 543 219,18 kr to repay.
    assert "Indexjustering 2 800,00 kr" in text
    assert "Att återbetala: 543 219,18 kr" in text
