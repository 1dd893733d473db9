"""Issue 12: a finance office can be paid from the invoice basis (Bankgiro/Plusgiro,
payment reference, due date, F-skatt) on the PDF and in the UBL; a refund or correction
never becomes a negative unit price; a PEPPOL-ID's scheme comes from the official list."""

from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.urls import reverse
from lxml import etree
from pypdf import PdfReader
from stdnum import luhn

from partnerships.models import ActualCost, Organisation
from partnerships.validators import PEPPOL_EAS_CODES, ocr_number, validate_ocr
from reporting import peppol
from reporting.models import InvoiceBasis
from tests.factories.partnerships import CostLineFactory
from tests.io_helpers import (  # noqa: F401 - io_settings is an autouse fixture
    csv_bytes,
    import_file,
    io_settings,
)

pytestmark = pytest.mark.django_db

NS = {
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
}
ORGANISATION_FIELDS = {
    "name": "Förening A",
    "kind": "non_profit",
    "postal_code": "211 22",
    "payment_terms_days": "30",
}


def _edit_organisation(client, org: Organisation, **changes):
    data = {**ORGANISATION_FIELDS, "org_number": org.org_number, **changes}
    return client.post(f"/organisations/{org.pk}/edit/", data)


def _issue(client, world) -> InvoiceBasis:
    client.post(
        reverse("reporting:invoice_basis", args=[world.agreement_a.pk, 2026]),
        {"party": world.agreement_a.public_parties().get().pk},
    )
    return InvoiceBasis.objects.latest("pk")


def _ubl(client, basis: InvoiceBasis) -> bytes:
    return client.get(
        reverse("reporting:invoice_basis_ubl", args=[basis.agreement_id, basis.pk])
    ).content


def _pdf_text(client, basis: InvoiceBasis) -> str:
    pdf = client.get(
        reverse("reporting:invoice_basis_issued_pdf", args=[basis.agreement_id, basis.pk])
    )
    pages = PdfReader(io.BytesIO(pdf.content)).pages
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in pages))


def _set_payment(org: Organisation, **fields) -> None:
    for name, value in fields.items():
        setattr(org, name, value)
    org.full_clean()
    org.save()


# --------------------------------------------------------------------------- the seller


def test_manager_enters_bankgiro_terms_and_f_skatt_for_the_own_organisation(world, login):
    client = login(world.manager_a)
    response = _edit_organisation(
        client, world.org_a, bankgiro="50501055", payment_terms_days="20", f_skatt="on"
    )
    assert response.status_code == 302, response.context["form"].errors
    world.org_a.refresh_from_db()
    assert world.org_a.bankgiro == "5050-1055"
    assert world.org_a.payment_terms_days == 20 and world.org_a.f_skatt
    page = client.get(f"/organisations/{world.org_a.pk}/").content.decode()
    assert "5050-1055" in page and "Godkänd för F-skatt" in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("bankgiro", "5050-1056", "Bankgironumrets kontrollsiffra stämmer inte"),
        ("bankgiro", "123", "sju eller åtta siffror"),
        ("plusgiro", "90 20 90-1", "Plusgironumrets kontrollsiffra stämmer inte"),
        ("iban", "SE4550000000058398257467", "Ogiltigt IBAN"),
        ("peppol_id", "9999:2120000449", "Schemat 9999 finns inte i PEPPOL:s lista"),
    ],
)
def test_a_wrong_account_or_scheme_is_refused_at_its_field_and_nothing_saved(
    world, login, field, value, message
):
    client = login(world.manager_a)
    response = _edit_organisation(client, world.org_a, **{field: value})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {field}
    assert message in response.content.decode()
    world.org_a.refresh_from_db()
    assert getattr(world.org_a, field) == ""


def test_peppol_id_schemes_are_those_of_the_shared_peppol_rules():
    xslt = (Path(settings.SCHEMAS_DIR) / "peppol-bis-3" / "PEPPOL-EN16931-UBL.sch").read_text()
    listed = re.search(r'name="eaid"\s+value="tokenize\(\'([^\']*)\'', xslt)
    assert listed and set(listed[1].split()) == PEPPOL_EAS_CODES
    assert {"0007", "0088"} <= PEPPOL_EAS_CODES and "9999" not in PEPPOL_EAS_CODES


