"""Money that ties out: one live basis per seller, buyer and period; credit notes; gapless
numbers per seller; nothing issued for a period with nothing to pay; invoicing pairs (two
operators, marking per pair); periods by the agreement's rhythm; termination pro rata or
at actual costs, and the repayment claim. Through the pages as finance staff would."""

import datetime
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from lxml import etree
from pypdf import PdfReader

from iop.audit import AuditContext
from partnerships.models import ActualCost, AgreementParty, InvoicingPair
from reporting import figures, peppol
from reporting.actions import issue_invoice_basis
from reporting.models import InvoiceBasis
from reporting.ubl import credit_note_xml, invoice_xml
from tests.factories.partnerships import OrganisationFactory, PartyFactory

SCHEMAS = Path(settings.SCHEMAS_DIR) / "ubl-2.1" / "maindoc"
NS = {
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
}
D = datetime.date


def url(name, *args):
    return reverse(f"reporting:{name}", args=args)


def valid(xml: bytes, schema: str) -> etree._Element:
    """The document passes the UBL 2.1 schema and the EN 16931 + PEPPOL BIS 3.0 rules with
    the Swedish ones: no fatal finding and no warning."""
    doc = etree.fromstring(xml)
    etree.XMLSchema(etree.parse(str(SCHEMAS / schema))).assertValid(doc)
    report = peppol.validate(xml)
    assert report.is_clean, str(report)
    return doc


def pdf_text(data: bytes) -> str:
    return " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).replace(
        "\xa0", " "
    )


def public_a(world) -> AgreementParty:
    return world.agreement_a.public_parties().get()


def issue(world, **kwargs) -> InvoiceBasis:
    return issue_invoice_basis(
        agreement=world.agreement_a, year=2026, user=None, audit=AuditContext.system(), **kwargs
    )


def test_issuing_the_same_period_twice_shows_the_basis_already_issued(world, login):
    client = login(world.finance_a)
    first = client.post(url("invoice_basis", world.agreement_a.pk, 2026))
    basis = InvoiceBasis.objects.get()
    second = client.post(url("invoice_basis", world.agreement_a.pk, 2026), follow=True)
    assert first.url == basis.get_absolute_url()
    assert second.redirect_chain[-1][0] == basis.get_absolute_url()
    assert "FU-00001 är redan utfärdat för helår 2026" in second.content.decode()
    assert InvoiceBasis.objects.count() == 1  # no FU-…-02 next to FU-…-01


