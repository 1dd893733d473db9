"""Casework from referral to exit: the coordinated plan's agreements and revisions, intake
windows, the exit record with its hand-over, and the follow-ups after exit.

The coordinated plan itself is ActionPlan with its ActionGoals (each with a responsible
agency); a plan is *agreed* when every agency responsible for a goal and the participant
agreed to the same revision (PlanAgreement rows). Every save of a plan writes a
PlanRevision, so what was agreed can always be read back.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnerships.models import Agreement, Organisation

from .choices import IncomeSource
from .fields import source_organisation_field
from .funder import ResultAnswer

# Follow-ups after exit, in months.
FOLLOW_UP_MONTHS = (1, 6)


class PlanAgreement(models.Model):
    """One party's agreement to one revision of a coordinated plan: an agency's, or, with no
    organisation, the participant's own."""

    plan = models.ForeignKey(
        "ActionPlan", on_delete=models.CASCADE, related_name="agreements", verbose_name=_("plan")
    )
    revision = models.PositiveIntegerField(_("version"))
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("myndighet"),
        help_text=_("Tom när det är deltagaren som har godkänt planen."),
    )
    agreed_on = models.DateField(_("godkänd"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registrerad av"),
    )
    source_organisation = source_organisation_field()

    class Meta:
        ordering = ["revision", "agreed_on", "pk"]
        verbose_name = _("godkännande av samordnad plan")
        verbose_name_plural = _("godkännanden av samordnad plan")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "revision", "organisation"],
                condition=Q(organisation__isnull=False),
                name="plan_agreement_once_per_agency",
                violation_error_message=_("Myndigheten har redan godkänt den här versionen."),
            ),
            models.UniqueConstraint(
                fields=["plan", "revision"],
                condition=Q(organisation__isnull=True),
                name="plan_agreement_once_by_participant",
                violation_error_message=_("Deltagaren har redan godkänt den här versionen."),
            ),
        ]

    def __str__(self) -> str:
        who = self.organisation or _("deltagaren")
        return f"{who} {self.agreed_on}"


class PlanRevision(models.Model):
    """What a coordinated plan said after one save (its goals as written then)."""

    plan = models.ForeignKey(
        "ActionPlan", on_delete=models.CASCADE, related_name="revisions", verbose_name=_("plan")
    )
    number = models.PositiveIntegerField(_("version"))
    saved_at = models.DateTimeField(_("sparad"), default=timezone.now)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sparad av"),
    )
    source_organisation = source_organisation_field(_("sparad av organisation"), editable=True)
    snapshot = models.JSONField(_("innehåll"), default=dict)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("version av samordnad plan")
        verbose_name_plural = _("versioner av samordnad plan")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "number"],
                name="plan_revision_unique_number",
                violation_error_message=_("Planen har redan en version med det numret."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} v{self.number}"


class IntakeWindowQuerySet(models.QuerySet):
    def covering(self, day: datetime.date) -> IntakeWindowQuerySet:
        return self.filter(starts_on__lte=day, ends_on__gte=day)


class IntakeWindow(models.Model):
    """A period in which an agreement takes in new participants (Malmökraften: every second
    month, never June–July or December). An agreement without windows takes in all year."""

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="intake_windows",
        verbose_name=_("överenskommelse"),
    )
    starts_on = models.DateField(_("från"))
    ends_on = models.DateField(_("till"))

    objects = IntakeWindowQuerySet.as_manager()

    class Meta:
        ordering = ["starts_on"]
        verbose_name = _("intagsperiod")
        verbose_name_plural = _("intagsperioder")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="intake_window_ends_after_start",
                violation_error_message=_("Intagsperioden kan inte sluta före den börjar."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.starts_on} – {self.ends_on}"

    @classmethod
    def outside_intake(cls, agreement: Agreement | int, day: datetime.date) -> bool:
        """True when the agreement has intake windows and none covers `day` (1 query)."""
        agreement_id = agreement.pk if isinstance(agreement, Agreement) else agreement
        windows = cls.objects.filter(agreement_id=agreement_id)
        covered = windows.covering(day)
        return bool(windows.exists()) and not covered.exists()


