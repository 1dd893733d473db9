"""Write an agreement's invoice basis for a year as PDF or as a PEPPOL BIS 3.0 UBL file."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from iop.audit import AuditContext
from partnerships.models import Agreement, format_sek
from reporting.actions import latest_or_issue
from reporting.figures import billings
from reporting.ubl import document_xml


class Command(BaseCommand):
    help = (
        "Skriver fakturaunderlaget för en överenskommelse och ett år till en fil. Finns inget "
        "utfärdat underlag för året utfärdas ett (numrerat och daterat i dag)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "agreement", help="Överenskommelsens kortnamn, till exempel bromodellen."
        )
        parser.add_argument("year", type=int)
        parser.add_argument("-o", "--output", required=True, help="Filen som ska skrivas.")
        parser.add_argument(
            "--format",
            choices=("pdf", "ubl"),
            default="pdf",
            help="pdf (standard) eller ubl (e-faktura, XML).",
        )
        parser.add_argument(
            "--seller",
            default="",
            help="Säljarens organisationsnummer när flera fakturerar (standard: den första).",
        )

    def handle(
        self, *args, agreement: str, year: int, output: str, format: str, seller: str, **options
    ) -> None:
        try:
            found = Agreement.objects.get(short_id=agreement)
        except Agreement.DoesNotExist as exc:
            raise CommandError(
                f"Det finns ingen överenskommelse med kortnamnet ”{agreement}”."
            ) from exc
        billing = None
        if seller:
            billing = next(
                (b for b in billings(found) if b.seller.organisation.org_number == seller), None
            )
            if billing is None:
                raise CommandError(f"{seller} fakturerar inte i överenskommelsen.")
        try:
            basis, created = latest_or_issue(
                agreement=found, year=year, billing=billing, audit=AuditContext.system()
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        if format == "ubl":
            Path(output).write_bytes(document_xml(basis))
        else:
            Path(output).write_bytes(bytes(basis.pdf or b""))
        verb = "utfärdat" if created else "befintligt"
        self.stdout.write(
            f"Fakturaunderlag {basis.number} ({verb}, {basis.figures['buyer']['name']}, "
            f"{format_sek(basis.amount)}) skrivet till {output}."
        )