def test_the_database_refuses_a_second_live_basis_for_a_payer_and_period(world):
    basis = issue(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        InvoiceBasis.objects.create(
            agreement=basis.agreement,
            year=2026,
            party=basis.party,
            seller=basis.seller,
            period_start=basis.period_start,
            period_end=basis.period_end,
            number="FU-99999",
            issued_on=D(2026, 2, 1),
            amount=basis.amount,
            figures=basis.figures,
        )


def test_a_credit_note_makes_room_for_a_new_basis_and_both_validate(world, login):
    client = login(world.finance_a)
    client.post(url("invoice_basis", world.agreement_a.pk, 2026))
    basis = InvoiceBasis.objects.get()
    response = client.post(
        url("invoice_basis_credit", world.agreement_a.pk, basis.pk),
        {"reason": "Fel andel i budgeten", "amount": ""},
    )
    credit = InvoiceBasis.objects.get(kind="credit_note")
    assert response.url == credit.get_absolute_url()
    assert credit.number == "KF-00001" and credit.amount == Decimal("700000.00")
    basis.refresh_from_db()
    assert basis.credited
    client.post(url("invoice_basis", world.agreement_a.pk, 2026))
    new = InvoiceBasis.objects.filter(kind="invoice").latest("pk")
    assert new.number == "FU-00002" and new.pk != basis.pk
    doc = valid(
        client.get(url("invoice_basis_ubl", world.agreement_a.pk, credit.pk)).content,
        "UBL-CreditNote-2.1.xsd",
    )
    assert doc.findtext("cbc:CreditNoteTypeCode", namespaces=NS) == "381"
    assert (
        doc.findtext("cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID", namespaces=NS)
        == "FU-00001"
    )
    assert doc.findtext("cac:LegalMonetaryTotal/cbc:PayableAmount", namespaces=NS) == "700000.00"
    valid(
        client.get(url("invoice_basis_ubl", world.agreement_a.pk, new.pk)).content,
        "UBL-Invoice-2.1.xsd",
    )
    page = client.get(url("invoice_basis", world.agreement_a.pk, 2026)).content.decode()
    assert "FU-00001" in page and "KF-00001" in page and "FU-00002" in page
    pdf = client.get(url("invoice_basis_issued_pdf", world.agreement_a.pk, credit.pk))
    text = pdf_text(pdf.content)
    assert "Kreditnota" in text and "FU-00001" in text and "Att kreditera: 700 000 kr" in text


def test_a_credit_note_larger_than_its_invoice_is_refused_at_the_field(world, login):
    client = login(world.finance_a)
    client.post(url("invoice_basis", world.agreement_a.pk, 2026))
    basis = InvoiceBasis.objects.get()
    response = client.post(
        url("invoice_basis_credit", world.agreement_a.pk, basis.pk),
        {"reason": "Rättelse", "amount": "700000.01"},
    )
    assert response.status_code == 400
    assert "Kreditnotan kan högst vara 700 000 kr" in response.content.decode()
    assert not InvoiceBasis.objects.filter(kind="credit_note").exists()
    basis.refresh_from_db()
    assert not basis.credited
    # A partial credit keeps the basis live; the rest can then be credited, not more.
    client.post(
        url("invoice_basis_credit", world.agreement_a.pk, basis.pk),
        {"reason": "Delkreditering", "amount": "200000"},
    )
    response = client.post(
        url("invoice_basis_credit", world.agreement_a.pk, basis.pk),
        {"reason": "Rättelse", "amount": "600000"},
    )
    assert "Kreditnotan kan högst vara 500 000 kr" in response.content.decode()


def test_numbers_run_per_seller_without_gaps(world):
    org_c = OrganisationFactory.create(name="Förening C")
    seller_c = PartyFactory.create(agreement=world.agreement_a, organisation=org_c)
    for seller, percent in ((world.party_a, "60"), (seller_c, "40")):
        InvoicingPair.objects.create(
            agreement=world.agreement_a, seller=seller, buyer=public_a(world), percent=percent
        )
    first, second = figures.billings(world.agreement_a)
    a = issue(world, billing=first)
    c = issue(world, billing=second)
    assert (a.number, a.seller, a.amount) == ("FU-00001", world.org_a, Decimal("420000.00"))
    assert (c.number, c.seller, c.amount) == ("FU-00001", org_c, Decimal("280000.00"))
    # A refused issue (nothing to invoice in 2027: no budget) takes no number.
    with pytest.raises(ValidationError):
        issue_invoice_basis(
            agreement=world.agreement_a,
            year=2027,
            billing=first,
            user=None,
            audit=AuditContext.system(),
        )
    world.agreement_a.invoicing = "half_yearly"
    world.agreement_a.save()
    second_half = figures.periods(world.agreement_a, 2026)[1]
    assert issue(world, billing=first, period_start=second_half.start).number == "FU-00002"


def test_a_period_with_nothing_to_pay_issues_nothing_and_says_why(world, login):
    world.agreement_a.pays_against_actuals = True
    world.agreement_a.save()
    client = login(world.finance_a)
    response = client.post(url("invoice_basis", world.agreement_a.pk, 2026))
    assert response.status_code == 400
    text = response.content.decode()
    assert "Det finns inget att fakturera för helår 2026: beloppet blir 0 kr" in text
    assert "inga faktiska kostnader är bokförda" in text
    assert not InvoiceBasis.objects.exists()


def test_invoicing_pairs_whose_shares_exceed_the_total_are_refused(world):
    InvoicingPair.objects.create(
        agreement=world.agreement_a, seller=world.party_a, buyer=public_a(world), percent="70"
    )
    org_c = OrganisationFactory.create(name="Förening C")
    seller_c = PartyFactory.create(agreement=world.agreement_a, organisation=org_c)
    pair = InvoicingPair(
        agreement=world.agreement_a, seller=seller_c, buyer=public_a(world), percent="40"
    )
    with pytest.raises(ValidationError) as exc:
        pair.full_clean()
    assert "högst vara 100 procent" in exc.value.message_dict["percent"][0]
    # A fixed amount above the party's share is refused when the basis is computed.
    pair.percent, pair.amount = None, Decimal("800000")
    pair.save()
    with pytest.raises(ValidationError, match="överstiger partens andel 700 000 kr"):
        figures.invoice_figures(
            world.agreement_a, 2026, billing=figures.billings(world.agreement_a)[1]
        )


def test_marking_and_reference_live_on_the_pair_not_the_organisation(world):
    world.municipality.invoice_marking = "IOP ThaiWISE"
    world.municipality.save()
    InvoicingPair.objects.create(
        agreement=world.agreement_a,
        seller=world.party_a,
        buyer=public_a(world),
        percent="100",
        marking="ID 150010, AKTIVITET: 450211",
        marking_text="IOP Bromodellen",
        buyer_reference="150Z",
    )
    data = figures.freeze(figures.invoice_figures(world.agreement_a, 2026))
    assert data["marking"] == "IOP Bromodellen, helår 2026"
    doc = valid(invoice_xml(data, number="FU-1", issued_on=D(2026, 1, 10)), "UBL-Invoice-2.1.xsd")
    assert doc.findtext("cbc:BuyerReference", namespaces=NS) == "150Z"
    assert doc.findtext("cbc:Note", namespaces=NS) == (
        "ID 150010, AKTIVITET: 450211; IOP Bromodellen, helår 2026"
    )
    # Without a pair the agreement's own title is the marking, never another IOP's.
    InvoicingPair.objects.all().delete()
    other = figures.freeze(figures.invoice_figures(world.agreement_a, 2026))
    assert other["note"] == "IOP A, helår 2026"


def test_quarterly_periods_add_up_to_the_year_and_validate(world):
    world.agreement_a.invoicing = "quarterly"
    world.agreement_a.save()
    quarters = figures.periods(world.agreement_a, 2026)
    assert [p.label for p in quarters] == [f"kvartal {n} 2026" for n in (1, 2, 3, 4)]
    amounts = []
    for quarter in quarters:
        data = figures.freeze(
            figures.invoice_figures(world.agreement_a, 2026, period_start=quarter.start)
        )
        valid(invoice_xml(data, number="FU-Q", issued_on=quarter.start), "UBL-Invoice-2.1.xsd")
        amounts.append(Decimal(data["amount"]))
    # 700 000 kr by days: 90, 91, 92 and 92 of 365.
    assert amounts == [
        Decimal("172602.74"),
        Decimal("174520.55"),
        Decimal("176438.36"),
        Decimal("176438.35"),
    ]
    assert sum(amounts) == Decimal("700000.00")


def test_termination_gives_a_pro_rata_basis_and_a_repayment_claim(world, login):
    client = login(world.finance_a)
    client.post(url("invoice_basis", world.agreement_a.pk, 2026))  # helår 2026, in advance
    world.agreement_a.terminated_on = D(2026, 3, 31)
    world.agreement_a.status = "terminated"
    world.agreement_a.save()
    data = figures.invoice_figures(world.agreement_a, 2026)
    assert (data["period_start"], data["period_end"]) == ("2026-01-01", "2026-03-31")
    assert data["period_label"] == "2026-01-01–2026-03-31"
    assert data["amount"] == Decimal("172602.74")  # 700 000 × 90 / 365
    pdf = client.get(
        url("repayment_claim_pdf", world.agreement_a.pk, world.party_a.pk, public_a(world).pk)
    )
    text = pdf_text(pdf.content)
    assert "Återbetalningskrav" in text
    assert "Att återbetala: 527 397,26 kr" in text  # 700 000 − 172 602,74
    assert "FU-00001" in text


def test_termination_at_actual_costs_counts_costs_up_to_the_termination_date(world):
    agreement = world.agreement_a
    agreement.terminated_on = D(2026, 3, 31)
    agreement.termination_settlement = "actual_costs"
    agreement.save()
    line = agreement.budgets.get(year=2026).cost_lines.get()
    ActualCost.objects.create(
        cost_line=line,
        date=D(2026, 2, 10),
        amount=Decimal("100000"),
        voucher="V1",
        description="Löner februari",
    )
    ActualCost.objects.create(
        cost_line=line,
        date=D(2026, 4, 10),
        amount=Decimal("90000"),
        voucher="V2",
        description="Efter uppsägningen",
    )
    data = figures.invoice_figures(agreement, 2026)
    assert data["amount"] == Decimal("70000.00")  # 70 % of the 100 000 kr booked by 31 March
    assert [v["voucher"] for v in data["vouchers"]] == ["V1"]


def test_manager_issues_and_the_list_page_runs_a_fixed_number_of_queries(world, login):
    client = login(world.manager_a)
    world.agreement_a.invoicing = "quarterly"
    world.agreement_a.save()
    quarters = figures.periods(world.agreement_a, 2026)
    key = figures.billings(world.agreement_a)[0].key

    def issue_quarter(quarter):
        client.post(
            url("invoice_basis", world.agreement_a.pk, 2026),
            {"billing": key, "period": quarter.start.isoformat()},
        )

    issue_quarter(quarters[0])
    with CaptureQueriesContext(connection) as one:
        client.get(url("invoice_basis", world.agreement_a.pk, 2026))
    for quarter in quarters[1:]:
        issue_quarter(quarter)
    basis = InvoiceBasis.objects.get(period_start=quarters[0].start)
    client.post(url("invoice_basis_credit", world.agreement_a.pk, basis.pk), {"reason": "Fel"})
    issue_quarter(quarters[0])
    assert InvoiceBasis.objects.count() == 6  # four quarters, a credit note, a new basis
    with CaptureQueriesContext(connection) as six:
        response = client.get(url("invoice_basis", world.agreement_a.pk, 2026))
    text = response.content.decode()
    assert all(f"FU-0000{n}" in text for n in range(1, 6)) and "KF-00001" in text
    assert len(six.captured_queries) == len(one.captured_queries) <= 20


def test_credit_note_xml_validates_against_the_credit_note_schema(world):
    basis = issue(world)
    data = dict(
        basis.figures,
        credit_of={"number": basis.number, "issued_on": "2026-01-10"},
        credit_reason="Test",
    )
    valid(credit_note_xml(data, number="KF-1", issued_on=D(2026, 2, 1)), "UBL-CreditNote-2.1.xsd")


@pytest.fixture
def demo(db):
    from django.core.management import call_command

    call_command("load_demo", allow_demo_data=True, stdout=io.StringIO())


def test_bromodellen_terminated_on_2025_03_31_invoices_january_to_march_and_claims_back(
    demo, login
):
    from partnerships.actions import change_status
    from partnerships.models import Agreement, Budget, User

    bromodellen = Agreement.objects.get(short_id="bromodellen")
    finance = User.objects.get(username="ekonom")
    bilda, eriks = figures.billings(bromodellen)
    # Both operators invoiced 2025 in advance, a whole year: 1 691 323,20 kr to Linköping.
    before = [
        issue_invoice_basis(
            agreement=bromodellen, year=2025, billing=b, user=None, audit=AuditContext.system()
        )
        for b in (bilda, eriks)
    ]
    assert [b.amount for b in before] == [Decimal("1226885.85"), Decimal("464437.35")]
    assert sum(b.amount for b in before) == Decimal("1691323.20")
    assert before[0].figures["period_label"] == "helår 2025"
    assert before[0].figures["note"] == "ID 150010, AKTIVITET: 450211; IOP Bromodellen, helår 2025"
    # Costs actually incurred up to the termination date: three months of each line.
    budget = Budget.objects.get(agreement=bromodellen, year=2025)
    for line in budget.cost_lines.all():
        for month in (1, 2, 3, 4):
            ActualCost.objects.create(
                cost_line=line,
                date=D(2025, month, 25),
                amount=line.amount / 12,
                voucher=f"BR25-{line.pk}-{month}",
            )
    bromodellen = change_status(
        agreement=bromodellen,
        new_status="terminated",
        day=D(2025, 3, 31),
        reason="Parterna är överens om att avsluta samarbetet.",
        user=finance,
        audit=AuditContext.system(),
    )
    data = figures.invoice_figures(bromodellen, 2025, billing=bilda)
    assert (data["period_start"], data["period_end"]) == ("2025-01-01", "2025-03-31")
    assert "helår" not in data["marking"]
    # A quarter of the year's costs (604 044 of 2 416 176 kr), April's vouchers left out.
    assert data["amount"] == Decimal("306721.46")
    assert len(data["vouchers"]) == 12
    client = login(finance)
    page = client.get(url("invoice_basis", bromodellen.pk, 2025)).content.decode()
    assert "2025-01-01–2025-03-31" in page and "helår 2025" not in page.split("<h2>")[1]
    pdf = client.get(url("repayment_claim_pdf", bromodellen.pk, bilda.seller.pk, bilda.buyer.pk))
    text = pdf_text(pdf.content)
    assert "Återbetalningskrav" in text and "Faktiska kostnader fram till uppsägningen" in text
    assert "Att återbetala: 920 164,39 kr" in text  # 1 226 885,85 − 306 721,46
    # Crediting the whole-year basis and issuing the shortened one leaves nothing to repay.
    response = client.post(
        url("invoice_basis_credit", bromodellen.pk, before[0].pk), {"reason": "Uppsägning"}
    )
    assert response.status_code == 302
    client.post(
        url("invoice_basis", bromodellen.pk, 2025),
        {"billing": bilda.key, "period": "2025-01-01"},
    )
    short = InvoiceBasis.objects.get(seller=bilda.seller.organisation, period_end=D(2025, 3, 31))
    assert short.amount == Decimal("306721.46")
    valid(
        client.get(url("invoice_basis_ubl", bromodellen.pk, short.pk)).content,
        "UBL-Invoice-2.1.xsd",
    )
    text = pdf_text(
        client.get(
            url("repayment_claim_pdf", bromodellen.pk, bilda.seller.pk, bilda.buyer.pk)
        ).content
    )
    assert "Ingen återbetalning" in text


def test_an_agreement_invoiced_in_arrears_is_invoiced_after_the_period(world):
    world.agreement_a.invoice_in_advance = False
    world.agreement_a.invoicing = "half_yearly"
    world.agreement_a.save()
    with pytest.raises(ValidationError, match="tidigast 2026-07-01"):
        issue(world, issued_on=D(2026, 6, 30))
    assert not InvoiceBasis.objects.exists()
    basis = issue(world, issued_on=D(2026, 7, 1))
    assert basis.figures["period_label"] == "halvår 1 2026"
    assert basis.amount == Decimal("347123.29")  # 700 000 × 181 / 365
