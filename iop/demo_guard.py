"""Demo data only where it belongs: development, or a test server someone chose on purpose.

The demo logins share a published password and a published authenticator key, so loading
them into a production database hands anyone an administrator's account. The demo
commands refuse when DEBUG is off unless the operator passes `--allow-demo-data`, and
`check --deploy` warns when a login with the published key is present.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

ALLOW_FLAG = "--allow-demo-data"


def add_allow_argument(parser: CommandParser) -> None:
    parser.add_argument(
        ALLOW_FLAG,
        action="store_true",
        dest="allow_demo_data",
        help="Kör även när DEBUG är av (en testserver, aldrig produktion).",
    )


def refuse_outside_development(command: BaseCommand, options: dict) -> None:
    """Raise CommandError unless DEBUG is on or the flag was given."""
    if settings.DEBUG or options.get("allow_demo_data"):
        return
    raise CommandError(
        "Demodata har ett publicerat lösenord och en publicerad nyckel för andra faktorn "
        "och hör inte hemma i produktion. Kommandot körs bara med DEBUG=true, eller med "
        f"{ALLOW_FLAG} på en testserver."
    )
