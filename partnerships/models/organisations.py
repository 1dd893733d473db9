"""Organisations, their contact persons, and the users who sign in (with their roles)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from iop.roles import Role

from ..validators import (
    normalise_bankgiro,
    normalise_org_number,
    normalise_plusgiro,
    validate_bankgiro,
    validate_bic,
    validate_gln,
    validate_iban,
    validate_org_number,
    validate_peppol_id,
    validate_plusgiro,
)


class Organisation(models.Model):
    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("Kommun")
        REGION = "region", _("Region")
        STATE_AGENCY = "state_agency", _("Statlig myndighet")
        COORDINATION = "coordination", _("Samordningsförbund")
        NON_PROFIT = "non_profit", _("Idéburen organisation")
        OTHER = "other", _("Övrig")

    name = models.CharField(_("namn"), max_length=200)
    org_number = models.CharField(
        _("organisationsnummer"),
        max_length=11,
        unique=True,
        validators=[validate_org_number],
        help_text=_("Tio siffror, NNNNNN-NNNN."),
    )
    kind = models.CharField(_("typ"), max_length=20, choices=Kind.choices)
    street_address = models.CharField(_("utdelningsadress"), max_length=200, blank=True)
    postal_code = models.CharField(
        _("postnummer"),
        max_length=6,
        blank=True,
        validators=[RegexValidator(r"^\d{3} ?\d{2}$", _("Postnummer skrivs med fem siffror."))],
    )
    city = models.CharField(_("ort"), max_length=100, blank=True)
    gln = models.CharField(
        _("GLN"),
        max_length=13,
        blank=True,
        validators=[validate_gln],
        help_text=_("Global Location Number för e-faktura, 13 siffror."),
    )
    peppol_id = models.CharField(
        _("PEPPOL-ID"),
        max_length=60,
        blank=True,
        validators=[validate_peppol_id],
        help_text=_("Till exempel 0007:2120000449."),
    )
    invoice_reference = models.CharField(_("referenskod"), max_length=100, blank=True)
    invoice_marking = models.CharField(
        _("märkning"),
        max_length=200,
        blank=True,
        help_text=_("Text som ska stå på fakturan, till exempel ”IOP Bromodellen”."),
    )
    # How the organisation is paid when it invoices (as the seller of an invoice basis).
    bankgiro = models.CharField(
        _("bankgiro"),
        max_length=9,
        blank=True,
        validators=[validate_bankgiro],
        help_text=_("Sju eller åtta siffror, till exempel 5050-1055."),
    )
    plusgiro = models.CharField(
        _("plusgiro"),
        max_length=11,
        blank=True,
        validators=[validate_plusgiro],
        help_text=_("Två till åtta siffror, till exempel 90 20 90-0."),
    )
    iban = models.CharField(
        _("IBAN"),
        max_length=42,
        blank=True,
        validators=[validate_iban],
        help_text=_("Frivilligt, för betalning från utlandet."),
    )
    bic = models.CharField(
        _("BIC"),
        max_length=11,
        blank=True,
        validators=[validate_bic],
        help_text=_("Hör till IBAN."),
    )
    payment_terms_days = models.PositiveSmallIntegerField(
        _("betalningsvillkor (dagar)"),
        default=30,
        validators=[MaxValueValidator(120)],
        help_text=_("Antal dagar från fakturadatum till förfallodag."),
    )
    ocr_reference = models.BooleanField(
        _("OCR-nummer som referens"),
        default=False,
        help_text=_(
            "Bankgirot läser OCR-nummer på inbetalningar (kräver avtal med Bankgirot). "
            "Annars är fakturaunderlagets nummer betalningsreferensen."
        ),
    )
    f_skatt = models.BooleanField(
        _("godkänd för F-skatt"),
        default=False,
        help_text=_("”Godkänd för F-skatt” står på fakturan bara när rutan är ikryssad."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisationer")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("organisation_detail", args=[self.pk])

    def clean(self) -> None:
        if self.org_number:
            self.org_number = normalise_org_number(self.org_number)
        self.bankgiro = normalise_bankgiro(self.bankgiro)
        self.plusgiro = normalise_plusgiro(self.plusgiro)
        self.iban = self.iban.replace(" ", "").upper()
        self.bic = self.bic.replace(" ", "").upper()
        errors: dict[str, Any] = {}
        if self.bic and not self.iban:
            errors["iban"] = _("Ange IBAN när BIC är ifylld.")
        if self.ocr_reference and not (self.bankgiro or self.plusgiro):
            errors["ocr_reference"] = _("OCR-nummer kräver ett bankgiro- eller plusgironummer.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_public(self) -> bool:
        return self.kind != self.Kind.NON_PROFIT and self.kind != self.Kind.OTHER


class ContactPerson(models.Model):
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="contacts",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("namn"), max_length=200)
    title = models.CharField(_("befattning"), max_length=200, blank=True)
    email = models.EmailField(_("e-post"), blank=True)
    phone = models.CharField(_("telefon"), max_length=40, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("kontaktperson")
        verbose_name_plural = _("kontaktpersoner")

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"


class User(AbstractUser):
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("organisation"),
    )

    class Meta:
        verbose_name = _("användare")
        verbose_name_plural = _("användare")

    def roles(self) -> set[str]:
        # Cached per instance: role checks run many times per request.
        if not hasattr(self, "_role_cache"):
            self.set_roles(set(self.groups.values_list("name", flat=True)))
        return self._role_cache

    def set_roles(self, group_names: set[str]) -> None:
        """Fill the role cache from the user's group names (the signed-in user is loaded
        with them, partnerships/backends.py)."""
        names = set(group_names)
        if self.is_superuser:
            names.add(Role.ADMIN)
        self._role_cache = names & set(Role.values)

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles() & set(roles))

    @property
    def is_administrator(self) -> bool:
        return self.has_role(Role.ADMIN)
