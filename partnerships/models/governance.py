"""Running the partnership: governance bodies and their members, stages of the agreement's
period, the risk register (with the history of every grade and status) and the list of
structural obstacles (Hinderlistan)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .agreements import Agreement, AgreementParty
from .organisations import User


def _outside_period(agreement: Agreement, day: datetime.date) -> bool:
    return not agreement.start_date <= day <= agreement.end_date


class GovernanceBody(models.Model):
    """A body that runs the partnership: a steering group, a reference group, …"""

    class Kind(models.TextChoices):
        STEERING = "steering", _("Styrgrupp")
        REFERENCE = "reference", _("Referensgrupp")
        COMMUNICATION = "communication", _("Kommunikationsgrupp")
        PROJECT = "project", _("Projektgrupp")
        COLLABORATION = "collaboration", _("Samverkansgrupp")
        OWN = "own", _("Partnerskapets eget organ")

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="bodies",
        verbose_name=_("överenskommelse"),
    )
    kind = models.CharField(_("slag"), max_length=20, choices=Kind.choices)
    name = models.CharField(
        _("namn"), max_length=200, blank=True, help_text=_("Lämnas tomt för slagets namn.")
    )
    mandate = models.TextField(_("mandat och uppdrag"), blank=True)

    class Meta:
        ordering = ["kind", "name", "pk"]
        verbose_name = _("organ")
        verbose_name_plural = _("organ")

    def __str__(self) -> str:
        return self.name or str(self.get_kind_display())

    def members_on(self, day: datetime.date) -> list[BodyMember]:
        """Members serving on `day` (from the prefetched members when there are any)."""
        return [m for m in self.members.all() if m.serves_on(day)]


class BodyMember(models.Model):
    """A member of a body: a user of the system, or a person outside it (no access)."""

    class Role(models.TextChoices):
        CHAIR = "chair", _("Ordförande")
        SECRETARY = "secretary", _("Sekreterare")
        MEMBER = "member", _("Ledamot")
        CO_OPTED = "co_opted", _("Adjungerad")

    body = models.ForeignKey(
        GovernanceBody, on_delete=models.CASCADE, related_name="members", verbose_name=_("organ")
    )
    user = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="body_memberships",
        verbose_name=_("användare"),
        help_text=_("Lämnas tomt för en person utanför systemet."),
    )
    name = models.CharField(_("namn"), max_length=200, blank=True)
    organisation_name = models.CharField(_("organisation"), max_length=200, blank=True)
    title = models.CharField(_("befattning"), max_length=200, blank=True)
    role = models.CharField(_("roll"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    start_date = models.DateField(_("från"))
    end_date = models.DateField(_("till"), null=True, blank=True)

    class Meta:
        ordering = ["role", "name", "pk"]
        verbose_name = _("ledamot")
        verbose_name_plural = _("ledamöter")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="body_member_end_after_start",
                violation_error_message=_("Slutdatum kan inte ligga före startdatum."),
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(name=""),
                name="body_member_user_or_name",
                violation_error_message=_("Välj en användare eller skriv personens namn."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.get_role_display()})"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("Slutdatum kan inte ligga före startdatum.")
        if not self.user_id and not self.name.strip():
            errors["name"] = _("Välj en användare eller skriv personens namn.")
        if errors:
            raise ValidationError(errors)

    @property
    def display_name(self) -> str:
        user = self.user if self.user_id else None
        if user is not None and not self.name:
            return user.get_full_name() or user.username
        return self.name

    @property
    def display_organisation(self) -> str:
        user = self.user if self.user_id else None
        if self.organisation_name or user is None or user.organisation is None:
            return self.organisation_name
        return user.organisation.name

    @property
    def is_outside(self) -> bool:
        return self.user_id is None

    def serves_on(self, day: datetime.date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)


class Stage(models.Model):
    """A stage of the agreement's period (preparation, pilot, implementation)."""

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="stages",
        verbose_name=_("överenskommelse"),
    )
    name = models.CharField(
        _("namn"), max_length=200, error_messages={"blank": _("Ange etappens namn.")}
    )
    start_date = models.DateField(_("från"))
    end_date = models.DateField(_("till"))
    goals = models.TextField(_("mål för etappen"), blank=True)

    class Meta:
        ordering = ["start_date", "pk"]
        verbose_name = _("etapp")
        verbose_name_plural = _("etapper")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="stage_end_after_start",
                violation_error_message=_("Slutdatum kan inte ligga före startdatum."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.start_date.isoformat()} – {self.end_date.isoformat()})"

    def clean(self) -> None:
        if not (self.agreement_id and self.start_date and self.end_date):
            return
        errors: dict[str, Any] = {}
        if self.end_date < self.start_date:
            errors["end_date"] = _("Slutdatum kan inte ligga före startdatum.")
        for name in ("start_date", "end_date"):
            if name not in errors and _outside_period(self.agreement, getattr(self, name)):
                errors[name] = _(
                    "Etappen måste ligga inom överenskommelsens period %(start)s–%(end)s."
                ) % {
                    "start": self.agreement.start_date.isoformat(),
                    "end": self.agreement.end_date.isoformat(),
                }
        overlapping = (
            Stage.objects.filter(
                agreement_id=self.agreement_id,
                start_date__lte=self.end_date,
                end_date__gte=self.start_date,
            )
            .exclude(pk=self.pk)
            .first()
        )
        if overlapping is not None and not errors:
            errors["start_date"] = _("Etappen överlappar etappen %(other)s.") % {
                "other": overlapping
            }
        if errors:
            raise ValidationError(errors)