def test_an_ocr_number_carries_a_length_digit_and_a_luhn_check_digit():
    ocr = ocr_number("000122026")
    assert ocr == "000122026" + "1" + luhn.calc_check_digit("0001220261")
    assert luhn.is_valid(ocr)
    validate_ocr(ocr)
    wrong = ocr[:-1] + str((int(ocr[-1]) + 1) % 10)
    with pytest.raises(ValidationError, match="OCR-numrets kontrollsiffra stämmer inte"):
        validate_ocr(wrong)


def test_ocr_reference_needs_a_giro_number(world, login):
    response = _edit_organisation(login(world.manager_a), world.org_a, ocr_reference="on")
    assert set(response.context["form"].errors) == {"ocr_reference"}


# --------------------------------------------------------------------------- the basis


def test_issued_basis_tells_how_to_pay_on_the_pdf_and_in_the_ubl(world, login):
    _set_payment(world.org_a, bankgiro="5050-1055", ocr_reference=True, f_skatt=True)
    client = login(world.finance_a)
    basis = _issue(client, world)
    due = (basis.issued_on + datetime.timedelta(days=30)).isoformat()
    ocr = ocr_number(f"{basis.party_id:05d}" + "".join(c for c in basis.number if c.isdigit()))

    text = _pdf_text(client, basis)
    assert "Bankgiro 5050-1055" in text
    assert f"OCR-nummer {ocr}" in text
    assert f"Förfallodag {due}" in text
    assert "Godkänd för F-skatt" in text

    xml = _ubl(client, basis)
    doc = etree.fromstring(xml)
    assert doc.findtext("cbc:DueDate", namespaces=NS) == due
    means = doc.find("cac:PaymentMeans", NS)
    assert means.findtext("cbc:PaymentMeansCode", namespaces=NS) == "30"
    assert means.findtext("cbc:PaymentID", namespaces=NS) == ocr
    assert means.findtext("cac:PayeeFinancialAccount/cbc:ID", namespaces=NS) == "50501055"
    assert (
        means.findtext(
            "cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID", namespaces=NS
        )
        == "SE:BANKGIRO"
    )
    seller = doc.find("cac:AccountingSupplierParty/cac:Party", NS)
    assert (
        seller.findtext("cac:PartyTaxScheme/cbc:CompanyID", namespaces=NS) == "Godkänd för F-skatt"
    )
    report = peppol.validate(xml)
    assert report.is_clean, str(report)


def test_plusgiro_iban_and_the_number_as_reference_pass_the_swedish_rules(world, login):
    _set_payment(
        world.org_a,
        plusgiro="90 20 90-0",
        iban="SE45 5000 0000 0583 9825 7466",
        bic="ESSESESS",
        payment_terms_days=15,
    )
    client = login(world.finance_a)
    basis = _issue(client, world)
    xml = _ubl(client, basis)
    doc = etree.fromstring(xml)
    accounts = [
        (
            m.findtext("cac:PayeeFinancialAccount/cbc:ID", namespaces=NS),
            m.findtext(
                "cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID", namespaces=NS
            ),
            m.findtext("cbc:PaymentID", namespaces=NS),
        )
        for m in doc.iterfind("cac:PaymentMeans", NS)
    ]
    assert accounts == [
        ("9020900", "SE:PLUSGIRO", basis.number),
        ("SE4550000000058398257466", "ESSESESS", basis.number),
    ]
    assert (
        doc.findtext("cbc:DueDate", namespaces=NS)
        == (basis.issued_on + datetime.timedelta(days=15)).isoformat()
    )
    # No F-skatt statement unless the seller is approved for it.
    assert doc.find(".//cac:PartyTaxScheme", NS) is None
    assert "F-skatt" not in _pdf_text(client, basis)
    report = peppol.validate(xml)
    assert report.is_clean, str(report)


