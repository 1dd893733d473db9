"""The authentication backend that loads the signed-in user with what every page shows.

The base layout shows the user's organisation and a menu by role on every page: loaded
lazily, those are two queries after the user's own. Here the user comes with both in one
query: the organisation joined, and one EXISTS per role (a handful of index lookups on the
user's group memberships) that fills the cache `User.roles()` reads.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db.models import Exists, OuterRef

from iop.roles import Role

from .models import User


def _role_flag(role: str) -> str:
    return f"has_role_{role}"


def load_user(user_id: Any) -> User | None:
    """The user with organisation and roles, in one query; None when there is none."""
    memberships = User.groups.through.objects.filter(user_id=OuterRef("pk"))
    flags = {_role_flag(r): Exists(memberships.filter(group__name=r)) for r in Role.values}
    user = (
        User._default_manager.select_related("organisation")
        .annotate(**flags)
        .filter(pk=user_id)
        .first()
    )
    if user is not None:
        user.set_roles({r for r in Role.values if getattr(user, _role_flag(r))})
    return user


class UserBackend(ModelBackend):
    """Django's model backend (password sign-in), loading the user as above."""

    def get_user(self, user_id: Any) -> User | None:
        user = load_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
