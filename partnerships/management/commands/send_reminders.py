"""Send e-mail reminders of coming deadlines. Meant to run once a day (cron, systemd timer).

python manage.py send_reminders               # IOP_REMINDER_DAYS_AHEAD days ahead
python manage.py send_reminders --days 30 --dry-run
"""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from partnerships.models import Role
from partnerships.reminders import DEFAULT_REMINDER_ROLES, due_reminders, send_reminder


class Command(BaseCommand):
    help = "Skickar e-postpåminnelser om tidsgränser som närmar sig, högst en gång per tidsgräns."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Hur många dagar i förväg (standard: inställningen IOP_REMINDER_DAYS_AHEAD).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Visa vad som skulle skickas utan att skicka eller registrera något.",
        )
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            default=None,
            help="Räkna som om det vore detta datum (ÅÅÅÅ-MM-DD).",
        )
        parser.add_argument(
            "--roles",
            default=",".join(DEFAULT_REMINDER_ROLES),
            help="Vilka roller som får påminnelser, kommaseparerade (standard: manager).",
        )

    def handle(self, *args, **options) -> None:
        days = options["days"]
        if days is None:
            days = getattr(settings, "IOP_REMINDER_DAYS_AHEAD", 14)
        if days < 0:
            raise CommandError("--days kan inte vara negativt.")
        roles = tuple(r.strip() for r in options["roles"].split(",") if r.strip())
        unknown = set(roles) - set(Role.values)
        if unknown:
            raise CommandError(f"Okända roller: {', '.join(sorted(unknown))}")
        today = options["today"] or timezone.localdate()
        sent = 0
        for reminder in due_reminders(today=today, days_ahead=days, roles=roles):
            if options["dry_run"]:
                self.stdout.write(f"{reminder.user.email}:")
                for d in reminder.deadlines:
                    self.stdout.write(f"  {d.date.isoformat()} {d.key} {d.title}")
                sent += 1
            elif send_reminder(reminder, today=today):
                sent += 1
        verb = "skulle få" if options["dry_run"] else "fick"
        self.stdout.write(self.style.SUCCESS(f"{sent} användare {verb} en påminnelse."))
