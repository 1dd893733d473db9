"""What funders ask about a participant: background at entry, results at exit, and the
agreement's funding programme and target-group rules.

ESF+ asks for the common output indicators at entry (labour-market status, education,
age group, disability, third-country national, foreign background, homelessness) and the
immediate and longer-term results; the coordination associations (FINSAM) register every
participant in and out of *Uppföljning Finsam* with the income source before and after.

Every item is optional unless the agreement's FunderProfile requires it. A yes/no item
left blank is *unknown* and is counted as unknown, never as no. The 6-month result lives
on the FollowUp row (participants/models/casework.py) that the exit scheduled.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.se import personnummer as stdnum_personnummer

from partnerships.models import Agreement

from .choices import IncomeSource
from .fields import source_organisation_field

StrOrPromise = str | Promise

# Months of unemployment above this are a typing error (50 years).
MAX_UNEMPLOYED_MONTHS = 600
# Unemployed this many months or more is long-term unemployed (ESF+).
LONG_TERM_UNEMPLOYED_MONTHS = 12


class FundingProgramme(models.TextChoices):
    NONE = "", _("Ingen särskild finansiär")
    ESF = "esf", _("Europeiska socialfonden (ESF+)")
    FINSAM = "finsam", _("Finsam (samordningsförbund)")
    ESF_AND_FINSAM = "esf_finsam", _("ESF+ och Finsam")


class LabourMarketStatus(models.TextChoices):
    UNEMPLOYED = "unemployed", _("Arbetslös")
    INACTIVE = "inactive", _("Utanför arbetskraften")
    INACTIVE_NOT_IN_EDUCATION = "inactive_no_edu", _("Utanför arbetskraften och inte i utbildning")
    EMPLOYED = "employed", _("Sysselsatt, även egenföretagare")
    DECLINED = "declined", _("Vill ej uppge")


class EducationLevel(models.TextChoices):
    ISCED_0_2 = "isced_0_2", _("Högst grundskola (ISCED 0–2)")
    ISCED_3_4 = "isced_3_4", _("Gymnasium eller eftergymnasial under 2 år (ISCED 3–4)")
    ISCED_5_8 = "isced_5_8", _("Eftergymnasial utbildning (ISCED 5–8)")
    DECLINED = "declined", _("Vill ej uppge")


class Answer(models.TextChoices):
    """A yes/no item; blank means not recorded (unknown)."""

    YES = "yes", _("Ja")
    NO = "no", _("Nej")
    DECLINED = "declined", _("Vill ej uppge")


class FunderGender(models.TextChoices):
    """Gender as the funders ask for it."""

    WOMAN = "woman", _("Kvinna")
    MAN = "man", _("Man")
    NON_BINARY = "non_binary", _("Icke-binär")
    NOT_STATED = "not_stated", _("Ej angivet")


# Participant.gender (woman, man, other, unknown) as the funders ask: the one mapping.
_FUNDER_GENDER = {
    "woman": FunderGender.WOMAN,
    "man": FunderGender.MAN,
    "other": FunderGender.NON_BINARY,
    "unknown": FunderGender.NOT_STATED,
}


def funder_gender(gender: str) -> FunderGender:
    """The funders' gender for a Participant.gender value (blank or unknown: not stated)."""
    return _FUNDER_GENDER.get(gender, FunderGender.NOT_STATED)


class AgeGroup(models.TextChoices):
    """The ESF+ age groups, derived from the age at entry (never stored)."""

    UNDER_18 = "under_18", _("Under 18 år")
    FROM_18_TO_29 = "18_29", _("18–29 år")
    FROM_30_TO_54 = "30_54", _("30–54 år")
    FROM_55 = "55_plus", _("55 år och äldre")


def age_group(age: int | None) -> AgeGroup | None:
    if age is None:
        return None
    if age < 18:
        return AgeGroup.UNDER_18
    if age <= 29:
        return AgeGroup.FROM_18_TO_29
    if age >= 55:
        return AgeGroup.FROM_55
    return AgeGroup.FROM_30_TO_54


