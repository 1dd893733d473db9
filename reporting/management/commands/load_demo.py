"""Load the demo data: the three seed partnerships and one login per role.

Each app contributes a `demo` step (a module with `load(ctx)`); this command runs them in
order inside one transaction, so a failure leaves nothing half-loaded. Running it again
replaces the demo data instead of duplicating it.
"""

import importlib

from django.core.management.base import BaseCommand
from django.db import transaction

from partnerships.demo import DEMO_PASSWORD, DEMO_USERS, DemoContext

# Order matters: later steps build on what earlier ones created.
DEMO_STEPS = [
    "partnerships.demo",
    "partnerships.demo_followup",
    "participants.demo",
    "reporting.demo_dashboards",
    "reporting.demo",
    "iop.demo",
]


class Command(BaseCommand):
    help = "Laddar demodata: tre partnerskap, påhittade personer och en inloggning per roll."

    def handle(self, *args, **options) -> None:
        ctx = DemoContext()
        with transaction.atomic():
            for name in DEMO_STEPS:
                try:
                    module = importlib.import_module(name)
                except ModuleNotFoundError as exc:
                    if exc.name != name:
                        raise
                    continue
                module.load(ctx)
                self.stdout.write(f"  {name}: klart")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demodata laddad. Inloggningar (lösenord för alla: {DEMO_PASSWORD}):"
            )
        )
        for username, _first, _last, org_key, role in DEMO_USERS:
            org = ctx.organisations[org_key].name if org_key else "–"
            self.stdout.write(f"  {username:<14} {role:<12} {org}")
        self.stdout.write(
            "Andra faktorn: lägg in demonyckeln IOPDEMOIOPDEMOIOPDEMOIOPDEMOIOPD i en "
            "autentiseringsapp, eller skriv ut aktuell kod med `python manage.py demo_code`."
        )
