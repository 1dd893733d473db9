"""Consent as a recorded document: the participant agrees that one organisation (the
holder of the information) may share information of some categories with another
organisation (the recipient), for a purpose, from one date to another.

A consent is directional: a consent from the social services to the employment service
says nothing about the employment service's notes. A consent whose holder and recipient
are the same organisation is the participant's consent to being registered there.
"""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnerships.models import Organisation
from partnerships.models.documents import document_storage


def random_scan_name(instance: Consent, filename: str) -> str:
    """A stored name nobody can guess; the scan is served only by the consent scan view."""
    return f"consents/{secrets.token_urlsafe(24)}"


class Category(models.TextChoices):
    """What a consent may cover; each stamped piece of information belongs to one."""

    IDENTITY = "identity", _("Namn och personnummer")
    NOTES = "notes", _("Kontakter: anteckningar, ämnen, personal, hänvisningar")
    PLAN = "plan", _("Handlingsplan och bedömningar")
    HEALTH = "health", _("Hälsouppgifter")
    INCOME = "income", _("Förmåner och inkomst")


# The boolean field of Consent for each category.
CATEGORY_FIELDS: dict[str, str] = {
    Category.IDENTITY: "share_identity",
    Category.NOTES: "share_notes",
    Category.PLAN: "share_plan",
    Category.HEALTH: "share_health",
    Category.INCOME: "share_income",
}


class ConsentMethod(models.TextChoices):
    WRITTEN = "written", _("Skriftligt, på blankett")
    ORAL = "oral", _("Muntligt, med vittne")
    # Only for consents registered before the document was required (data migration).
    UNRECORDED = "unrecorded", _("Ej angivet (registrerat före dokumentkravet)")


class ConsentQuerySet(models.QuerySet):
    def active_on(self, day: datetime.date) -> ConsentQuerySet:
        return self.filter(
            Q(given_on__lte=day),
            Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=day),
            Q(expires_on__isnull=True) | Q(expires_on__gte=day),
        )

    def covering(self, category: str) -> ConsentQuerySet:
        return self.filter(**{CATEGORY_FIELDS[category]: True})


def _documented(prefix: str = "") -> Q:
    """A written consent names its form or has its scan; an oral one names its witness."""
    method, reference, witness = (f"{prefix}method", f"{prefix}reference", f"{prefix}witness")
    named = ~Q(**{reference: ""}) if prefix else ~Q(reference="") | ~Q(scan="")
    written = Q(**{method: ConsentMethod.WRITTEN}) & named
    oral = Q(**{method: ConsentMethod.ORAL}) & ~Q(**{witness: ""})
    return written | oral


class Consent(models.Model):
    """What the participant lets the holder share with the recipient (`organisation`).

    Registered only by staff of the holder; a recipient never widens its own access."""

    participant = models.ForeignKey(
        "Participant",
        on_delete=models.CASCADE,
        related_name="consents",
        verbose_name=_("deltagare"),
    )
    holder = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="participant_consents_held",
        verbose_name=_("organisation som har uppgifterna"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="participant_consents",
        verbose_name=_("organisation som får ta del"),
    )
    share_identity = models.BooleanField(_("namn och personnummer"), default=False)
    share_notes = models.BooleanField(
        _("kontakter: anteckningar, ämnen, personal och hänvisningar"), default=False
    )
    share_plan = models.BooleanField(_("handlingsplan och bedömningar"), default=False)
    share_health = models.BooleanField(_("hälsouppgifter"), default=False)
    share_income = models.BooleanField(_("förmåner och inkomst"), default=False)
    purpose = models.CharField(_("ändamål"), max_length=300)
    given_on = models.DateField(_("givet"))
    withdrawn_on = models.DateField(_("återkallat"), null=True, blank=True)
    expires_on = models.DateField(_("gäller till och med"), null=True, blank=True)
    method = models.CharField(
        _("hur samtycket lämnades"),
        max_length=12,
        choices=ConsentMethod.choices,
        default=ConsentMethod.WRITTEN,
    )
    reference = models.CharField(
        _("blankettens referens"),
        max_length=100,
        blank=True,
        help_text=_("Diarienummer eller blankettens nummer. Krävs för skriftligt samtycke."),
    )
    scan = models.FileField(
        _("inskannad blankett"),
        storage=document_storage,
        upload_to=random_scan_name,
        blank=True,
        max_length=200,
        help_text=_("PDF, PNG eller JPEG."),
    )
    witness = models.CharField(
        _("vittne"),
        max_length=200,
        blank=True,
        help_text=_("Namn och befattning. Krävs för muntligt samtycke."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registrerat av"),
    )
    recorded_at = models.DateTimeField(_("registrerat"), default=timezone.now)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("återkallelse registrerad av"),
    )
    withdrawal_method = models.CharField(
        _("hur återkallelsen lämnades"), max_length=12, choices=ConsentMethod.choices, blank=True
    )
    withdrawal_reference = models.CharField(
        _("återkallelsens referens"), max_length=100, blank=True
    )
    withdrawal_witness = models.CharField(_("vittne vid återkallelse"), max_length=200, blank=True)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["given_on", "pk"]
        verbose_name = _("samtycke")
        verbose_name_plural = _("samtycken")
        indexes = [
            models.Index(fields=["participant", "organisation"]),
            models.Index(fields=["organisation", "holder"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gte=F("given_on")),
                name="consent_withdrawn_after_given",
                violation_error_message=_("Samtycket kan inte återkallas före det gavs."),
            ),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=F("given_on")),
                name="consent_expires_after_given",
                violation_error_message=_("Samtycket kan inte upphöra före det gavs."),
            ),
            models.CheckConstraint(
                condition=~Q(purpose=""),
                name="consent_has_purpose",
                violation_error_message=_("Ange ändamålet med samtycket."),
            ),
            models.CheckConstraint(
                condition=Q(method=ConsentMethod.UNRECORDED) | _documented(),
                name="consent_documented",
                violation_error_message=_(
                    "Ett skriftligt samtycke behöver blankettens referens, "
                    "ett muntligt samtycke ett vittne."
                ),
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True)
                | Q(withdrawal_method=ConsentMethod.UNRECORDED)
                | _documented("withdrawal_"),
                name="consent_withdrawal_documented",
                violation_error_message=_(
                    "En skriftlig återkallelse behöver en referens, en muntlig ett vittne."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant}: {self.holder} → {self.organisation}"

    def clean(self) -> None:
        errors: dict[str, object] = {}
        if self.given_on and self.withdrawn_on and self.withdrawn_on < self.given_on:
            errors["withdrawn_on"] = _("Samtycket kan inte återkallas före det gavs.")
        if self.given_on and self.expires_on and self.expires_on < self.given_on:
            errors["expires_on"] = _("Samtycket kan inte upphöra före det gavs.")
        if self.method == ConsentMethod.WRITTEN and not (self.reference or self.scan):
            errors["reference"] = _(
                "Ange blankettens referens eller ladda upp den inskannade blanketten."
            )
        if self.method == ConsentMethod.ORAL and not self.witness:
            errors["witness"] = _("Ange vittnet till det muntliga samtycket.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_registration(self) -> bool:
        """The participant's consent to being registered by the organisation itself."""
        return self.holder_id == self.organisation_id

    def categories(self) -> list[str]:
        return [str(Category(c).label) for c, f in CATEGORY_FIELDS.items() if getattr(self, f)]

    def is_active_on(self, day: datetime.date) -> bool:
        return (
            self.given_on <= day
            and (self.withdrawn_on is None or self.withdrawn_on > day)
            and (self.expires_on is None or self.expires_on >= day)
        )
