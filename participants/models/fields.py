"""Field definitions several participant models share."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from partnerships.models import Organisation


def source_organisation_field(
    verbose_name: Any = None, *, editable: bool = False
) -> models.ForeignKey[Organisation | None, Organisation | None]:
    """The organisation that wrote a piece of information about a participant: another
    organisation sees it only while the participant's consent from this one covers it
    (participants.access). Stamped by the verbs, never typed in."""
    return models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=editable,
        related_name="+",
        verbose_name=verbose_name or _("registrerad av organisation"),
    )