# --------------------------------------------------------------------------- refunds


def _actual_url(world) -> str:
    return f"/agreements/{world.agreement_a.pk}/budgets/2026/actuals/"


def test_a_negative_actual_cost_needs_a_reason(world, login):
    line = world.agreement_a.budgets.get().cost_lines.get()
    client = login(world.finance_a)
    refund = {"cost_line": line.pk, "date": "2026-03-01", "amount": "-2500", "voucher": "V-9"}
    response = client.post(_actual_url(world), refund)
    assert response.status_code == 400
    assert "ange orsaken" in response.content.decode()
    assert not ActualCost.objects.exists()
    response = client.post(_actual_url(world), {**refund, "reason": "Återbetald hyra mars"})
    assert response.status_code == 302
    assert ActualCost.objects.get().reason == "Återbetald hyra mars"


def test_the_database_refuses_an_unexplained_negative_cost_too(world):
    line = world.agreement_a.budgets.get().cost_lines.get()
    with pytest.raises(IntegrityError):
        ActualCost.objects.create(
            cost_line=line, date=datetime.date(2026, 3, 1), amount=Decimal("-1"), voucher="V-1"
        )


def test_an_imported_negative_cost_without_reason_is_refused(world, login):
    header = ["Överenskommelse", "År", "Kostnadspost", "Verifikation", "Datum", "Belopp"]
    rows = [header, ["iop-a", "2026", "Personal", "V-1", "2026-02-01", "-1 500,50"]]
    job = import_file(login(world.finance_a), "actual_costs", csv_bytes(rows))
    assert not ActualCost.objects.exists()
    assert "ange orsaken" in str(job.rows)


def test_a_refund_never_becomes_a_negative_unit_price(world, login):
    agreement = world.agreement_a
    agreement.pays_against_actuals = True
    agreement.save()
    budget = agreement.budgets.get()
    personnel = budget.cost_lines.get()
    premises = CostLineFactory.create(budget=budget, description="Lokaler", amount=Decimal("0"))
    ActualCost.objects.create(
        cost_line=personnel, date=datetime.date(2026, 2, 1), amount=Decimal("400000"), voucher="V-1"
    )
    ActualCost.objects.create(
        cost_line=premises,
        date=datetime.date(2026, 3, 1),
        amount=Decimal("-20000"),
        voucher="V-2",
        reason="Återbetald hyra för 2025",
    )
    client = login(world.finance_a)
    basis = _issue(client, world)
    assert basis.amount == Decimal("266000.00")  # 70 % of 380 000
    xml = _ubl(client, basis)
    doc = etree.fromstring(xml)
    prices = [Decimal(p) for p in doc.xpath("//cac:Price/cbc:PriceAmount/text()", namespaces=NS)]
    assert prices and min(prices) >= 0
    credit = [
        line
        for line in doc.iterfind("cac:InvoiceLine", NS)
        if Decimal(line.findtext("cbc:LineExtensionAmount", namespaces=NS)) < 0
    ]
    assert len(credit) == 1
    assert credit[0].findtext("cbc:InvoicedQuantity", namespaces=NS) == "-1"
    assert "Återbetald hyra för 2025" in _pdf_text(client, basis)
    report = peppol.validate(xml)
    assert report.is_clean, str(report)


def test_a_basis_frozen_before_payment_details_existed_still_gives_a_valid_ubl(world, login):
    client = login(world.finance_a)
    basis = _issue(client, world)
    for key in ("bankgiro", "plusgiro", "iban", "bic", "payment_terms_days", "ocr_reference"):
        basis.figures["seller"].pop(key)
    basis.figures["seller"].pop("f_skatt")
    basis.save()
    doc = etree.fromstring(_ubl(client, basis))
    assert (
        doc.findtext("cbc:DueDate", namespaces=NS)
        == (basis.issued_on + datetime.timedelta(days=30)).isoformat()
    )
    assert doc.find("cac:PaymentMeans", NS) is None
    assert peppol.validate(etree.tostring(doc)).is_clean
