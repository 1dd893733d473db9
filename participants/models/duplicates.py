"""Duplicate suspicions: a personnummer typed for a new or edited participant that another
participant already holds.

The user who typed it is told only "kan inte registreras – kontakta administratören"
(participants/duplicates.py); whether and where the person exists is for an administrator
to find out. A case therefore records *who* ran into *which* existing participant, never
the typed personnummer (it is the existing participant's, and stays with that record).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnerships.models import Agreement, Organisation


class DuplicateSuspicionQuerySet(models.QuerySet):
    def open(self) -> DuplicateSuspicionQuerySet:
        return self.filter(resolved_at__isnull=True)

    def reported_by_since(self, user_id: int, since) -> DuplicateSuspicionQuerySet:
        return self.filter(reported_by_id=user_id, reported_at__gte=since)


class DuplicateSuspicion(models.Model):
    class Source(models.TextChoices):
        REGISTRATION = "registration", _("Registrering")
        EDIT = "edit", _("Ändrade uppgifter")
        IMPORT = "import", _("Import")

    class Resolution(models.TextChoices):
        SAME_PERSON = "same_person", _("Samma person: hanteras med samtycke och inskrivning")
        TYPING_ERROR = "typing_error", _("Felskrivet personnummer")
        NOT_PURSUED = "not_pursued", _("Ingen åtgärd")

    existing = models.ForeignKey(
        "participants.Participant",
        on_delete=models.CASCADE,
        related_name="duplicate_suspicions",
        verbose_name=_("befintlig deltagare"),
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("användare"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("partnerskap"),
    )
    source = models.CharField(_("var"), max_length=20, choices=Source.choices)
    reported_at = models.DateTimeField(_("tidpunkt"), default=timezone.now)
    resolution = models.CharField(
        _("utfall"), max_length=20, choices=Resolution.choices, blank=True
    )
    resolution_note = models.CharField(
        _("kommentar"),
        max_length=300,
        blank=True,
        help_text=_("Skriv inga personuppgifter här."),
    )
    resolved_at = models.DateTimeField(_("hanterad"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("hanterad av"),
    )

    objects = DuplicateSuspicionQuerySet.as_manager()

    class Meta:
        ordering = ["-reported_at", "-pk"]
        verbose_name = _("dubblettmisstanke")
        verbose_name_plural = _("dubblettmisstankar")
        indexes = [
            models.Index(fields=["reported_by", "reported_at"]),
            models.Index(fields=["resolved_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True, resolution="")
                | Q(resolved_at__isnull=False) & ~Q(resolution=""),
                name="duplicate_suspicion_resolved_with_outcome",
                violation_error_message=_("Ett hanterat ärende ska ha ett utfall."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reported_at:%Y-%m-%d %H:%M} {self.existing_id}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None
