"""Retention: pseudonymise participants whose last exit is older than the retention period.

Name, personnummer and free-text notes are removed; codes, dates, outcomes, genders and
counts stay, so that statistics and annual reports remain right. A dry run (the default)
lists what would be done; --apply does it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from iop.audit import AuditContext
from participants.actions import pseudonymise, retention_candidates


class Command(BaseCommand):
    help = "Avidentifierar deltagare vars avslut är äldre än gallringsfristen (torrkörning som standard)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--years",
            type=int,
            default=getattr(settings, "PARTICIPANT_RETENTION_YEARS", 5),
            help="Gallringsfrist i år efter sista avslut (standard: inställningen PARTICIPANT_RETENTION_YEARS, 5).",
        )
        parser.add_argument("--apply", action="store_true", help="Utför avidentifieringen.")

    def handle(self, *args, years: int, apply: bool, **options) -> None:
        candidates = list(retention_candidates(years=years).order_by("code"))
        for participant in candidates:
            self.stdout.write(f"  {participant.code}")
        if not apply:
            self.stdout.write(
                f"Torrkörning: {len(candidates)} deltagare skulle avidentifieras "
                f"(avslut äldre än {years} år). Kör med --apply för att utföra."
            )
            return
        count = pseudonymise(user=None, audit=AuditContext.system(), participants=candidates)
        self.stdout.write(self.style.SUCCESS(f"{count} deltagare avidentifierade."))
