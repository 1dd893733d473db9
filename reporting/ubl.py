"""The invoice basis as a PEPPOL BIS Billing 3.0 invoice (UBL 2.1 XML).

IOP funding is a grant, outside the scope of VAT: every line and the tax total use VAT
category "O" with no tax amount. The buyer's reference code goes in BuyerReference (BT-10,
mandatory in PEPPOL), the marking text with the period in the note.

Payment follows the Swedish PEPPOL rules (SE-R-007…012): credit transfer (code 30) to the
seller's Bankgiro or Plusgiro, the account as digits with `SE:BANKGIRO`/`SE:PLUSGIRO` as
the branch id, the OCR number or basis number as the payment id. No price is ever negative
(BR-27): a line that gives money back is a negative quantity at a positive price.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

from lxml import etree

from .payment import payment_details

INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
NSMAP = {None: INVOICE_NS, "cac": CAC, "cbc": CBC}

CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
CURRENCY = "SEK"
PAYMENT_MEANS_CREDIT_TRANSFER = "30"
F_SKATT = "Godkänd för F-skatt"
# ISO 6523 scheme for Swedish organisation numbers, and for GLN.
SCHEME_ORG_NUMBER = "0007"
SCHEME_GLN = "0088"


def _cbc(parent: etree._Element, name: str, text: Any = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{CBC}}}{name}", **attrs)
    if text is not None:
        element.text = str(text)
    return element


def _cac(parent: etree._Element, name: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{CAC}}}{name}")


def _money(parent: etree._Element, name: str, amount: Decimal | str) -> None:
    _cbc(parent, name, f"{Decimal(str(amount)):.2f}", currencyID=CURRENCY)


def _digits(org_number: str) -> str:
    return re.sub(r"\D", "", org_number)


def _endpoint(org: dict[str, str]) -> tuple[str, str]:
    """(scheme, id) of the party's electronic address: its PEPPOL-ID or its org. number."""
    if org.get("peppol_id") and ":" in org["peppol_id"]:
        scheme, value = org["peppol_id"].split(":", 1)
        return scheme, value
    return SCHEME_ORG_NUMBER, _digits(org["org_number"])


def _party(parent: etree._Element, org: dict[str, Any], *, f_skatt: bool = False) -> None:
    party = _cac(parent, "Party")
    scheme, value = _endpoint(org)
    _cbc(party, "EndpointID", value, schemeID=scheme)
    if org.get("gln"):
        ident = _cac(party, "PartyIdentification")
        _cbc(ident, "ID", org["gln"], schemeID=SCHEME_GLN)
    name = _cac(party, "PartyName")
    _cbc(name, "Name", org["name"])
    address = _cac(party, "PostalAddress")
    if org.get("street_address"):
        _cbc(address, "StreetName", org["street_address"])
    if org.get("city"):
        _cbc(address, "CityName", org["city"])
    if org.get("postal_code"):
        _cbc(address, "PostalZone", org["postal_code"].replace(" ", ""))
    country = _cac(address, "Country")
    _cbc(country, "IdentificationCode", "SE")
    if f_skatt:
        # The seller's tax registration (BT-32), not a VAT number: SE-R-005.
        tax = _cac(party, "PartyTaxScheme")
        _cbc(tax, "CompanyID", F_SKATT)
        _cbc(_cac(tax, "TaxScheme"), "ID", "TAX")
    legal = _cac(party, "PartyLegalEntity")
    _cbc(legal, "RegistrationName", org["name"])
    _cbc(legal, "CompanyID", _digits(org["org_number"]), schemeID=SCHEME_ORG_NUMBER)


def _tax_category(parent: etree._Element, name: str, *, with_reason: bool) -> None:
    category = _cac(parent, name)
    _cbc(category, "ID", "O")
    if with_reason:
        _cbc(category, "TaxExemptionReasonCode", "VATEX-EU-O")
        _cbc(category, "TaxExemptionReason", "Not subject to VAT")
    scheme = _cac(category, "TaxScheme")
    _cbc(scheme, "ID", "VAT")


