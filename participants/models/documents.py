"""A participant's documents (a scanned consent form, a certificate): archived in the
partnerships' document archive as personal documents, and reached only through the
participant, where consent applies and every read is logged."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from partnerships.models import Document


class ParticipantDocument(models.Model):
    participant = models.ForeignKey(
        # By name: participants/models/__init__.py imports this module (no import circle).
        "participants.Participant",
        on_delete=models.PROTECT,
        related_name="documents",
        verbose_name=_("deltagare"),
    )
    document = models.OneToOneField(
        Document,
        on_delete=models.PROTECT,
        related_name="participant_link",
        verbose_name=_("dokument"),
    )

    class Meta:
        verbose_name = _("deltagares dokument")
        verbose_name_plural = _("deltagares dokument")

    def __str__(self) -> str:
        return str(self.document)
