"""The authentication backend that loads the signed-in user with what every page shows.

The base layout shows the user's organisation and a menu by role on every page: loaded
lazily, those are two queries after the user's own. Here the user comes with both in one
query: the organisation joined, and the names of the user's groups (the roles) by a
correlated subquery, which fill the cache `User.roles()` reads.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db import connection
from django.db.models.expressions import RawSQL

from .models import User


def _group_names() -> RawSQL:
    """The user's group names as one comma-separated text, by a correlated subquery: one
    plain expression, which costs less to compile than a subquery per role."""
    through = User.groups.through._meta.db_table
    aggregate = "string_agg" if connection.vendor == "postgresql" else "group_concat"
    # Built from table names only, never from input.
    return RawSQL(  # noqa: S611
        f"SELECT {aggregate}(g.name, ',') FROM auth_group g JOIN {through} ug "  # noqa: S608
        f"ON ug.group_id = g.id WHERE ug.user_id = {User._meta.db_table}.id",
        (),
    )


def load_user(user_id: Any) -> User | None:
    """The user with organisation and roles, in one query; None when there is none."""
    user = (
        User._default_manager.select_related("organisation")
        .annotate(group_names=_group_names())
        .filter(pk=user_id)
        .first()
    )
    if user is not None:
        names = getattr(user, "group_names", None) or ""
        user.set_roles(set(names.split(",")) if names else set())
    return user


class UserBackend(ModelBackend):
    """Django's model backend (password sign-in), loading the user as above."""

    def get_user(self, user_id: Any) -> User | None:
        user = load_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