class Level(models.IntegerChoices):
    LARGE = 3, _("Stor")
    MEDIUM = 2, _("Medel")
    SMALL = 1, _("Liten")


def risk_grade(likelihood: int, consequence: int) -> int:
    """The grade a likelihood and a consequence give: large (3), medium (2) or small (1).

    The product 6–9 is large, 3–4 medium, 1–2 small (the usual 3×3 risk matrix).
    """
    product = likelihood * consequence
    return Level.LARGE if product >= 6 else Level.MEDIUM if product >= 3 else Level.SMALL


class RiskQuerySet(models.QuerySet):
    def active(self) -> RiskQuerySet:
        return self.exclude(status=Risk.Status.CLOSED)

    def due_for_review(self, day: datetime.date) -> RiskQuerySet:
        return self.active().filter(next_review__lte=day)


class Risk(models.Model):
    class Category(models.TextChoices):
        REGULATION = "regulation", _("Regelverk och myndighetsutövning")
        TARGET_GROUP = "target_group", _("Målgrupp och deltagare")
        LABOUR_MARKET = "labour_market", _("Arbetsmarknad och praktikplatser")
        RESOURCES = "resources", _("Resurser och prioriteringar")
        COOPERATION = "cooperation", _("Samverkan mellan parterna")
        ORGANISATION = "organisation", _("Projektorganisation och bemanning")
        IMPLEMENTATION = "implementation", _("Implementering och hållbarhet")

    class Status(models.TextChoices):
        OPEN = "open", _("Öppen")
        MITIGATED = "mitigated", _("Åtgärdad")
        OCCURRED = "occurred", _("Har inträffat")
        CLOSED = "closed", _("Stängd")

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="risks", verbose_name=_("överenskommelse")
    )
    title = models.CharField(
        _("risk"), max_length=300, error_messages={"blank": _("Beskriv risken.")}
    )
    category = models.CharField(_("kategori"), max_length=20, choices=Category.choices)
    likelihood = models.PositiveSmallIntegerField(_("sannolikhet"), choices=Level.choices)
    consequence = models.PositiveSmallIntegerField(_("konsekvens"), choices=Level.choices)
    owner_party = models.ForeignKey(
        AgreementParty,
        on_delete=models.PROTECT,
        related_name="risks",
        verbose_name=_("ägare (part)"),
    )
    owner_person = models.CharField(_("ägare (person)"), max_length=200)
    mitigation = models.TextField(_("åtgärder"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    next_review = models.DateField(_("nästa översyn"), null=True, blank=True)

    objects = RiskQuerySet.as_manager()

    class Meta:
        ordering = ["-likelihood", "-consequence", "pk"]
        verbose_name = _("risk")
        verbose_name_plural = _("risker")
        constraints = [
            models.CheckConstraint(
                condition=~Q(owner_person=""),
                name="risk_has_owner_person",
                violation_error_message=_("Ange vem som äger risken."),
            ),
            models.CheckConstraint(
                condition=Q(likelihood__in=[1, 2, 3]) & Q(consequence__in=[1, 2, 3]),
                name="risk_levels_valid",
                violation_error_message=_("Sannolikhet och konsekvens är stor, medel eller liten."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if (
            self.owner_party_id
            and self.agreement_id
            and self.owner_party.agreement_id != self.agreement_id
        ):
            raise ValidationError({"owner_party": _("Ägaren måste vara part i överenskommelsen.")})

    @property
    def grade(self) -> int:
        return risk_grade(self.likelihood, self.consequence)

    def get_grade_display(self) -> str:
        return str(Level(self.grade).label)


class RiskChange(models.Model):
    """A risk's grade and status as they were set on a day, and by whom (written by the verb)."""

    risk = models.ForeignKey(
        Risk, on_delete=models.CASCADE, related_name="changes", verbose_name=_("risk")
    )
    changed_on = models.DateField(_("datum"), default=timezone.localdate)
    changed_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("ändrad av")
    )
    likelihood = models.PositiveSmallIntegerField(_("sannolikhet"), choices=Level.choices)
    consequence = models.PositiveSmallIntegerField(_("konsekvens"), choices=Level.choices)
    grade = models.PositiveSmallIntegerField(_("grad"), choices=Level.choices)
    status = models.CharField(_("status"), max_length=20, choices=Risk.Status.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["changed_on", "pk"]
        verbose_name = _("ändring av risk")
        verbose_name_plural = _("ändringar av risker")

    def __str__(self) -> str:
        return f"{self.risk}: {self.changed_on.isoformat()}"


class ObstacleQuerySet(models.QuerySet):
    def unresolved(self) -> ObstacleQuerySet:
        return self.exclude(status__in=[Obstacle.Status.RESOLVED, Obstacle.Status.CLOSED])


class Obstacle(models.Model):
    """A structural obstacle (Hinderlistan): where it lies, who raised it, its escalation
    and resolution."""

    class Place(models.TextChoices):
        NATIONAL = "national", _("Nationell regel eller myndighet")
        REGIONAL = "regional", _("Region eller länsstyrelse")
        MUNICIPAL = "municipal", _("Kommun")
        AGENCY = "agency", _("En parts egen verksamhet")
        PARTNERSHIP = "partnership", _("Partnerskapet självt")

    class Status(models.TextChoices):
        OPEN = "open", _("Öppet")
        ESCALATED = "escalated", _("Lyft vidare")
        RESOLVED = "resolved", _("Undanröjt")
        CLOSED = "closed", _("Stängt utan lösning i projektet")

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="obstacles",
        verbose_name=_("överenskommelse"),
    )
    description = models.TextField(_("hinder"), error_messages={"blank": _("Beskriv hindret.")})
    level = models.CharField(_("nivå"), max_length=20, choices=Place.choices)
    lies_with = models.CharField(
        _("var hindret ligger"),
        max_length=200,
        help_text=_("Vilken myndighet, förvaltning eller regel, till exempel skollagen."),
    )
    raised_on = models.DateField(_("lyft"))
    raised_by = models.CharField(_("lyft av"), max_length=200)
    escalated_to = models.CharField(_("lyft vidare till"), max_length=200, blank=True)
    escalated_on = models.DateField(_("lyft vidare"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    resolution = models.TextField(_("lösning eller utfall"), blank=True)
    resolved_on = models.DateField(_("löst"), null=True, blank=True)

    objects = ObstacleQuerySet.as_manager()

    class Meta:
        ordering = ["raised_on", "pk"]
        verbose_name = _("hinder")
        verbose_name_plural = _("hinder")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=["resolved", "closed"]) | ~Q(resolution=""),
                name="obstacle_closed_has_resolution",
                violation_error_message=_(
                    "Ett undanröjt eller stängt hinder behöver en beskriven lösning eller utfall."
                ),
            ),
            models.CheckConstraint(
                condition=Q(escalated_on__isnull=True) | Q(escalated_on__gte=models.F("raised_on")),
                name="obstacle_escalated_after_raised",
                violation_error_message=_("Hindret kan inte lyftas vidare innan det lyftes."),
            ),
        ]

    def __str__(self) -> str:
        return self.description[:80]

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        done = self.status in (self.Status.RESOLVED, self.Status.CLOSED)
        if done and not self.resolution.strip():
            errors["resolution"] = _(
                "Ett undanröjt eller stängt hinder behöver en beskriven lösning eller utfall."
            )
        if done and self.resolved_on is None:
            errors["resolved_on"] = _("Ange när hindret löstes eller stängdes.")
        if self.escalated_on and self.raised_on and self.escalated_on < self.raised_on:
            errors["escalated_on"] = _("Hindret kan inte lyftas vidare innan det lyftes.")
        if self.escalated_on and not self.escalated_to.strip():
            errors["escalated_to"] = _("Ange till vem hindret lyftes.")
        if self.resolved_on and self.raised_on and self.resolved_on < self.raised_on:
            errors["resolved_on"] = _("Hindret kan inte lösas innan det lyftes.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.OPEN, self.Status.ESCALATED)
