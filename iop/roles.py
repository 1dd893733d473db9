"""The roles a user can hold. A role is a group whose name is the role's value."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The groups a user can belong to; the group names are these values."""

    COORDINATOR = "coordinator", _("Koordinator")
    # A caseworker of one of the agencies in a multi-agency team (Arbetsförmedlingen,
    # the municipality, Försäkringskassan, the region): works with the participants of
    # the team like a coordinator; starts on the caseload page.
    CASEWORKER = "caseworker", _("Handläggare")
    FINANCE = "finance", _("Ekonom")
    STEERING = "steering", _("Styrgrupp")
    MANAGER = "manager", _("Partnerskapsansvarig")
    ADMIN = "admin", _("Administratör")


# How far a role reaches when granting roles: nobody grants a role above their own.
ROLE_RANK = {
    Role.COORDINATOR: 1,
    Role.CASEWORKER: 1,
    Role.FINANCE: 1,
    Role.STEERING: 1,
    Role.MANAGER: 2,
    Role.ADMIN: 3,
}


def highest_rank(roles) -> int:
    return max((ROLE_RANK.get(Role(role), 0) for role in roles if role in Role.values), default=0)