class Handover(models.TextChoices):
    NONE = "none", _("Ingen överlämning")
    AF_FK = "af_fk", _("Samverkan Arbetsförmedlingen–Försäkringskassan")
    EMPLOYMENT_SERVICE = "af", _("Arbetsförmedlingen")
    SOCIAL_INSURANCE = "fk", _("Försäkringskassan")
    MUNICIPALITY = "municipality", _("Kommunen")
    HEALTH_CARE = "health_care", _("Hälso- och sjukvården")
    OTHER = "other", _("Annan")


class ExitRecord(models.Model):
    """What the exit found: needs clarified, whether the plan was agreed by all agencies,
    and to whom the participant was handed over."""

    enrolment = models.OneToOneField(
        "Enrolment",
        on_delete=models.CASCADE,
        related_name="exit_record",
        verbose_name=_("inskrivning"),
    )
    needs_clarified = models.TextField(_("klarlagda behov"))
    # Read from the plan at exit, kept as it was then.
    plan_agreed_by_all = models.BooleanField(_("planen godkänd av alla myndigheter"))
    handover = models.CharField(
        _("överlämning"), max_length=20, choices=Handover.choices, default=Handover.NONE
    )
    handed_over_to = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("överlämnad till"),
    )
    handover_note = models.CharField(_("om överlämningen"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registrerad av"),
    )
    source_organisation = source_organisation_field()

    class Meta:
        verbose_name = _("avslutsuppgifter")
        verbose_name_plural = _("avslutsuppgifter")

    def __str__(self) -> str:
        return f"{_('Avslut')} {self.enrolment}"

    def clean(self) -> None:
        if self.handover == Handover.NONE and self.handed_over_to_id is not None:
            raise ValidationError(
                {"handover": _("Välj vilken sorts överlämning det var, eller ta bort mottagaren.")}
            )


class FollowUpQuerySet(models.QuerySet):
    def due_by(self, day: datetime.date) -> FollowUpQuerySet:
        return self.filter(done_on__isnull=True, due_on__lte=day)


class FollowUp(models.Model):
    """A follow-up 1 or 6 months after exit, scheduled by the exit."""

    enrolment = models.ForeignKey(
        "Enrolment",
        on_delete=models.CASCADE,
        related_name="follow_ups",
        verbose_name=_("inskrivning"),
    )
    months = models.PositiveSmallIntegerField(_("månader efter avslut"))
    due_on = models.DateField(_("ska göras"))
    done_on = models.DateField(_("gjord"), null=True, blank=True)
    income = models.CharField(
        _("försörjning vid uppföljningen"),
        max_length=20,
        choices=IncomeSource.choices,
        blank=True,
    )
    # The longer-term results (ESF+), asked at the 6-month follow-up; blank is unknown.
    in_employment = models.CharField(
        _("i arbete, även egenföretagare"), max_length=10, choices=ResultAnswer.choices, blank=True
    )
    better_situation = models.CharField(
        _("bättre ställning på arbetsmarknaden"),
        max_length=10,
        choices=ResultAnswer.choices,
        blank=True,
    )
    note = models.CharField(_("anteckning"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registrerad av"),
    )
    source_organisation = source_organisation_field()

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("uppföljning efter avslut")
        verbose_name_plural = _("uppföljningar efter avslut")
        indexes = [
            models.Index(
                fields=["due_on"], condition=Q(done_on__isnull=True), name="follow_up_open_due"
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "months"],
                name="follow_up_once_per_interval",
                violation_error_message=_("Uppföljningen är redan planerad."),
            ),
            models.CheckConstraint(
                condition=Q(done_on__isnull=True) | ~Q(income=""),
                name="follow_up_done_has_income",
                violation_error_message=_("Ange försörjningen vid uppföljningen."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment}: {self.months} mån"

    def clean(self) -> None:
        if self.done_on and not self.income:
            raise ValidationError({"income": _("Ange försörjningen vid uppföljningen.")})
        exit_date = self.enrolment.exit_date if self.enrolment_id is not None else None
        if self.done_on and exit_date and self.done_on < exit_date:
            raise ValidationError({"done_on": _("Uppföljningen kan inte ligga före avslutet.")})