class ResultAnswer(models.TextChoices):
    """A result; blank means not recorded, UNKNOWN that it was asked and is not known."""

    YES = "yes", _("Ja")
    NO = "no", _("Nej")
    UNKNOWN = "unknown", _("Vet ej")


def income_sources_validator(value: object) -> None:
    """A list of distinct IncomeSource values."""
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError(_("Ange försörjningskällorna som en lista."))
    allowed = set(IncomeSource.values)
    unknown = [item for item in value if item not in allowed]
    if unknown:
        raise ValidationError(
            _("Okänd försörjningskälla: %(value)s."), params={"value": unknown[0]}
        )
    if len(set(value)) != len(value):
        raise ValidationError(_("Samma försörjningskälla står två gånger."))


def birth_date(personnummer: str) -> datetime.date | None:
    """The birth date a personnummer (or samordningsnummer) states, or None."""
    if not personnummer:
        return None
    try:
        return stdnum_personnummer.get_birth_date(stdnum_personnummer.compact(personnummer))
    except (StdnumError, ValueError):
        return None


def age_on(personnummer: str, birth_year: int | None, day: datetime.date) -> int | None:
    """Age on `day`: exact from the personnummer's birth date, else from the birth year
    (the age reached during that calendar year), else None."""
    born = birth_date(personnummer)
    if born is not None:
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
    if birth_year is not None:
        return max(day.year - birth_year, 0)
    return None


def _recorded_by() -> models.ForeignKey:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registrerad av"),
    )


class FunderProfile(models.Model):
    """How an agreement is financed and what its funders require at enrolment."""

    agreement = models.OneToOneField(
        Agreement,
        on_delete=models.CASCADE,
        related_name="funder_profile",
        verbose_name=_("partnerskap"),
    )
    programme = models.CharField(
        _("finansiering"), max_length=12, choices=FundingProgramme.choices, blank=True
    )
    project_reference = models.CharField(
        _("projektnummer hos finansiären"), max_length=60, blank=True
    )
    # The intervention (insats) the agreement is registered as in Uppföljning Finsam.
    finsam_intervention = models.CharField(
        _("insats i Uppföljning Finsam"), max_length=200, blank=True
    )
    # Field names of EntryBackground that must be filled in at enrolment.
    required_background = models.JSONField(
        _("obligatoriska bakgrundsuppgifter"), default=list, blank=True
    )

    class Meta:
        verbose_name = _("finansiärsuppgifter")
        verbose_name_plural = _("finansiärsuppgifter")

    def __str__(self) -> str:
        return f"{self.agreement}: {self.get_programme_display()}"

    @property
    def is_esf(self) -> bool:
        return self.programme in (FundingProgramme.ESF, FundingProgramme.ESF_AND_FINSAM)

    @property
    def is_finsam(self) -> bool:
        return self.programme in (FundingProgramme.FINSAM, FundingProgramme.ESF_AND_FINSAM)


class EligibilityRule(models.Model):
    """One rule of an agreement's target group, checked at enrolment."""

    class Kind(models.TextChoices):
        MIN_AGE = "min_age", _("Lägst ålder vid start")
        MAX_AGE = "max_age", _("Högst ålder vid start")
        MIN_UNEMPLOYED_MONTHS = "min_unemployed", _("Arbetslös minst antal månader")
        NO_PARALLEL_ESF = "no_parallel_esf", _("Inte samtidigt i ett annat ESF-projekt")

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="eligibility_rules",
        verbose_name=_("partnerskap"),
    )
    kind = models.CharField(_("regel"), max_length=20, choices=Kind.choices)
    value = models.PositiveSmallIntegerField(
        _("värde"), null=True, blank=True, validators=[MaxValueValidator(MAX_UNEMPLOYED_MONTHS)]
    )

    class Meta:
        ordering = ["agreement", "kind"]
        verbose_name = _("målgruppsregel")
        verbose_name_plural = _("målgruppsregler")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "kind"],
                name="one_eligibility_rule_per_kind",
                violation_error_message=_("Partnerskapet har redan en sådan regel."),
            ),
            models.CheckConstraint(
                condition=Q(kind="no_parallel_esf", value__isnull=True)
                | (~Q(kind="no_parallel_esf") & Q(value__isnull=False)),
                name="eligibility_rule_value_when_needed",
                violation_error_message=_(
                    "Ange ett värde för regeln (men inget för regeln om parallella ESF-projekt)."
                ),
            ),
        ]

    def __str__(self) -> str:
        if self.value is None:
            return str(self.get_kind_display())
        return f"{self.get_kind_display()}: {self.value}"


