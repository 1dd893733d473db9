"""Validate e-invoices against the UBL 2.1 schema and the EN 16931 + PEPPOL BIS 3.0 rules
(with the Swedish ones), offline: UBL files given by name, or every issued invoice basis.

Needs `saxonche` (a development dependency) to run the rules.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reporting import peppol
from reporting.models import InvoiceBasis
from reporting.ubl import invoice_xml


class Command(BaseCommand):
    help = (
        "Kontrollerar e-fakturor (UBL) mot UBL 2.1-schemat och reglerna i EN 16931 och "
        "PEPPOL BIS 3.0 med de svenska reglerna. Anger filer, eller --issued för alla "
        "utfärdade fakturaunderlag."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", help="UBL-filer (XML) att kontrollera.")
        parser.add_argument(
            "--issued", action="store_true", help="Kontrollera alla utfärdade fakturaunderlag."
        )

    def handle(self, *args, files: list[str], issued: bool, **options) -> None:
        documents = [(name, Path(name).read_bytes()) for name in files]
        if issued:
            documents += [
                (
                    basis.number,
                    invoice_xml(basis.figures, number=basis.number, issued_on=basis.issued_on),
                )
                for basis in InvoiceBasis.objects.order_by("pk")
            ]
        if not documents:
            raise CommandError("Ange UBL-filer eller --issued.")
        failing = 0
        for name, xml in documents:
            report = peppol.validate(xml)
            if report.is_clean:
                self.stdout.write(f"{name}: godkänd (0 fel, 0 varningar)")
                continue
            failing += 1
            self.stdout.write(
                f"{name}: {len(report.fatal)} fel, {len(report.warnings)} varningar\n{report}"
            )
        if failing:
            raise CommandError(f"{failing} av {len(documents)} dokument klarar inte reglerna.")