def _payment_means(parent: etree._Element, payment: dict[str, Any]) -> None:
    """One credit transfer per account the seller has: Bankgiro or Plusgiro, then IBAN."""
    accounts = []
    if payment["bankgiro"]:
        accounts.append((_digits(payment["bankgiro"]), "SE:BANKGIRO"))
    elif payment["plusgiro"]:
        accounts.append((_digits(payment["plusgiro"]), "SE:PLUSGIRO"))
    if payment["iban"]:
        accounts.append((payment["iban"], payment["bic"]))
    for account, branch in accounts:
        means = _cac(parent, "PaymentMeans")
        _cbc(means, "PaymentMeansCode", PAYMENT_MEANS_CREDIT_TRANSFER)
        if payment["reference"]:
            _cbc(means, "PaymentID", payment["reference"])
        financial_account = _cac(means, "PayeeFinancialAccount")
        _cbc(financial_account, "ID", account)
        if branch:
            _cbc(_cac(financial_account, "FinancialInstitutionBranch"), "ID", branch)


def _document_line(
    root: etree._Element, position: int, name: str, amount: Decimal, *, credit: bool = False
) -> None:
    element = _cac(root, "CreditNoteLine" if credit else "InvoiceLine")
    _cbc(element, "ID", position)
    # A refund, correction or downward index adjustment gives a negative line: a negative
    # quantity, never a negative price (BR-27).
    quantity = "CreditedQuantity" if credit else "InvoicedQuantity"
    _cbc(element, quantity, "-1" if amount < 0 else "1", unitCode="C62")
    _money(element, "LineExtensionAmount", amount)
    item = _cac(element, "Item")
    _cbc(item, "Name", name[:200])
    _tax_category(item, "ClassifiedTaxCategory", with_reason=False)
    price = _cac(element, "Price")
    _money(price, "PriceAmount", abs(amount))


def _lines_to_send(figures: dict[str, Any]) -> list[tuple[str, Decimal]]:
    """(name, amount) of every line of the document: the cost lines with an amount (at
    least one: a document needs one), then the index adjustments the basis carries."""
    marking = figures["marking"]
    cost_lines = [
        line for line in figures["lines"] if Decimal(str(line["party_share"])) != 0
    ] or figures["lines"][:1]
    return [
        (f"{line['description']} ({marking})", Decimal(str(line["party_share"])))
        for line in cost_lines
    ] + [
        (f"{a['description']} ({marking})", Decimal(str(a["amount"])))
        for a in figures.get("index_adjustments") or []
    ]


def invoice_xml(figures: dict[str, Any], *, number: str, issued_on: datetime.date) -> bytes:
    """The UBL 2.1 invoice for a (frozen) invoice basis."""
    amount = Decimal(str(figures["amount"]))
    payment = payment_details(figures, number=number, issued_on=issued_on)
    root = etree.Element(f"{{{INVOICE_NS}}}Invoice", nsmap=NSMAP)
    _cbc(root, "CustomizationID", CUSTOMIZATION_ID)
    _cbc(root, "ProfileID", PROFILE_ID)
    _cbc(root, "ID", number)
    _cbc(root, "IssueDate", issued_on.isoformat())
    _cbc(root, "DueDate", payment["due_on"].isoformat())
    _cbc(root, "InvoiceTypeCode", "380")
    _cbc(root, "Note", figures.get("note") or figures["marking"])
    _cbc(root, "DocumentCurrencyCode", CURRENCY)
    _cbc(root, "BuyerReference", figures["buyer_reference"])
    period = _cac(root, "InvoicePeriod")
    _cbc(period, "StartDate", figures["period_start"])
    _cbc(period, "EndDate", figures["period_end"])
    if figures["agreement"].get("decision_reference"):
        contract = _cac(root, "ContractDocumentReference")
        _cbc(contract, "ID", figures["agreement"]["decision_reference"])
    _party(_cac(root, "AccountingSupplierParty"), figures["seller"], f_skatt=payment["f_skatt"])
    _party(_cac(root, "AccountingCustomerParty"), figures["buyer"])
    _payment_means(root, payment)
    terms = _cac(root, "PaymentTerms")
    _cbc(terms, "Note", f"{payment['terms_days']} dagar netto")

    tax_total = _cac(root, "TaxTotal")
    _money(tax_total, "TaxAmount", "0")
    subtotal = _cac(tax_total, "TaxSubtotal")
    _money(subtotal, "TaxableAmount", amount)
    _money(subtotal, "TaxAmount", "0")
    _tax_category(subtotal, "TaxCategory", with_reason=True)

    lines = _lines_to_send(figures)
    line_total = sum((line_amount for _name, line_amount in lines), Decimal("0"))
    totals = _cac(root, "LegalMonetaryTotal")
    _money(totals, "LineExtensionAmount", line_total)
    _money(totals, "TaxExclusiveAmount", amount)
    _money(totals, "TaxInclusiveAmount", amount)
    _money(totals, "PayableAmount", amount)

    for position, (name, line_amount) in enumerate(lines, start=1):
        _document_line(root, position, name, line_amount)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"


