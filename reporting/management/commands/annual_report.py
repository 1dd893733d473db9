"""Render an agreement's annual report for a year to a PDF file, for automation."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from partnerships.models import Agreement
from reporting.annual import current_report
from reporting.documents import annual_report_pdf


class Command(BaseCommand):
    help = (
        "Skriver årsrapporten för en överenskommelse och ett år till en PDF-fil: den senaste "
        "versionen (den inlämnade PDF:en om rapporten är inlämnad, annars ett utkast)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "agreement", help="Överenskommelsens kortnamn, till exempel bromodellen."
        )
        parser.add_argument("year", type=int)
        parser.add_argument("-o", "--output", required=True, help="PDF-filen som ska skrivas.")

    def handle(self, *args, agreement: str, year: int, output: str, **options) -> None:
        try:
            found = Agreement.objects.get(short_id=agreement)
        except Agreement.DoesNotExist as exc:
            raise CommandError(
                f"Det finns ingen överenskommelse med kortnamnet ”{agreement}”."
            ) from exc
        try:
            report = current_report(found, year)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        pdf = bytes(report.pdf) if report.is_submitted and report.pdf else annual_report_pdf(report)
        Path(output).write_bytes(pdf)
        state = f"version {report.version}, inlämnad" if report.is_submitted else "utkast"
        self.stdout.write(f"Årsrapport {found.title} {year} ({state}) skriven till {output}.")
