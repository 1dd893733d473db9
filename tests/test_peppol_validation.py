"""Every e-invoice iop produces passes the rules a Swedish public buyer's access point
applies: the UBL 2.1 schema, EN 16931 and PEPPOL BIS 3.0 with the Swedish rules — zero
fatal findings and zero warnings. The validator itself is shown to catch broken copies."""

from __future__ import annotations

import datetime
import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

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
    call_command("load_demo", allow_demo_data=True, stdout=io.StringIO())


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


def test_the_command_validates_every_issued_basis(demo):
    out = io.StringIO()
    call_command("validate_ubl", "--issued", stdout=out)
    assert "godkänd (0 fel, 0 varningar)" in out.getvalue()


def test_the_command_fails_on_a_broken_file(world, tmp_path):
    broken = tmp_path / "broken.xml"
    broken.write_bytes(world_invoice(world).replace(b'schemeID="0007"', b'schemeID="9999"'))
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 av 1 dokument"):
        call_command("validate_ubl", str(broken), stdout=out)
    assert "PEPPOL-EN16931-CL008" in out.getvalue()


def world_invoice(world, **seller) -> bytes:
    """The test world's invoice: agreement A's 2026 basis to the municipality."""
    for name, value in seller.items():
        setattr(world.org_a, name, value)
    world.org_a.full_clean()
    world.org_a.save()
    agreement = world.agreement_a
    data = figures.freeze(
        figures.invoice_figures(agreement, 2026, agreement.public_parties().get())
    )
    return invoice_xml(data, number="FU-IOP-A-2026-01", issued_on=ISSUED_ON)


@pytest.mark.parametrize(
    "seller",
    [
        {},
        {"bankgiro": "5050-1055", "ocr_reference": True, "f_skatt": True},
        {"bankgiro": "991-2346"},
        {"plusgiro": "90 20 90-0", "iban": "SE4550000000058398257466", "bic": "ESSESESS"},
    ],
)
def test_the_test_worlds_invoice_passes_for_every_way_of_being_paid(world, seller):
    report = peppol.validate(world_invoice(world, **seller))
    assert report.is_clean, str(report)


def test_the_validator_catches_a_missing_buyer_reference(world):
    broken = re.sub(rb"<cbc:BuyerReference>.*?</cbc:BuyerReference>", b"", world_invoice(world))
    assert "PEPPOL-EN16931-R003" in {f.rule for f in peppol.validate(broken).fatal}


def test_the_validator_catches_a_negative_unit_price(world):
    broken = world_invoice(world).replace(
        b'<cbc:PriceAmount currencyID="SEK">', b'<cbc:PriceAmount currencyID="SEK">-', 1
    )
    assert "BR-27" in {f.rule for f in peppol.validate(broken).fatal}


def test_the_validator_catches_an_unknown_identifier_scheme(world):
    broken = world_invoice(world).replace(b'schemeID="0007"', b'schemeID="9999"')
    assert "PEPPOL-EN16931-CL008" in {f.rule for f in peppol.validate(broken).fatal}


def test_the_validator_catches_a_wrong_f_skatt_text_and_a_bankgiro_of_the_wrong_length(world):
    xml = world_invoice(world, bankgiro="5050-1055", f_skatt=True)
    broken = xml.replace("Godkänd för F-skatt".encode(), b"F-skatt").replace(
        b">50501055<", b">505010550<"
    )
    report = peppol.validate(broken)
    assert "SE-R-005" in {f.rule for f in report.fatal}
    assert "SE-R-009" in {f.rule for f in report.warnings}


def test_the_validator_catches_a_schema_error(world):
    broken = (
        world_invoice(world)
        .replace(b"<cbc:IssueDate>", b"<cbc:IssueDay>")
        .replace(b"</cbc:IssueDate>", b"</cbc:IssueDay>")
    )
    report = peppol.validate(broken)
    assert report.fatal and {f.rule for f in report.fatal} == {"XSD"}
