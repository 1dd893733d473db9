"""Multi-agency teams within a partnership (Malmökraften: ten teams of an employment
officer, a labour-market and a social secretary, with a care coordinator, a psychiatric
nurse, a study and careers adviser and an insurance investigator shared between them).

A Team belongs to one agreement and follows up to `caseload_target` participants. Its
staff are TeamMember rows (user, organisation, function, FTE, from–to); a shared
specialist serves several teams through one SharedSpecialist row. An enrolment names its
team and its responsible caseworker (Enrolment.team, Enrolment.caseworker) and may name
contacts at other agencies (AgencyContact).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from partnerships.models import Agreement, Organisation, User

# Malmökraften: "10 team som vart och ett följer 100 deltagare".
DEFAULT_CASELOAD_TARGET = 100


class Function(models.TextChoices):
    """What a member does in the team."""

    TEAM_LEAD = "team_lead", _("Teamledare")
    EMPLOYMENT_OFFICER = "employment_officer", _("Arbetsförmedlare")
    LABOUR_MARKET_SECRETARY = "labour_market_secretary", _("Arbetsmarknadssekreterare")
    SOCIAL_SECRETARY = "social_secretary", _("Socialsekreterare")
    CARE_COORDINATOR = "care_coordinator", _("Vårdsamordnare")
    PSYCHIATRIC_NURSE = "psychiatric_nurse", _("Psykiatrisjuksköterska")
    CAREERS_ADVISER = "careers_adviser", _("Studie- och yrkesvägledare")
    INSURANCE_INVESTIGATOR = "insurance_investigator", _("Försäkringsutredare")
    OTHER = "other", _("Annan")


class TeamQuerySet(models.QuerySet):
    def for_agreements(self, agreements: models.QuerySet[Agreement]) -> TeamQuerySet:
        return self.filter(agreement__in=agreements)


class Team(models.Model):
    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="teams",
        verbose_name=_("överenskommelse"),
    )
    name = models.CharField(_("namn"), max_length=100)
    caseload_target = models.PositiveIntegerField(
        _("mål för antal deltagare"),
        default=DEFAULT_CASELOAD_TARGET,
        validators=[MinValueValidator(1)],
        help_text=_("Hur många deltagare teamet följer samtidigt, till exempel 100."),
    )

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["agreement", "name"]
        verbose_name = _("team")
        verbose_name_plural = _("team")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "name"],
                name="team_name_unique_in_agreement",
                violation_error_message=_("Det finns redan ett team med det namnet."),
            ),
            models.CheckConstraint(
                condition=Q(caseload_target__gte=1),
                name="team_caseload_target_positive",
                violation_error_message=_("Målet för antal deltagare måste vara minst 1."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("participants:team_detail", args=[self.pk])


class TeamMemberQuerySet(models.QuerySet):
    def current_on(self, day: datetime.date) -> TeamMemberQuerySet:
        return self.filter(Q(start_date__lte=day), Q(end_date__isnull=True) | Q(end_date__gte=day))


class TeamMember(models.Model):
    """One person's place in a team for a period, with the organisation that employs
    them there and their share of a full-time post."""

    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="members", verbose_name=_("team")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="team_memberships",
        verbose_name=_("person"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation"),
    )
    function = models.CharField(_("funktion"), max_length=30, choices=Function.choices)
    fte = models.DecimalField(
        _("tjänstgöringsgrad"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("1.00"))],
        help_text=_("Andel av heltid i teamet, till exempel 0,5."),
    )
    is_lead = models.BooleanField(
        _("teamledare"),
        default=False,
        help_text=_("Teamledaren ser teamets deltagare och ändrar teamets medlemmar."),
    )
    caseload_target = models.PositiveIntegerField(
        _("mål för egna deltagare"), null=True, blank=True
    )
    start_date = models.DateField(_("från"))
    end_date = models.DateField(_("till"), null=True, blank=True)

    objects = TeamMemberQuerySet.as_manager()

    class Meta:
        ordering = ["team", "-is_lead", "function", "pk"]
        verbose_name = _("teammedlem")
        verbose_name_plural = _("teammedlemmar")
        indexes = [models.Index(fields=["user", "team"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="team_member_end_not_before_start",
                violation_error_message=_("Slutdatum kan inte ligga före startdatum."),
            ),
            models.CheckConstraint(
                condition=Q(fte__gt=0, fte__lte=1),
                name="team_member_fte_sane",
                violation_error_message=_(
                    "Tjänstgöringsgraden ska vara större än 0 och högst 1 (heltid)."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_function_display()}, {self.team})"

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("Slutdatum kan inte ligga före startdatum.")})
        if (
            self.user_id
            and self.organisation_id
            and not User.objects.filter(
                pk=self.user_id, organisation_id=self.organisation_id
            ).exists()
        ):
            raise ValidationError(
                {"organisation": _("Personen är inte anställd av den organisationen.")}
            )

    def is_current_on(self, day: datetime.date) -> bool:
        return self.start_date <= day and (self.end_date is None or self.end_date >= day)


class SharedSpecialist(models.Model):
    """A specialist who serves several teams of the agreement (Malmökraften: the study
    and careers adviser, the insurance investigator, the psychiatric nurse)."""

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="shared_specialists",
        verbose_name=_("överenskommelse"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="specialist_roles",
        verbose_name=_("person"),
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    function = models.CharField(_("funktion"), max_length=30, choices=Function.choices)
    fte = models.DecimalField(
        _("tjänstgöringsgrad"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("1.00"))],
    )
    teams = models.ManyToManyField(
        Team, related_name="specialists", verbose_name=_("team som får stöd")
    )
    start_date = models.DateField(_("från"))
    end_date = models.DateField(_("till"), null=True, blank=True)

    class Meta:
        ordering = ["agreement", "function", "pk"]
        verbose_name = _("delad specialist")
        verbose_name_plural = _("delade specialister")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="shared_specialist_end_not_before_start",
                violation_error_message=_("Slutdatum kan inte ligga före startdatum."),
            ),
            models.CheckConstraint(
                condition=Q(fte__gt=0, fte__lte=1),
                name="shared_specialist_fte_sane",
                violation_error_message=_(
                    "Tjänstgöringsgraden ska vara större än 0 och högst 1 (heltid)."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_function_display()})"

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("Slutdatum kan inte ligga före startdatum.")})


class AgencyContact(models.Model):
    """A named contact at another agency for one enrolment (e.g. the participant's
    handläggare at Försäkringskassan when the team's own caseworker is from the city)."""

    enrolment = models.ForeignKey(
        "participants.Enrolment",
        on_delete=models.CASCADE,
        related_name="agency_contacts",
        verbose_name=_("inskrivning"),
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("myndighet")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("kontaktperson"),
    )
    function = models.CharField(
        _("funktion"), max_length=30, choices=Function.choices, default=Function.OTHER
    )

    class Meta:
        ordering = ["organisation__name", "pk"]
        verbose_name = _("kontakt hos annan myndighet")
        verbose_name_plural = _("kontakter hos andra myndigheter")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "user"],
                name="agency_contact_once_per_enrolment",
                violation_error_message=_("Personen är redan kontakt för deltagaren."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.organisation})"

    def clean(self) -> None:
        if (
            self.user_id
            and self.organisation_id
            and not User.objects.filter(
                pk=self.user_id, organisation_id=self.organisation_id
            ).exists()
        ):
            raise ValidationError(
                {"user": _("Personen är inte anställd av den valda myndigheten.")}
            )
