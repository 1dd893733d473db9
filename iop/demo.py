"""Demo step: every demo login gets an authenticator with one shared, published key.

The key is public (it is in the README), which is fine for demo data and nowhere else:
a newcomer adds it to an authenticator app once, or prints the current code with
`manage.py demo_code`, and can then sign in as any demo user.
"""

from __future__ import annotations

from base64 import b32decode
from collections.abc import Mapping
from typing import Protocol

from django.contrib.auth.base_user import AbstractBaseUser
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice


class DemoUsers(Protocol):
    """What this step needs of the demo context: the logins the earlier steps made."""

    @property
    def users(self) -> Mapping[str, AbstractBaseUser]: ...


DEMO_TOTP_SECRET = "IOPDEMOIOPDEMOIOPDEMOIOPDEMOIOPD"


def demo_totp_key() -> str:
    """The demo secret as django-otp stores keys (hex)."""
    return b32decode(DEMO_TOTP_SECRET).hex()


def load(ctx: DemoUsers) -> None:
    for user in ctx.users.values():
        # Replace, don't add: the command must stay re-runnable.
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        TOTPDevice.objects.create(user=user, name="demo", key=demo_totp_key(), confirmed=True)