def credit_note_xml(figures: dict[str, Any], *, number: str, issued_on: datetime.date) -> bytes:
    """The UBL 2.1 credit note (PEPPOL BIS Billing 3.0, type 381) for a frozen credit note:
    positive amounts, the credited invoice in BillingReference (BT-25, BT-26)."""
    amount = Decimal(str(figures["amount"]))
    root = etree.Element(
        f"{{{CREDIT_NOTE_NS}}}CreditNote", nsmap={None: CREDIT_NOTE_NS, "cac": CAC, "cbc": CBC}
    )
    _cbc(root, "CustomizationID", CUSTOMIZATION_ID)
    _cbc(root, "ProfileID", PROFILE_ID)
    _cbc(root, "ID", number)
    _cbc(root, "IssueDate", issued_on.isoformat())
    _cbc(root, "CreditNoteTypeCode", "381")
    note = figures.get("note") or figures["marking"]
    _cbc(root, "Note", f"{note} – {figures.get('credit_reason', '')}".strip(" –"))
    _cbc(root, "DocumentCurrencyCode", CURRENCY)
    _cbc(root, "BuyerReference", figures["buyer_reference"])
    period = _cac(root, "InvoicePeriod")
    _cbc(period, "StartDate", figures["period_start"])
    _cbc(period, "EndDate", figures["period_end"])
    billing = _cac(_cac(root, "BillingReference"), "InvoiceDocumentReference")
    _cbc(billing, "ID", figures["credit_of"]["number"])
    _cbc(billing, "IssueDate", figures["credit_of"]["issued_on"])
    if figures["agreement"].get("decision_reference"):
        contract = _cac(root, "ContractDocumentReference")
        _cbc(contract, "ID", figures["agreement"]["decision_reference"])
    _party(_cac(root, "AccountingSupplierParty"), figures["seller"])
    _party(_cac(root, "AccountingCustomerParty"), figures["buyer"])

    tax_total = _cac(root, "TaxTotal")
    _money(tax_total, "TaxAmount", "0")
    subtotal = _cac(tax_total, "TaxSubtotal")
    _money(subtotal, "TaxableAmount", amount)
    _money(subtotal, "TaxAmount", "0")
    _tax_category(subtotal, "TaxCategory", with_reason=True)

    lines = _lines_to_send(figures)
    line_total = sum((line_amount for _name, line_amount in lines), Decimal("0"))
    totals = _cac(root, "LegalMonetaryTotal")
    _money(totals, "LineExtensionAmount", line_total)
    _money(totals, "TaxExclusiveAmount", amount)
    _money(totals, "TaxInclusiveAmount", amount)
    _money(totals, "PayableAmount", amount)

    for position, (name, line_amount) in enumerate(lines, start=1):
        _document_line(root, position, name, line_amount, credit=True)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def document_xml(basis: Any) -> bytes:
    """The UBL document of an issued basis: an invoice, or a credit note."""
    make = credit_note_xml if basis.figures.get("credit_of") else invoice_xml
    return make(basis.figures, number=basis.number, issued_on=basis.issued_on)
