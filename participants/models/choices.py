"""Choices shared by the participant models' modules (kept apart so that they can import
them without importing the package)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IncomeSource(models.TextChoices):
    INCOME_SUPPORT = "income_support", _("Försörjningsstöd")
    ACTIVITY_SUPPORT = "activity_support", _("Aktivitetsstöd")
    SICKNESS_BENEFIT = "sickness_benefit", _("Sjukpenning eller sjukersättning")
    SALARY = "salary", _("Lön")
    STUDY_SUPPORT = "study_support", _("Studiemedel")
    NONE = "none", _("Ingen inkomst")
    OTHER = "other", _("Annan")
    UNKNOWN = "unknown", _("Okänd")
