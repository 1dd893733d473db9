"""Every e-invoice iop produces passes the rules a Swedish public buyer's access point
applies: the UBL 2.1 schema, EN 16931 and PEPPOL BIS 3.0 with the Swedish rules — zero
fatal findings and zero warnings. The validator itself is shown to catch broken copies."""

from __future__ import annotations

import datetime
import io
import re
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command

from partnerships.models import Agreement, Budget
from reporting import figures, peppol
from reporting.ubl import invoice_xml

EXAMPLES = Path(settings.SCHEMAS_DIR) / "peppol-bis-3" / "examples"
ISSUED_ON = datetime.date(2026, 1, 15)


def demo_invoices() -> list[tuple[str, bytes]]:
    """The UBL invoice of every agreement, budget year and public party of the database."""
    invoices = []
    for agreement in Agreement.objects.order_by("short_id"):
        years = Budget.objects.filter(agreement=agreement).values_list("year", flat=True)
        for year in sorted(set(years)):
            for party in figures.public_parties(agreement):
                try:
                    data = figures.freeze(figures.invoice_figures(agreement, year, party))
                except ValidationError:
                    continue  # no share to invoice: nothing is issued
                number = f"FU-{agreement.short_id.upper()}-{year}-01"
                label = f"{agreement.short_id} {year} → {party.organisation.name}"
                invoices.append((label, invoice_xml(data, number=number, issued_on=ISSUED_ON)))
    return invoices


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=io.StringIO())


@pytest.mark.parametrize("name", ["base-example.xml", "vat-category-O.xml"])
def test_peppols_own_examples_pass(name):
    report = peppol.validate((EXAMPLES / name).read_bytes())
    assert report.is_clean, str(report)


def test_a_credit_note_is_validated_against_the_credit_note_schema():
    xml = (EXAMPLES / "base-creditnote-correction.xml").read_bytes()
    assert peppol.validate(xml).is_clean
    as_invoice = xml.replace(b"CreditNote-2", b"Invoice-2")
    assert "XSD" in peppol.validate(as_invoice).rules()


def test_every_demo_invoice_passes_with_no_fatal_finding_and_no_warning(demo):
    invoices = demo_invoices()
    assert len(invoices) >= 4
    for label, xml in invoices:
        report = peppol.validate(xml)
        assert report.is_clean, f"{label}:\n{report}"


def test_a_validation_takes_well_under_a_second_once_the_rules_are_compiled(demo):
    _, xml = demo_invoices()[0]
    peppol.validate(xml)
    started = time.perf_counter()
    peppol.validate(xml)
    assert time.perf_counter() - started < 1.0


def _first_demo_invoice() -> bytes:
    return demo_invoices()[0][1]


def test_the_validator_catches_a_missing_buyer_reference(demo):
    broken = re.sub(rb"<cbc:BuyerReference>.*?</cbc:BuyerReference>", b"", _first_demo_invoice())
    report = peppol.validate(broken)
    assert "PEPPOL-EN16931-R003" in {f.rule for f in report.fatal}


def test_the_validator_catches_a_negative_unit_price(demo):
    broken = re.sub(
        rb'<cbc:PriceAmount currencyID="SEK">',
        b'<cbc:PriceAmount currencyID="SEK">-',
        _first_demo_invoice(),
        count=1,
    )
    assert "BR-27" in {f.rule for f in peppol.validate(broken).fatal}


def test_the_validator_catches_an_unknown_identifier_scheme(demo):
    broken = _first_demo_invoice().replace(b'schemeID="0007"', b'schemeID="9999"')
    assert "PEPPOL-EN16931-CL008" in {f.rule for f in peppol.validate(broken).fatal}


def test_the_validator_catches_a_schema_error(demo):
    broken = (
        _first_demo_invoice()
        .replace(b"<cbc:IssueDate>", b"<cbc:IssueDay>")
        .replace(b"</cbc:IssueDate>", b"</cbc:IssueDay>")
    )
    report = peppol.validate(broken)
    assert report.fatal and {f.rule for f in report.fatal} == {"XSD"}
