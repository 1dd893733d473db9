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
