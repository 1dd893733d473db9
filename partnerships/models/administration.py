"""User administration in the app: one-time invitation links and the administration log.

Every change an administrator or partnership manager makes to users and organisations
(invite, role, organisation, deactivate, reset of the second factor, new organisation)
is appended to the administration log. The log is append-only: the model refuses to
change or delete a saved row, its QuerySet refuses update() and delete(), the admin shows
it read-only, and on PostgreSQL and SQLite a trigger refuses UPDATE and DELETE.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .organisations import Organisation

APPEND_ONLY = _("Administrationsloggen kan bara utökas; rader ändras eller tas aldrig bort.")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise PermissionDenied(APPEND_ONLY)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionDenied(APPEND_ONLY)


class AdministrationLogEntry(models.Model):
    class Action(models.TextChoices):
        INVITED = "invited", _("Bjöd in användare")
        INVITATION_USED = "invitation_used", _("Inbjudan använd: lösenord och andra faktor")
        ROLE_CHANGED = "role_changed", _("Ändrade roll eller organisation")
        DEACTIVATED = "deactivated", _("Inaktiverade användare")
        REACTIVATED = "reactivated", _("Aktiverade användare igen")
        SECOND_FACTOR_RESET = "second_factor_reset", _("Återställde andra faktorn")
        ORGANISATION_CREATED = "organisation_created", _("Skapade organisation")

    at = models.DateTimeField(_("tidpunkt"), default=timezone.now, db_index=True)
    # PROTECT, not SET_NULL: clearing the column would be an UPDATE of a logged row.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("utförd av"),
    )
    actor_username = models.CharField(_("utförd av (användarnamn)"), max_length=150)
    actor_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("utförarens organisation"),
    )
    address = models.GenericIPAddressField(_("IP-adress"), null=True, blank=True)
    action = models.CharField(_("åtgärd"), max_length=30, choices=Action.choices)
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("användare"),
    )
    target_username = models.CharField(_("användarnamn"), max_length=150, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    details = models.CharField(_("detaljer"), max_length=500, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("rad i administrationsloggen")
        verbose_name_plural = _("administrationslogg")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username}: {self.get_action_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionDenied(APPEND_ONLY)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionDenied(APPEND_ONLY)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet):
    def usable(self) -> InvitationQuerySet:
        return self.filter(
            used_at__isnull=True, voided_at__isnull=True, expires_at__gt=timezone.now()
        )


class Invitation(models.Model):
    """A one-time link: whoever opens it sets the user's password and links an authenticator
    app in one step. Only the hash of the token is stored; a new link voids older ones."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("användare"),
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("skapad av"),
    )
    created_at = models.DateTimeField(_("skapad"), default=timezone.now)
    expires_at = models.DateTimeField(_("gäller till"))
    used_at = models.DateTimeField(_("använd"), null=True, blank=True)
    voided_at = models.DateTimeField(_("ogiltigförklarad"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("inbjudan")
        verbose_name_plural = _("inbjudningar")

    def __str__(self) -> str:
        return f"{self.user} ({self.created_at:%Y-%m-%d})"

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)
