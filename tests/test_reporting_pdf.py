"""The documents as PDF: text read back with pypdf ties out with the database; the UBL
invoice validates against the UBL 2.1 schema; rendering fetches nothing from outside."""

import datetime
import http.server
import io
import re
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db.models import Sum
from lxml import etree
from pypdf import PdfReader

from partnerships.models import Agreement, CostLine
from reporting import figures
from reporting.annual import current_report, report_figures
from reporting.charts import bar_chart
from reporting.documents import annual_report_context, annual_report_pdf, invoice_basis_pdf
from reporting.models import InvoiceBasis
from reporting.pdf import SafeURLFetcher, html_to_pdf
from reporting.suppression import Cell
from reporting.ubl import invoice_xml
from tests.factories.participants import (
    ContactFactory,
    EnrolmentFactory,
    ParticipantFactory,
)
from tests.factories.partnerships import CostLineFactory

SCHEMA = Path(settings.SCHEMAS_DIR) / "ubl-2.1" / "maindoc" / "UBL-Invoice-2.1.xsd"
NS = {
    "inv": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
}


def pdf_pages(data: bytes) -> list[str]:
    # Normalise whitespace: the PDF may set the thin spaces between digit groups apart.
    return [re.sub(r"\s+", " ", page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]


@pytest.fixture
def demo(db):
    call_command("load_demo", allow_demo_data=True, stdout=io.StringIO())


def test_bromodellen_2024_basis_to_linkoping_is_1_658_160_kr(demo, tmp_path):
    out = tmp_path / "basis.pdf"
    call_command("invoice_basis", "bromodellen", "2024", "-o", str(out), stdout=io.StringIO())
    pages = pdf_pages(out.read_bytes())
    text = " ".join(pages)
    # Bilda invoices its part (72,54 %) of Linköping's 1 658 160 kr; Erikshjälpen the rest.
    assert "Att fakturera: 1 202 829,26 kr" in text
    assert "Andel för Linköpings kommun" in text and "1 658 160 kr" in text
    assert "ID 150010, AKTIVITET: 450211" in text and "Skanningcentralen 150Z" in text
    parts = InvoiceBasis.objects.filter(
        agreement__short_id="bromodellen", year=2024, party__organisation__name__startswith="Link"
    ).values_list("amount", flat=True)
    assert sorted(parts) == [Decimal("455330.74"), Decimal("1202829.26")]
    assert sum(parts) == Decimal("1658160")
    other = tmp_path / "erikshjalpen.pdf"
    call_command(
        "invoice_basis",
        "bromodellen",
        "2024",
        "-o",
        str(other),
        "--seller",
        "802400-7653",
        stdout=io.StringIO(),
    )
    assert "Att fakturera: 455 330,74 kr" in " ".join(pdf_pages(other.read_bytes()))
    assert "Linköpings kommun" in text and "212000-0449" in text
    assert "7332776000001" in text and "0007:2120000449" in text and "150Z" in text
    assert "IOP Bromodellen, helår 2024" in text
    assert "version 1" in text
    assert (
        pages[0].startswith("IOP Bromodellen · Fakturaunderlag 2024")
        or "IOP Bromodellen · Fakturaunderlag 2024" in pages[0]
    )
    assert f"sida 1 av {len(pages)}" in pages[0]
    # The total ties out with the database: 70 % of the sum of the cost lines.
    agreement = Agreement.objects.get(short_id="bromodellen")
    total = CostLine.objects.filter(budget__agreement=agreement, budget__year=2024).aggregate(
        s=Sum("amount")
    )["s"]
    assert total == Decimal("2368800")
    assert "2 368 800 kr" in text
    assert total * Decimal("0.70") == Decimal("1658160")


def test_thaiwise_2026_basis_is_670_000_kr(demo, tmp_path):
    out = tmp_path / "basis.pdf"
    call_command("invoice_basis", "thaiwise", "2026", "-o", str(out), stdout=io.StringIO())
    text = " ".join(pdf_pages(out.read_bytes()))
    assert "Att fakturera: 670 000 kr" in text
    assert "IOP ThaiWISE, helår 2026" in text
    assert "ASF-IOP" in text


def test_ubl_invoice_validates_against_the_ubl_21_schema_and_carries_buyer_reference(
    demo, tmp_path
):
    out = tmp_path / "basis.xml"
    call_command(
        "invoice_basis",
        "bromodellen",
        "2024",
        "-o",
        str(out),
        "--format",
        "ubl",
        stdout=io.StringIO(),
    )
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    doc = etree.parse(str(out))
    schema.assertValid(doc)
    assert doc.findtext("cbc:BuyerReference", namespaces=NS) == "150Z"
    assert doc.findtext("cbc:CustomizationID", namespaces=NS).endswith("poacc:billing:3.0")
    assert doc.findtext("cac:LegalMonetaryTotal/cbc:PayableAmount", namespaces=NS) == "1202829.26"
    assert doc.findtext("cbc:Note", namespaces=NS) == (
        "ID 150010, AKTIVITET: 450211; IOP Bromodellen, helår 2024"
    )
    assert {e.text for e in doc.iterfind(".//cac:ClassifiedTaxCategory/cbc:ID", NS)} == {"O"}
    assert doc.findtext("cac:TaxTotal/cbc:TaxAmount", namespaces=NS) == "0.00"
    lines = [Decimal(e.text) for e in doc.iterfind("cac:InvoiceLine/cbc:LineExtensionAmount", NS)]
    assert sum(lines) == Decimal("1202829.26")
    # PEPPOL/EN 16931 rules on top of the schema: category O carries an exemption reason,
    # no VAT identifiers (BR-O-02..04), and the totals agree (BR-CO-10, BR-CO-15).
    assert (
        doc.findtext(".//cac:TaxSubtotal/cac:TaxCategory/cbc:TaxExemptionReasonCode", namespaces=NS)
        == "VATEX-EU-O"
    )
    assert doc.find(".//cac:PartyTaxScheme", NS) is None
    totals = {e.tag.split("}")[1]: e.text for e in doc.find("cac:LegalMonetaryTotal", NS)}
    assert (
        totals["LineExtensionAmount"]
        == totals["TaxExclusiveAmount"]
        == totals["TaxInclusiveAmount"]
        == "1202829.26"
    )
    assert doc.findtext("cbc:DueDate", namespaces=NS)
    buyer = doc.find("cac:AccountingCustomerParty/cac:Party/cbc:EndpointID", NS)
    assert (buyer.get("schemeID"), buyer.text) == ("0007", "2120000449")


def test_every_demo_partnership_and_year_renders_both_documents(demo):
    for agreement in Agreement.objects.filter(
        short_id__in=["thaiwise", "bromodellen", "malmokraften"]
    ):
        for year in agreement.years:
            data = figures.freeze(figures.invoice_figures(agreement, year))
            assert pdf_pages(
                invoice_basis_pdf(data, number="T-1", issued_on=datetime.date(2026, 1, 1))
            )
            pages = pdf_pages(annual_report_pdf(current_report(agreement, year)))
            assert f"Årsrapport {year}" in pages[0]
            assert f"sida {len(pages)} av {len(pages)}" in pages[-1]


def test_annual_report_pdf_ties_out_and_shows_no_participant_identity(world):
    agreement = world.agreement_a
    participant = ParticipantFactory(plain=True, name="Sigrid Hemlighetsdotter")
    enrolment = EnrolmentFactory(plain=True, agreement=agreement, participant=participant)
    ContactFactory(
        plain=True,
        agreement=agreement,
        participant=participant,
        topic="Hemligt ämne",
        note="Känslig anteckning",
    )
    text = " ".join(pdf_pages(annual_report_pdf(current_report(agreement, 2026))))
    assert "IOP A · Årsrapport 2026" in text
    assert "1 000 000 kr" in text  # the budget total, as in the database
    assert "700 000 kr" in text and "300 000 kr" in text  # the two funders' shares
    assert "Sigrid" not in text and participant.code not in text
    assert "Hemligt ämne" not in text and "Känslig anteckning" not in text
    assert enrolment.pk


def test_long_tables_break_across_pages_with_repeated_headers(world):
    budget = world.agreement_a.budgets.get(year=2026)
    for i in range(90):
        CostLineFactory(
            budget=budget,
            description=f"Kostnadspost nummer {i}",
            amount=Decimal("1000"),
            position=i + 1,
        )
    data = figures.freeze(figures.invoice_figures(world.agreement_a, 2026))
    pages = pdf_pages(invoice_basis_pdf(data, number="T-2", issued_on=datetime.date(2026, 5, 1)))
    assert len(pages) >= 2
    assert "Partens andel" in pages[1]  # the table header again on the next page
    assert f"sida 2 av {len(pages)}" in pages[1]


def test_pdf_charts_leave_values_to_their_tables_but_keep_hidden_ones_dold(world):
    # Issue 19: WeasyPrint lays SVG text out letter by letter, and the text beside each bar
    # was a sixth of the annual report's PDF time. The table above the chart has the values.
    agreement = world.agreement_a
    for _i in range(3):
        ContactFactory(plain=True, agreement=agreement, kind="phone")
    report = current_report(agreement, 2026)
    data = report_figures(report)
    page = annual_report_context(report, data)["charts"]
    printed = annual_report_context(report, data, for_pdf=True)["charts"]
    assert set(page) == set(printed) and "contacts" in page
    for name in page:
        labels = re.findall(r"<text [^>]*font-size=\"11\"[^>]*>([^<]*)</text>", str(page[name]))
        bars = re.findall(r'data-value="([^"]*)"', str(page[name]))
        assert labels == bars  # in the browser, every bar says its value
        kept = re.findall(r"<text [^>]*font-size=\"11\"[^>]*>([^<]*)</text>", str(printed[name]))
        assert kept == [v for v in bars if v == "dold"]
        assert re.findall(r'data-value="([^"]*)"', str(printed[name])) == bars
    contacts = str(printed["contacts"])
    assert 'data-value="3"' in contacts and ">3</text>" not in contacts


def test_a_hidden_value_keeps_its_dold_in_a_printed_chart():
    chart = str(
        bar_chart(
            "Avslut", [("Arbete", (Cell(3, primary=True), 12))], ["Kvinna", "Man"], values=False
        )
    )
    assert ">dold</text>" in chart and ">12</text>" not in chart and 'data-value="12"' in chart


class _CountingHandler(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 - the stdlib's name
        self.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { color: red }")

    def log_message(self, *args):
        pass


def test_pdf_rendering_fetches_nothing_outside_the_static_files(tmp_path):
    server = http.server.HTTPServer(("127.0.0.1", 0), _CountingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"\x89PNG not really")
    port = server.server_address[1]
    html = f"""<html><head>
      <link rel="stylesheet" href="/static/reporting/pdf.css">
      <link rel="stylesheet" href="http://127.0.0.1:{port}/evil.css">
      </head><body><p>Hej</p>
      <img src="file://{secret}"><img src="http://127.0.0.1:{port}/track.png">
      <img src="/static/../../../etc/passwd"><img src="file:///etc/passwd">
      </body></html>"""
    fetcher = SafeURLFetcher()
    try:
        pdf = html_to_pdf(html, fetcher)
    finally:
        server.shutdown()
    assert pdf.startswith(b"%PDF")
    assert _CountingHandler.hits == []
    assert any(url.startswith("file://") for url in fetcher.refused)
    assert any(url.startswith(f"http://127.0.0.1:{port}") for url in fetcher.refused)
    assert len(fetcher.refused) == 5
    assert fetcher.served == ["https://iop-pdf.invalid/static/reporting/pdf.css"]


def test_ubl_for_an_agreement_without_decision_reference_still_validates(world):
    data = figures.freeze(figures.invoice_figures(world.agreement_a, 2026))
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    doc = etree.fromstring(invoice_xml(data, number="FU-1", issued_on=datetime.date(2027, 1, 10)))
    schema.assertValid(doc)
    # No reference code on the buyer: the agreement's short id stands in (BT-10 is mandatory).
    assert doc.findtext("cbc:BuyerReference", namespaces=NS) == "iop-a"
