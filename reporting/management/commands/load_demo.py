"""Load the demo data: the three seed partnerships and one login per role.

Each app contributes a `demo` step (a module with `load(ctx)`); this command runs them in
order inside one transaction, so a failure leaves nothing half-loaded. Running it again
replaces the demo data instead of duplicating it. It lives in reporting, the top app,
because only the top app may name every other one.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from iop import demo as iop_demo
from iop.demo_guard import add_allow_argument, refuse_outside_development
from iop.roles import Role
from participants import demo as participants_demo
from participants import demo_casework as participants_demo_casework
from participants import demo_funder as participants_demo_funder
from participants import demo_teams as participants_demo_teams
from partnerships import demo as partnerships_demo
from partnerships import demo_followup as partnerships_demo_followup
from partnerships import demo_governance as partnerships_demo_governance
from partnerships.demo import DEMO_PASSWORD, DEMO_USERS, DemoContext
from reporting import demo as reporting_demo
from reporting import demo_dashboards as reporting_demo_dashboards
from reporting import demo_final as reporting_demo_final
from reporting import demo_network as reporting_demo_network

# Order matters: later steps build on what earlier ones created.
DEMO_STEPS = [
    partnerships_demo,
    partnerships_demo_followup,
    partnerships_demo_governance,
    participants_demo,
    participants_demo_casework,
    participants_demo_funder,
    participants_demo_teams,
    reporting_demo_dashboards,
    reporting_demo,
    reporting_demo_final,
    reporting_demo_network,
    iop_demo,
]


class Command(BaseCommand):
    help = "Laddar demodata: tre partnerskap, påhittade personer och en inloggning per roll."

    def add_arguments(self, parser) -> None:
        add_allow_argument(parser)

    def handle(self, *args, **options) -> None:
        refuse_outside_development(self, options)
        ctx = DemoContext()
        with transaction.atomic():
            for module in DEMO_STEPS:
                module.load(ctx)
                self.stdout.write(f"  {module.__name__}: klart")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demodata laddad. Inloggningar (lösenord för alla: {DEMO_PASSWORD}):"
            )
        )
        for username, _first, _last, org_key, role in DEMO_USERS:
            org = ctx.organisations[org_key].name if org_key else "–"
            # The README's table of demo logins shows the same three columns (tested).
            self.stdout.write(f"  {username:<18} {str(Role(role).label):<22} {org}")
        self.stdout.write(
            "Andra faktorn: lägg in demonyckeln IOPDEMOIOPDEMOIOPDEMOIOPDEMOIOPD i en "
            "autentiseringsapp, eller skriv ut aktuell kod med `python manage.py demo_code`."
        )
