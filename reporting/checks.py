"""`check --deploy`: warn when demo logins are present (reporting owns load_demo)."""

from __future__ import annotations

from typing import Any

from django.core.checks import Tags, Warning, register
from django.db import DatabaseError
from django_otp.plugins.otp_totp.models import TOTPDevice

from iop.demo import demo_totp_key
from partnerships.demo import DEMO_PASSWORD, DEMO_USERS
from partnerships.models import User


def demo_logins() -> list[str]:
    """Usernames that sign in with the published demo key or the published password."""
    found = set(
        TOTPDevice.objects.filter(key=demo_totp_key()).values_list("user__username", flat=True)
    )
    names = [username for username, *_rest in DEMO_USERS]
    for user in User.objects.filter(username__in=names, is_active=True):
        if user.check_password(DEMO_PASSWORD):
            found.add(user.username)
    return sorted(found)


@register(Tags.security, deploy=True)
def check_no_demo_logins(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    try:
        found = demo_logins()
    except DatabaseError:
        # No database yet (or not migrated): nothing can be signed in to either.
        return []
    if not found:
        return []
    return [
        Warning(
            "Demoinloggningar finns i databasen: " + ", ".join(found) + ".",
            hint=(
                "Demoanvändarna har ett publicerat lösenord och en publicerad nyckel för "
                "andra faktorn. Inaktivera eller ta bort dem innan tjänsten öppnas."
            ),
            id="reporting.W001",
        )
    ]
