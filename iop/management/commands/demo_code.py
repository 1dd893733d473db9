"""Print the current sign-in code for the demo users (their shared, published demo key)."""

from django.core.management.base import BaseCommand
from django_otp.oath import TOTP

from iop.demo import DEMO_TOTP_SECRET, demo_totp_key
from iop.demo_guard import add_allow_argument, refuse_outside_development


class Command(BaseCommand):
    help = "Skriver ut den aktuella engångskoden för demoanvändarna (demonyckeln, inget annat)."

    def add_arguments(self, parser) -> None:
        add_allow_argument(parser)

    def handle(self, *args, **options) -> None:
        refuse_outside_development(self, options)
        totp = TOTP(bytes.fromhex(demo_totp_key()))
        seconds_left = 30 - int(totp.time) % 30
        self.stdout.write(f"{totp.token():06d}")
        self.stderr.write(
            f"Koden gäller i {seconds_left} sekunder till och fungerar en gång per användare. "
            f"Demonyckel för en autentiseringsapp: {DEMO_TOTP_SECRET}"
        )
