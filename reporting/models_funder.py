"""Comparison populations: what the partnership's figures are compared with.

Internationella kvinnor compares its participants with other newly arrived women in
Malmö: per indicator (an ESF+ code or a measured share), a reference value with its
source and year, optionally for one gender. The partnership manager keeps them; the
funder reports and the agreement's dashboard show them beside the partnership's figure.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from participants.models import Gender
from partnerships.models import Agreement


class ReferenceValue(models.Model):
    class Unit(models.TextChoices):
        PERCENT = "percent", _("procent")
        COUNT = "count", _("antal")

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="reference_values",
        verbose_name=_("partnerskap"),
    )
    # An ESF+ indicator code (reporting.funder) or an Indicator.Metric value.
    indicator = models.CharField(_("indikator"), max_length=40)
    gender = models.CharField(_("kön"), max_length=10, choices=Gender.choices, blank=True)
    value = models.DecimalField(_("värde"), max_digits=10, decimal_places=1)
    unit = models.CharField(_("enhet"), max_length=10, choices=Unit.choices, default=Unit.PERCENT)
    source = models.CharField(_("källa"), max_length=200)
    year = models.PositiveSmallIntegerField(_("år"))

    class Meta:
        ordering = ["agreement", "indicator", "gender", "year"]
        verbose_name = _("jämförelsevärde")
        verbose_name_plural = _("jämförelsevärden")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "indicator", "gender", "year"],
                name="one_reference_value_per_indicator_gender_year",
                violation_error_message=_(
                    "Det finns redan ett jämförelsevärde för indikatorn, könet och året."
                ),
            ),
            models.CheckConstraint(
                condition=Q(value__gte=0) & (Q(unit="count") | Q(value__lte=100)),
                name="reference_value_in_range",
                violation_error_message=_(
                    "Ange ett värde från 0 (och högst 100 för en andel i procent)."
                ),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=1990, year__lte=2100),
                name="reference_value_year_sane",
                violation_error_message=_("Ange ett år mellan 1990 och 2100."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.display} ({self.source} {self.year})"

    @property
    def display(self) -> str:
        text = str(self.value).replace(".", ",")
        if text.endswith(",0"):
            text = text[:-2]
        return f"{text} %" if self.unit == self.Unit.PERCENT else text

    @property
    def label(self) -> str:
        gender = f"{self.get_gender_display().lower()}, " if self.gender else ""
        return f"{self.display} ({gender}{self.source} {self.year})"