class EntryBackground(models.Model):
    """The participant's situation when the enrolment started (ESF+ output indicators)."""

    enrolment = models.OneToOneField(
        "Enrolment",
        on_delete=models.CASCADE,
        related_name="background",
        verbose_name=_("inskrivning"),
    )
    # Derived at save from the personnummer's birth date (or the birth year) and the start.
    age_at_entry = models.PositiveSmallIntegerField(
        _("ålder vid start"), null=True, blank=True, editable=False
    )
    labour_market_status = models.CharField(
        _("ställning på arbetsmarknaden"),
        max_length=20,
        choices=LabourMarketStatus.choices,
        blank=True,
    )
    unemployed_months = models.PositiveSmallIntegerField(
        _("månader i arbetslöshet"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_UNEMPLOYED_MONTHS)],
    )
    education_level = models.CharField(
        _("högsta utbildning"), max_length=12, choices=EducationLevel.choices, blank=True
    )
    disability = models.CharField(
        _("funktionsnedsättning"), max_length=10, choices=Answer.choices, blank=True
    )
    third_country_national = models.CharField(
        _("medborgare i land utanför EU/EES"), max_length=10, choices=Answer.choices, blank=True
    )
    foreign_background = models.CharField(
        _("utländsk bakgrund"), max_length=10, choices=Answer.choices, blank=True
    )
    homeless = models.CharField(
        _("hemlös eller utestängd från bostadsmarknaden"),
        max_length=10,
        choices=Answer.choices,
        blank=True,
    )
    income_sources = models.JSONField(
        _("försörjning vid start"),
        default=list,
        blank=True,
        validators=[income_sources_validator],
    )
    # Target-group rules this enrolment breaks (EligibilityRule.Kind values) and why it
    # went ahead anyway; a flagged enrolment is a data-quality finding.
    eligibility_breaches = models.JSONField(default=list, blank=True, editable=False)
    eligibility_justification = models.TextField(
        _("motivering för avsteg från målgruppen"), blank=True
    )
    recorded_at = models.DateTimeField(_("registrerad"), default=timezone.now)
    recorded_by = _recorded_by()
    source_organisation = source_organisation_field()

    class Meta:
        verbose_name = _("bakgrund vid start")
        verbose_name_plural = _("bakgrund vid start")
        constraints = [
            models.CheckConstraint(
                condition=Q(unemployed_months__isnull=True)
                | Q(unemployed_months__lte=MAX_UNEMPLOYED_MONTHS),
                name="background_unemployed_months_sane",
                violation_error_message=_("Ange antal månader i arbetslöshet mellan 0 och 600."),
            ),
            models.CheckConstraint(
                condition=Q(unemployed_months__isnull=True) | Q(labour_market_status="unemployed"),
                name="background_months_only_when_unemployed",
                violation_error_message=_(
                    "Månader i arbetslöshet anges bara för den som är arbetslös."
                ),
            ),
            models.CheckConstraint(
                condition=Q(eligibility_breaches=[]) | ~Q(eligibility_justification=""),
                name="background_breach_has_justification",
                violation_error_message=_(
                    "Inskrivningen bryter mot målgruppens regler: skriv en motivering."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{_('Bakgrund')} {self.enrolment}"

    @property
    def long_term_unemployed(self) -> bool | None:
        if self.labour_market_status != LabourMarketStatus.UNEMPLOYED:
            return None if not self.labour_market_status else False
        if self.unemployed_months is None:
            return None
        return self.unemployed_months >= LONG_TERM_UNEMPLOYED_MONTHS

    @property
    def age_group(self) -> AgeGroup | None:
        return age_group(self.age_at_entry)

    def derive_age(self) -> None:
        """Age at the enrolment's start (see age_on)."""
        enrolment = self.enrolment
        self.age_at_entry = age_on(
            enrolment.participant.personnummer,
            enrolment.participant.birth_year,
            enrolment.start_date,
        )

    def clean(self) -> None:
        if self.enrolment_id is not None:
            self.derive_age()
        if self.unemployed_months is not None and not (
            0 <= self.unemployed_months <= MAX_UNEMPLOYED_MONTHS
        ):
            raise ValidationError(
                {"unemployed_months": _("Ange antal månader i arbetslöshet mellan 0 och 600.")}
            )
        if (
            self.unemployed_months is not None
            and self.labour_market_status != LabourMarketStatus.UNEMPLOYED
        ):
            raise ValidationError(
                {
                    "unemployed_months": _(
                        "Månader i arbetslöshet anges bara för den som är arbetslös."
                    )
                }
            )
        if self.eligibility_breaches and not self.eligibility_justification.strip():
            raise ValidationError(
                {
                    "eligibility_justification": _(
                        "Inskrivningen bryter mot målgruppens regler: skriv en motivering."
                    )
                }
            )


class ExitResult(models.Model):
    """The immediate results at exit (ESF+ result indicators, Finsam registration out)."""

    enrolment = models.OneToOneField(
        "Enrolment",
        on_delete=models.CASCADE,
        related_name="exit_result",
        verbose_name=_("inskrivning"),
    )
    job_seeking = models.CharField(
        _("arbetssökande vid avslut"), max_length=10, choices=ResultAnswer.choices, blank=True
    )
    in_education = models.CharField(
        _("i utbildning vid avslut"), max_length=10, choices=ResultAnswer.choices, blank=True
    )
    gained_qualification = models.CharField(
        _("har fått en kvalifikation"), max_length=10, choices=ResultAnswer.choices, blank=True
    )
    in_employment = models.CharField(
        _("i arbete vid avslut, även egenföretagare"),
        max_length=10,
        choices=ResultAnswer.choices,
        blank=True,
    )
    income_sources = models.JSONField(
        _("försörjning vid avslut"),
        default=list,
        blank=True,
        validators=[income_sources_validator],
    )
    recorded_at = models.DateTimeField(_("registrerad"), default=timezone.now)
    recorded_by = _recorded_by()
    source_organisation = source_organisation_field()

    class Meta:
        verbose_name = _("resultat vid avslut")
        verbose_name_plural = _("resultat vid avslut")

    def __str__(self) -> str:
        return f"{_('Resultat')} {self.enrolment}"

    def clean(self) -> None:
        errors = exit_result_contradictions(
            self.enrolment.exit_outcome if self.enrolment_id is not None else "",
            in_employment=self.in_employment,
            in_education=self.in_education,
        )
        if errors:
            raise ValidationError(errors)


# Exit outcomes that mean the participant went to work.
WORK_OUTCOMES = ("work", "work_with_support")


def exit_result_contradictions(
    outcome: str, *, in_employment: str, in_education: str
) -> dict[str, StrOrPromise]:
    """Results at exit that contradict the exit outcome, by field. In employment (yes) is
    the outcome work and nothing else; an exit to work or to studies cannot be recorded
    as not in work or not in education. Blank or "vet ej" contradicts nothing."""
    errors: dict[str, StrOrPromise] = {}
    if not outcome:
        return errors
    if in_employment == ResultAnswer.YES and outcome not in WORK_OUTCOMES:
        errors["in_employment"] = _(
            "Deltagaren står som i arbete, men avslutsorsaken är inte arbete. "
            "Ändra avslutsorsaken eller resultatet."
        )
    elif in_employment == ResultAnswer.NO and outcome in WORK_OUTCOMES:
        errors["in_employment"] = _(
            "Avslutsorsaken är arbete, men deltagaren står som inte i arbete. "
            "Ändra avslutsorsaken eller resultatet."
        )
    if in_education == ResultAnswer.NO and outcome == "studies":
        errors["in_education"] = _(
            "Avslutsorsaken är studier, men deltagaren står som inte i utbildning. "
            "Ändra avslutsorsaken eller resultatet."
        )
    return errors
