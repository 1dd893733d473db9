"""Mark active agreements whose end date has passed as ended. Meant to run once a day
(cron, systemd timer), before send_reminders; running it twice changes nothing.

python manage.py end_expired_agreements
python manage.py end_expired_agreements --today 2026-01-01 --dry-run
"""

import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from iop.audit import AuditContext
from partnerships.actions import end_expired_agreements
from partnerships.models import Agreement


class Command(BaseCommand):
    help = "Avslutar gällande överenskommelser vars slutdatum har passerats, med en ny version."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            default=None,
            help="Räkna som om det vore detta datum (ÅÅÅÅ-MM-DD).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Visa vilka som skulle avslutas utan att ändra något.",
        )

    def handle(self, *args, today: datetime.date | None, dry_run: bool, **options) -> None:
        today = today or timezone.localdate()
        if dry_run:
            agreements = list(Agreement.objects.past_end(today).order_by("pk"))
        else:
            agreements = end_expired_agreements(today=today, audit=AuditContext.system())
        for agreement in agreements:
            self.stdout.write(f"{agreement.short_id}: {agreement.end_date.isoformat()}")
        verb = "skulle avslutas" if dry_run else "avslutade"
        self.stdout.write(f"{len(agreements)} överenskommelser {verb}.")
