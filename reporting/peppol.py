"""Validation of an e-invoice the way a Swedish public buyer's access point checks it.

Three layers, all offline: the UBL 2.1 schema (Invoice or CreditNote), the EN 16931
business rules (CEN) and the PEPPOL BIS Billing 3.0 rules with the Swedish national ones,
the last two as XSLT 2.0 compiled from Schematron, run with Saxon-HE (`saxonche`). Their
SVRL output lists every failed assertion with its rule id and flag (fatal or warning).

Compiling the two stylesheets takes seconds, so each is compiled once per process.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from lxml import etree

SVRL = "http://purl.oclc.org/dsdl/svrl"
ROOT_SCHEMAS = {
    "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2": "UBL-Invoice-2.1.xsd",
    "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2": "UBL-CreditNote-2.1.xsd",
}
RULE_SETS = ("CEN-EN16931-UBL.xslt", "PEPPOL-EN16931-UBL.xslt")


@dataclass(frozen=True)
class Finding:
    rule: str
    flag: str  # "fatal" or "warning" (the XSD layer reports "fatal")
    location: str
    text: str

    def __str__(self) -> str:
        return f"[{self.flag}] {self.rule} at {self.location}: {self.text}"


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)

    @property
    def fatal(self) -> list[Finding]:
        return [f for f in self.findings if f.flag == "fatal"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.flag != "fatal"]

    @property
    def is_clean(self) -> bool:
        """No fatal finding and no warning: what iop requires of every document it sends."""
        return not self.findings

    def rules(self) -> set[str]:
        return {f.rule for f in self.findings}

    def __str__(self) -> str:
        return "\n".join(str(f) for f in self.findings) or "no findings"


def schemas_dir() -> Path:
    return Path(settings.SCHEMAS_DIR)


@functools.cache
def _xsd(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(schemas_dir() / "ubl-2.1" / "maindoc" / name)))


@functools.cache
def _processor() -> Any:
    from saxonche import PySaxonProcessor

    return PySaxonProcessor(license=False)


@functools.cache
def _stylesheet(name: str) -> Any:
    compiler = _processor().new_xslt30_processor()
    return compiler.compile_stylesheet(stylesheet_file=str(schemas_dir() / "peppol-bis-3" / name))


def _schema_findings(document: etree._Element) -> list[Finding]:
    name = ROOT_SCHEMAS.get(etree.QName(document).namespace or "")
    if name is None:
        return [Finding("XSD", "fatal", "/", f"not a UBL invoice or credit note: {document.tag}")]
    schema = _xsd(name)
    if schema.validate(document):
        return []
    return [
        Finding("XSD", "fatal", f"line {error.line}", error.message)
        for error in schema.error_log  # type: ignore[attr-defined]
    ]


def _rule_findings(xml: bytes, stylesheet: str) -> list[Finding]:
    processor = _processor()
    node = processor.parse_xml(xml_text=xml.decode("utf-8"))
    svrl = _stylesheet(stylesheet).transform_to_string(xdm_node=node)
    output = etree.fromstring(svrl.encode("utf-8"))
    return [
        Finding(
            rule=failed.get("id", ""),
            flag=failed.get("flag", "fatal"),
            location=failed.get("location", ""),
            text=" ".join((failed.findtext(f"{{{SVRL}}}text") or "").split()),
        )
        # Today's rule sets only assert; a Schematron report with a flag counts the same.
        for failed in output.iter(f"{{{SVRL}}}failed-assert", f"{{{SVRL}}}successful-report")
    ]


def validate(xml: bytes) -> Report:
    """All findings of the schema and both rule sets for one UBL invoice or credit note.

    A document that breaks the schema is not run through the rules: they assume its shape.
    """
    document = etree.fromstring(xml)
    report = Report(_schema_findings(document))
    if report.findings:
        return report
    for stylesheet in RULE_SETS:
        report.findings.extend(_rule_findings(xml, stylesheet))
    return report
