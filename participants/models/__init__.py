"""Participants and everything recorded about them: referral, consent, enrolment, phases,
action plans, progression, contacts, attendance, group activities, anonymous outreach
counts, and the append-only access log.

Reporting and dashboards aggregate over Enrolment (start_date, exit_date, exit_outcome,
participant__gender), Contact (agreement, date, kind), Attendance (agreement, date,
status) and ProgressAssessment (enrolment, date, step) in the database; the QuerySet
methods below are the shared vocabulary for that.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connections, models, router
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnerships.models import Agreement, Organisation

from ..validators import normalise_personnummer, validate_personnummer
from .choices import IncomeSource as IncomeSource
from .consents import CATEGORY_FIELDS as CATEGORY_FIELDS
from .consents import Category as Category
from .consents import Consent as Consent
from .consents import ConsentMethod as ConsentMethod
from .consents import ConsentQuerySet as ConsentQuerySet
from .fields import source_organisation_field
from .teams import AgencyContact as AgencyContact
from .teams import Function as Function
from .teams import SharedSpecialist as SharedSpecialist
from .teams import Team as Team
from .teams import TeamMember as TeamMember

# Contacts longer than a working day are a typing error, not a meeting.
MAX_CONTACT_MINUTES = 720
STEP_SCALE_MIN = 1
STEP_SCALE_MAX = 7

# Unambiguous characters for participant codes: no 0/O, 1/I/L.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6


def generate_participant_code() -> str:
    return "D-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class Gender(models.TextChoices):
    WOMAN = "woman", _("Kvinna")
    MAN = "man", _("Man")
    OTHER = "other", _("Annan")
    UNKNOWN = "unknown", _("Okänt")


class ExitOutcome(models.TextChoices):
    WORK = "work", _("Arbete")
    WORK_WITH_SUPPORT = "work_with_support", _("Arbete med stöd")
    STUDIES = "studies", _("Studier")
    OTHER_PROGRAMME = "other_programme", _("Annan insats")
    MOVED = "moved", _("Flyttat")
    OTHER = "other", _("Annat")
    UNKNOWN = "unknown", _("Okänt")


class AgeBand(models.TextChoices):
    UNDER_18 = "0-17", _("Under 18")
    FROM_18 = "18-29", _("18–29")
    FROM_30 = "30-44", _("30–44")
    FROM_45 = "45-64", _("45–64")
    FROM_65 = "65+", _("65 eller äldre")
    UNKNOWN = "unknown", _("Okänd ålder")


# --------------------------------------------------------------------------- participant


class ParticipantQuerySet(models.QuerySet):
    def enrolled_in(self, agreement: Agreement | int) -> ParticipantQuerySet:
        return self.filter(enrolments__agreement=agreement).distinct()


class IdentityStatus(models.TextChoices):
    REGISTERED = "registered", _("Registrerad med namn")
    PROTECTED = "protected", _("Skyddade personuppgifter")
    NO_CONSENT = "no_consent", _("Samtycker inte till registrering")


class Participant(models.Model):
    code = models.CharField(
        _("deltagarkod"),
        max_length=12,
        unique=True,
        editable=False,
        help_text=_("Pseudonym som används i stället för namn."),
    )
    name = models.CharField(_("namn"), max_length=200, blank=True)
    personnummer = models.CharField(
        _("personnummer"),
        max_length=13,
        blank=True,
        validators=[validate_personnummer],
        help_text=_("Bara om arbetet kräver det. ÅÅÅÅMMDD-NNNN."),
    )
    gender = models.CharField(
        _("kön"), max_length=10, choices=Gender.choices, default=Gender.UNKNOWN
    )
    birth_year = models.PositiveSmallIntegerField(
        _("födelseår"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
    )
    language = models.CharField(_("språk"), max_length=60, blank=True)
    # The organisation whose caseworker registered the participant: it holds the identity,
    # and alone sees a participant with protected identity.
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registrerande organisation"),
    )
    identity_status = models.CharField(
        _("identitet"),
        max_length=12,
        choices=IdentityStatus.choices,
        default=IdentityStatus.REGISTERED,
        help_text=_(
            "Vid skyddade personuppgifter eller när deltagaren inte samtycker till "
            "registrering registreras varken namn eller personnummer, och bara den egna "
            "organisationen ser deltagaren."
        ),
    )
    created_at = models.DateTimeField(_("registrerad"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registrerad av"),
    )
    # Set by the retention command when name, personnummer and notes were removed.
    pseudonymised_at = models.DateTimeField(_("avidentifierad"), null=True, blank=True)
    # Optimistic lock: see participants.actions.save_checked.
    revision = models.PositiveIntegerField(default=1, editable=False)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("deltagare")
        verbose_name_plural = _("deltagare")
        constraints = [
            models.UniqueConstraint(
                fields=["personnummer"],
                condition=~Q(personnummer=""),
                name="participant_personnummer_unique",
                # Neutral on purpose: whoever types a personnummer must not learn from any
                # door (form, import, admin, shell) that someone else's participant holds it.
                # The form and the import tell a user who sees the holder more, and open a
                # duplicate case otherwise (participants/duplicates.py).
                violation_error_message=_(
                    "Deltagaren kan inte registreras – kontakta administratören."
                ),
            ),
            models.CheckConstraint(
                condition=Q(identity_status="registered") | Q(name="", personnummer=""),
                name="participant_unnamed_when_protected",
                violation_error_message=_(
                    "Namn och personnummer registreras inte vid skyddade personuppgifter "
                    "eller utan samtycke till registrering."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def save(self, *args, **kwargs) -> None:
        if not self.code:
            self.code = generate_participant_code()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("participants:timeline", args=[self.pk])

    @property
    def is_unnamed(self) -> bool:
        """Protected identity or no consent to registration: own organisation only."""
        return self.identity_status != IdentityStatus.REGISTERED

    def clean(self) -> None:
        if self.is_unnamed and (self.name or self.personnummer):
            raise ValidationError(
                {
                    "identity_status": _(
                        "Namn och personnummer registreras inte vid skyddade personuppgifter "
                        "eller utan samtycke till registrering."
                    )
                }
            )
        if self.personnummer:
            try:
                self.personnummer = normalise_personnummer(self.personnummer)
            except ValidationError as exc:
                raise ValidationError({"personnummer": exc.messages}) from exc
            born = int(self.personnummer[:4])
            if self.birth_year is None:
                self.birth_year = born
            elif self.birth_year != born:
                raise ValidationError(
                    {"birth_year": _("Födelseåret stämmer inte med personnumret.")}
                )


class ReferralStatus(models.TextChoices):
    WAITING = "waiting", _("Väntar på plats")
    ENROLLED = "enrolled", _("Inskriven")
    WITHDRAWN = "withdrawn", _("Återtagen")


class ReferralQuerySet(models.QuerySet):
    def waiting(self) -> ReferralQuerySet:
        """The waiting list: first come, first served."""
        return self.filter(status=ReferralStatus.WAITING).order_by("date", "pk")


class Referral(models.Model):
    """Anvisning: who referred the participant, from which organisation, when and why."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="referrals", verbose_name=_("deltagare")
    )
    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="referrals",
        verbose_name=_("till partnerskap"),
    )
    date = models.DateField(_("datum"))
    referred_by = models.CharField(_("anvisad av"), max_length=200)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("från organisation"),
    )
    reason = models.TextField(_("skäl"), blank=True)
    requested_start = models.DateField(_("önskad start"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.ENROLLED
    )
    # The enrolment the referral led to (empty while it waits for a place).
    enrolment = models.ForeignKey(
        "Enrolment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("inskrivning"),
    )
    # The user confirmed a referral outside every intake window of the agreement.
    outside_intake = models.BooleanField(_("utanför intagsperiod"), default=False)
    # The background at entry typed when the participant went to the waiting list (the
    # cleaned items of EntryBackground and any justification), kept here until admission
    # creates the enrolment and its EntryBackground (participants.actions_funder).
    background = models.JSONField(_("bakgrund vid start"), default=dict, blank=True, editable=False)
    # The organisation that wrote the entry (information carries its source).
    source_organisation = source_organisation_field()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registrerad av"),
    )

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("anvisning")
        verbose_name_plural = _("anvisningar")
        indexes = [
            models.Index(fields=["agreement", "date"]),
            models.Index(fields=["agreement", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(requested_start__isnull=True) | Q(requested_start__gte=F("date")),
                name="referral_requested_start_not_before_date",
                violation_error_message=_("Önskad start kan inte ligga före anvisningsdatumet."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant} {self.date}"


# --------------------------------------------------------------------------- enrolment


class Phase(models.Model):
    """A step of the participant process. Rows without agreement are the default process
    (Inrekrytering → Visionsbygge → Aktivitet → Utmatchning); a partnership may define its own."""

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="phases",
        verbose_name=_("överenskommelse"),
    )
    name = models.CharField(_("namn"), max_length=100)
    position = models.PositiveSmallIntegerField(_("ordning"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("fas")
        verbose_name_plural = _("faser")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "name"],
                name="phase_name_unique_per_agreement",
                violation_error_message=_("Överenskommelsen har redan en fas med det namnet."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def for_agreement(cls, agreement: Agreement | int | None) -> models.QuerySet[Phase]:
        agreement_id = getattr(agreement, "pk", agreement)
        own = cls.objects.filter(agreement_id=agreement_id)
        return own if agreement_id and own.exists() else cls.objects.filter(agreement__isnull=True)


class DaysSince(models.Func):
    """Whole days from a date column to `day`: PostgreSQL subtracts dates to an integer,
    SQLite needs julianday()."""

    arg_joiner = " - "
    template = "(%(expressions)s)"
    output_field = models.IntegerField()

    def __init__(self, column: str, day: datetime.date) -> None:
        super().__init__(models.Value(day, output_field=models.DateField()), F(column))

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra_context,
        )


class EnrolmentQuerySet(models.QuerySet):
    def for_agreement(self, agreement: Agreement | int) -> EnrolmentQuerySet:
        return self.filter(agreement=agreement)

    def open(self) -> EnrolmentQuerySet:
        return self.filter(exit_date__isnull=True)

    def active_on(self, day: datetime.date) -> EnrolmentQuerySet:
        """Enrolled on `day`: started on or before it and not exited before it."""
        return self.filter(
            Q(start_date__lte=day), Q(exit_date__isnull=True) | Q(exit_date__gte=day)
        )

    def over_max_on(self, day: datetime.date) -> EnrolmentQuerySet:
        """Enrolled longer than the planned maximum on `day` (counting the start day, as
        Enrolment.days_enrolled does)."""
        return self.filter(
            planned_max_days__isnull=False, planned_max_days__lt=DaysSince("start_date", day) + 1
        )

    def active_between(self, start: datetime.date, end: datetime.date) -> EnrolmentQuerySet:
        """Enrolled at some point in [start, end] (e.g. during a report year)."""
        return self.filter(
            Q(start_date__lte=end), Q(exit_date__isnull=True) | Q(exit_date__gte=start)
        )

    def started_between(self, start: datetime.date, end: datetime.date) -> EnrolmentQuerySet:
        return self.filter(start_date__range=(start, end))

    def exited_between(self, start: datetime.date, end: datetime.date) -> EnrolmentQuerySet:
        return self.filter(exit_date__range=(start, end))


class Enrolment(models.Model):
    participant = models.ForeignKey(
        Participant,
        on_delete=models.CASCADE,
        related_name="enrolments",
        verbose_name=_("deltagare"),
    )
    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.PROTECT,
        related_name="enrolments",
        verbose_name=_("partnerskap"),
    )
    start_date = models.DateField(_("startdatum"))
    planned_min_days = models.PositiveIntegerField(
        _("planerad tid minst (dagar)"), null=True, blank=True
    )
    planned_max_days = models.PositiveIntegerField(
        _("planerad tid högst (dagar)"), null=True, blank=True
    )
    phase = models.ForeignKey(
        Phase,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("fas"),
    )
    income_at_start = models.CharField(
        _("försörjning vid start"),
        max_length=20,
        choices=IncomeSource.choices,
        default=IncomeSource.UNKNOWN,
    )
    income_at_exit = models.CharField(
        _("försörjning vid avslut"), max_length=20, choices=IncomeSource.choices, blank=True
    )
    exit_date = models.DateField(_("avslutsdatum"), null=True, blank=True)
    exit_outcome = models.CharField(
        _("avslutsorsak"), max_length=20, choices=ExitOutcome.choices, blank=True
    )
    next_step = models.CharField(_("nästa planerade steg"), max_length=200, blank=True)
    # Multi-agency casework (participants/models/teams.py): the team that follows the
    # participant and the one caseworker responsible; both optional outside team work.
    team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enrolments",
        verbose_name=_("team"),
    )
    caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="caseload",
        verbose_name=_("ansvarig handläggare"),
    )
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("inskriven av"),
    )
    created_at = models.DateTimeField(default=timezone.now)
    revision = models.PositiveIntegerField(default=1, editable=False)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "pk"]
        verbose_name = _("inskrivning")
        verbose_name_plural = _("inskrivningar")
        indexes = [
            models.Index(fields=["agreement", "start_date"]),
            models.Index(fields=["agreement", "exit_date"]),
            models.Index(fields=["caseworker", "exit_date"]),
            models.Index(fields=["team", "exit_date", "start_date"]),
            # "Mina deltagare" shows open enrolments only: these two hold just those, in
            # the order of the default sort within a partnership (and the occupancy and
            # list counts per partnership), and in the order of the "days" sort.
            models.Index(
                fields=["agreement", "-start_date", "-id"],
                condition=Q(exit_date__isnull=True),
                name="enrolment_open_by_agreement",
            ),
            models.Index(
                fields=["start_date", "-id"],
                condition=Q(exit_date__isnull=True),
                name="enrolment_open_by_start",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "agreement"],
                condition=Q(exit_date__isnull=True),
                name="one_open_enrolment_per_agreement",
                violation_error_message=_("Deltagaren är redan inskriven i partnerskapet."),
            ),
            models.CheckConstraint(
                condition=Q(exit_date__isnull=True) | Q(exit_date__gte=F("start_date")),
                name="enrolment_exit_after_start",
                violation_error_message=_("Avslutsdatum kan inte ligga före startdatum."),
            ),
            models.CheckConstraint(
                condition=(Q(exit_date__isnull=True) & Q(exit_outcome=""))
                | (Q(exit_date__isnull=False) & ~Q(exit_outcome="")),
                name="enrolment_exit_has_outcome",
                violation_error_message=_("Ett avslut behöver både datum och orsak."),
            ),
            models.CheckConstraint(
                condition=Q(planned_min_days__isnull=True)
                | Q(planned_max_days__isnull=True)
                | Q(planned_max_days__gte=F("planned_min_days")),
                name="enrolment_planned_max_not_below_min",
                violation_error_message=_("Högsta tiden kan inte vara kortare än lägsta."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant} i {self.agreement}"

    def get_absolute_url(self) -> str:
        return reverse("participants:timeline", args=[self.participant_id])

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.exit_date and self.start_date and self.exit_date < self.start_date:
            errors["exit_date"] = _("Avslutsdatum kan inte ligga före startdatum.")
        if self.exit_date and not self.exit_outcome:
            errors["exit_outcome"] = _("Ange avslutsorsak när du anger avslutsdatum.")
        if self.exit_outcome and not self.exit_date:
            errors["exit_date"] = _("Ange avslutsdatum när du anger avslutsorsak.")
        if (
            self.planned_min_days is not None
            and self.planned_max_days is not None
            and self.planned_max_days < self.planned_min_days
        ):
            errors["planned_max_days"] = _("Högsta tiden kan inte vara kortare än lägsta.")
        errors.update(self._team_errors())
        if (
            self.participant_id
            and self.agreement_id
            and self.start_date
            and "exit_date" not in errors
        ):
            # Never twice at once in the same partnership: no overlapping periods.
            others = Enrolment.objects.filter(
                participant_id=self.participant_id, agreement_id=self.agreement_id
            ).exclude(pk=self.pk)
            end = self.exit_date or datetime.date.max
            overlapping = others.filter(
                Q(start_date__lte=end),
                Q(exit_date__isnull=True) | Q(exit_date__gte=self.start_date),
            )
            if overlapping.exists():
                errors["agreement"] = _(
                    "Deltagaren är redan inskriven i partnerskapet under den perioden."
                )
        if errors:
            raise ValidationError(errors)

    def _team_errors(self) -> dict[str, Any]:
        team = self.team if self.team_id else None
        if team is not None and self.agreement_id and team.agreement_id != self.agreement_id:
            return {"team": _("Teamet hör till en annan överenskommelse.")}
        if self.caseworker_id and not self.team_id:
            return {"team": _("Välj teamet som den ansvariga handläggaren arbetar i.")}
        if self.caseworker_id and self.team_id:
            members = TeamMember.objects.filter(team_id=self.team_id, user_id=self.caseworker_id)
            if not members.exists():
                return {"caseworker": _("Handläggaren är inte medlem i teamet.")}
        return {}

    @property
    def is_open(self) -> bool:
        return self.exit_date is None

    def days_enrolled(self, today: datetime.date | None = None) -> int:
        end = self.exit_date or today or timezone.localdate()
        return max((end - self.start_date).days + 1, 0)

    def covers(self, day: datetime.date) -> bool:
        return self.start_date <= day and (self.exit_date is None or day <= self.exit_date)

    def time_status(self, today: datetime.date | None = None) -> str:
        """ "over" past the planned maximum, "under" short of the planned minimum, else ""."""
        days = self.days_enrolled(today)
        if self.planned_max_days and days > self.planned_max_days:
            return "over"
        if self.planned_min_days and days < self.planned_min_days:
            return "under"
        return ""


class PhaseChange(models.Model):
    enrolment = models.ForeignKey(
        Enrolment,
        on_delete=models.CASCADE,
        related_name="phase_changes",
        verbose_name=_("inskrivning"),
    )
    date = models.DateField(_("datum"))
    from_phase = models.ForeignKey(
        Phase,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("från fas"),
    )
    to_phase = models.ForeignKey(
        Phase, on_delete=models.PROTECT, related_name="+", verbose_name=_("till fas")
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ändrad av"),
    )

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("fasbyte")
        verbose_name_plural = _("fasbyten")

    def __str__(self) -> str:
        return f"{self.enrolment}: {self.from_phase} → {self.to_phase}"


class ActionPlan(models.Model):
    """Den samordnade handlingsplanen for one enrolment, assembled with the participant."""

    enrolment = models.OneToOneField(
        Enrolment,
        on_delete=models.CASCADE,
        related_name="action_plan",
        verbose_name=_("inskrivning"),
    )
    drawn_up_on = models.DateField(_("upprättad"))
    summary = models.TextField(_("sammanfattning"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("senast ändrad av"),
    )
    revision = models.PositiveIntegerField(default=1, editable=False)
    source_organisation = source_organisation_field(_("upprättad av organisation"))
    # Set by participants.actions.agree_to_plan when the last party agrees to a revision:
    # the revision every agency and the participant agreed to, the day the plan was first
    # agreed (the figure "days from enrolment to an agreed plan"), and how many agencies
    # agreed (a multi-agency plan has at least two).
    agreed_revision = models.PositiveIntegerField(
        _("överenskommen version"), null=True, blank=True, editable=False
    )
    first_agreed_on = models.DateField(
        _("första gången överenskommen"), null=True, blank=True, editable=False
    )
    agreed_agency_count = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("samordnad plan")
        verbose_name_plural = _("samordnade planer")

    def __str__(self) -> str:
        return f"{_('Samordnad plan')} {self.enrolment}"

    @property
    def is_agreed(self) -> bool:
        """Every agency with a part in the current revision and the participant agreed."""
        return self.agreed_revision is not None and self.agreed_revision == self.revision


class GoalStatus(models.TextChoices):
    PLANNED = "planned", _("Planerat")
    ONGOING = "ongoing", _("Pågår")
    ACHIEVED = "achieved", _("Uppnått")
    DROPPED = "dropped", _("Avbrutet")


NO_RESPONSIBLE_AGENCY = _("Ange vilken myndighet eller organisation som ansvarar för målet.")


class ActionGoal(models.Model):
    plan = models.ForeignKey(
        ActionPlan, on_delete=models.CASCADE, related_name="goals", verbose_name=_("plan")
    )
    description = models.CharField(_("mål"), max_length=300)
    # Required (clean() and the form); nullable in the database only for goals written
    # before plans were coordinated between agencies.
    responsible_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("ansvarig myndighet"),
        error_messages={"null": NO_RESPONSIBLE_AGENCY, "blank": NO_RESPONSIBLE_AGENCY},
    )
    responsible_person = models.CharField(_("ansvarig person"), max_length=200, blank=True)
    target_date = models.DateField(_("klart senast"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=GoalStatus.choices, default=GoalStatus.PLANNED
    )
    achieved_on = models.DateField(_("uppnått"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    source_organisation = source_organisation_field(_("skrivet av organisation"))

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("mål i samordnad plan")
        verbose_name_plural = _("mål i samordnad plan")

    def __str__(self) -> str:
        return self.description

    def clean(self) -> None:
        if self.responsible_organisation_id is None:
            raise ValidationError({"responsible_organisation": NO_RESPONSIBLE_AGENCY})


class ProgressAssessmentQuerySet(models.QuerySet):
    def for_agreement(self, agreement: Agreement | int) -> ProgressAssessmentQuerySet:
        return self.filter(enrolment__agreement=agreement)

    def between(self, start: datetime.date, end: datetime.date) -> ProgressAssessmentQuerySet:
        return self.filter(date__range=(start, end))


class ProgressAssessment(models.Model):
    """Stegförflyttning: where the participant stands on a 1–7 step scale on a date."""

    enrolment = models.ForeignKey(
        Enrolment,
        on_delete=models.CASCADE,
        related_name="assessments",
        verbose_name=_("inskrivning"),
    )
    date = models.DateField(_("datum"))
    step = models.PositiveSmallIntegerField(
        _("steg"),
        validators=[MinValueValidator(STEP_SCALE_MIN), MaxValueValidator(STEP_SCALE_MAX)],
        help_text=_("1 = långt från arbetsmarknaden, 7 = redo för arbete eller studier."),
    )
    comment = models.TextField(_("kommentar"), blank=True)
    source_organisation = source_organisation_field(_("skriven av organisation"), editable=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bedömd av"),
    )

    objects = ProgressAssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("stegbedömning")
        verbose_name_plural = _("stegbedömningar")
        indexes = [models.Index(fields=["enrolment", "date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(step__gte=STEP_SCALE_MIN, step__lte=STEP_SCALE_MAX),
                name="assessment_step_on_scale",
                violation_error_message=_("Steget ska vara mellan 1 och 7."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.enrolment} {self.date}: {self.step}"


# --------------------------------------------------------------------------- contacts


class ContactQuerySet(models.QuerySet):
    def for_agreement(self, agreement: Agreement | int) -> ContactQuerySet:
        return self.filter(agreement=agreement)

    def between(self, start: datetime.date, end: datetime.date) -> ContactQuerySet:
        return self.filter(date__range=(start, end))


class Contact(models.Model):
    class Kind(models.TextChoices):
        MEETING = "meeting", _("Enskilt möte")
        PHONE = "phone", _("Telefon")
        DIGITAL = "digital", _("Digitalt")
        HOME_VISIT = "home_visit", _("Hembesök")
        GROUP = "group", _("Gruppträff")
        OUTREACH = "outreach", _("Uppsökande besök")

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("deltagare")
    )
    # The partnership the contact was made in (reporting counts contacts per agreement).
    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.PROTECT,
        related_name="participant_contacts",
        verbose_name=_("partnerskap"),
    )
    date = models.DateField(_("datum"))
    kind = models.CharField(_("typ"), max_length=20, choices=Kind.choices)
    duration_minutes = models.PositiveSmallIntegerField(
        _("längd (minuter)"),
        validators=[MinValueValidator(1), MaxValueValidator(MAX_CONTACT_MINUTES)],
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="participant_contacts",
        verbose_name=_("personal"),
    )
    topic = models.CharField(_("ämne"), max_length=200, blank=True)
    referrals = models.CharField(
        _("hänvisad till"),
        max_length=300,
        blank=True,
        help_text=_("Andra myndigheter eller verksamheter som deltagaren hänvisades till."),
    )
    note = models.TextField(_("anteckning"), blank=True)
    health = models.BooleanField(
        _("hälsouppgifter"),
        default=False,
        help_text=_(
            "Kryssa i om anteckningen innehåller hälsouppgifter: andra organisationer ser "
            "den då bara med samtycke till hälsouppgifter."
        ),
    )
    source_organisation = source_organisation_field(_("skriven av organisation"), editable=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("kontakt")
        verbose_name_plural = _("kontakter")
        indexes = [
            models.Index(fields=["agreement", "date"]),
            models.Index(fields=["participant", "agreement", "date"]),
            models.Index(fields=["staff", "created_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1, duration_minutes__lte=MAX_CONTACT_MINUTES),
                name="contact_duration_sane",
                violation_error_message=_("Längden ska vara mellan 1 och 720 minuter."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant} {self.date} {self.get_kind_display()}"

    def clean(self) -> None:
        if self.date and self.date > timezone.localdate():
            raise ValidationError({"date": _("En kontakt kan inte ligga i framtiden.")})


# --------------------------------------------------------------------------- group work and attendance


class GroupActivity(models.Model):
    class Kind(models.TextChoices):
        WORKSHOP = "workshop", _("Workshop")
        STUDY_CIRCLE = "study_circle", _("Studiecirkel")
        WORK_TRAINING = "work_training", _("Arbetsträning")
        OTHER = "other", _("Annan")

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="group_activities",
        verbose_name=_("partnerskap"),
    )
    name = models.CharField(_("namn"), max_length=200)
    kind = models.CharField(_("typ"), max_length=20, choices=Kind.choices, default=Kind.WORKSHOP)
    description = models.TextField(_("beskrivning"), blank=True)
    members = models.ManyToManyField(
        Participant,
        blank=True,
        related_name="group_activities",
        verbose_name=_("deltagare"),
        help_text=_("Lämna tomt för att alla inskrivna ska stå på närvarolistan."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("gruppaktivitet")
        verbose_name_plural = _("gruppaktiviteter")

    def __str__(self) -> str:
        return self.name


class GroupSession(models.Model):
    activity = models.ForeignKey(
        GroupActivity,
        on_delete=models.CASCADE,
        related_name="sessions",
        verbose_name=_("aktivitet"),
    )
    date = models.DateField(_("datum"))
    start_time = models.TimeField(_("starttid"), null=True, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(
        _("längd (minuter)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_CONTACT_MINUTES)],
    )
    topic = models.CharField(_("tema"), max_length=200, blank=True)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ledare"),
    )

    class Meta:
        ordering = ["-date", "-start_time", "pk"]
        verbose_name = _("grupptillfälle")
        verbose_name_plural = _("grupptillfällen")
        indexes = [models.Index(fields=["activity", "date"])]

    def __str__(self) -> str:
        return f"{self.activity} {self.date}"


class AttendanceQuerySet(models.QuerySet):
    def for_agreement(self, agreement: Agreement | int) -> AttendanceQuerySet:
        return self.filter(agreement=agreement)

    def between(self, start: datetime.date, end: datetime.date) -> AttendanceQuerySet:
        return self.filter(date__range=(start, end))


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("Närvarande")
        ABSENT = "absent", _("Frånvarande")
        EXCUSED = "excused", _("Anmäld frånvaro")

    participant = models.ForeignKey(
        Participant,
        on_delete=models.CASCADE,
        related_name="attendance",
        verbose_name=_("deltagare"),
    )
    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.PROTECT,
        related_name="attendance",
        verbose_name=_("partnerskap"),
    )
    date = models.DateField(_("datum"))
    session = models.ForeignKey(
        GroupSession,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attendance",
        verbose_name=_("grupptillfälle"),
    )
    status = models.CharField(_("närvaro"), max_length=10, choices=Status.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registrerad av"),
    )

    objects = AttendanceQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "pk"]
        verbose_name = _("närvaro")
        verbose_name_plural = _("närvaro")
        indexes = [
            models.Index(fields=["agreement", "date"]),
            models.Index(fields=["participant", "date"]),
        ]
        constraints = [
            # One status per row: a participant cannot be both present and excused.
            models.CheckConstraint(
                condition=Q(status__in=["present", "absent", "excused"]),
                name="attendance_status_known",
                violation_error_message=_(
                    "Välj en närvarostatus: närvarande, frånvarande eller anmäld frånvaro."
                ),
            ),
            models.UniqueConstraint(
                fields=["participant", "session"],
                condition=Q(session__isnull=False),
                name="attendance_once_per_session",
                violation_error_message=_(
                    "Närvaron för deltagaren på tillfället är redan registrerad."
                ),
            ),
            models.UniqueConstraint(
                fields=["participant", "agreement", "date"],
                condition=Q(session__isnull=True),
                name="attendance_once_per_day",
                violation_error_message=_(
                    "Närvaron för deltagaren den dagen är redan registrerad."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant} {self.date}: {self.get_status_display()}"

    def clean(self) -> None:
        if self.participant_id and self.agreement_id and self.date:
            enrolled = Enrolment.objects.filter(
                participant_id=self.participant_id, agreement_id=self.agreement_id
            ).active_on(self.date)
            if not enrolled.exists():
                raise ValidationError(
                    {"date": _("Deltagaren är inte inskriven i partnerskapet det datumet.")}
                )


class AnonymousContactCountQuerySet(models.QuerySet):
    def for_agreement(self, agreement: Agreement | int) -> AnonymousContactCountQuerySet:
        return self.filter(agreement=agreement)

    def between(self, start: datetime.date, end: datetime.date) -> AnonymousContactCountQuerySet:
        return self.filter(date__range=(start, end))


class AnonymousContactCount(models.Model):
    """People met in outreach work without registering them: one row per gender and age band."""

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="anonymous_contacts",
        verbose_name=_("partnerskap"),
    )
    date = models.DateField(_("datum"))
    place = models.CharField(_("plats"), max_length=200, blank=True)
    gender = models.CharField(_("kön"), max_length=10, choices=Gender.choices)
    age_band = models.CharField(_("åldersgrupp"), max_length=10, choices=AgeBand.choices)
    count = models.PositiveIntegerField(_("antal personer"), validators=[MinValueValidator(1)])
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registrerad av"),
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = AnonymousContactCountQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "pk"]
        verbose_name = _("anonym kontakt")
        verbose_name_plural = _("anonyma kontakter")
        indexes = [models.Index(fields=["agreement", "date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(count__gte=1),
                name="anonymous_count_positive",
                violation_error_message=_("Antalet personer måste vara minst 1."),
                violation_error_code="min_value",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement} {self.date}: {self.count}"

    def clean(self) -> None:
        if self.date and self.date > timezone.localdate():
            raise ValidationError({"date": _("Datumet kan inte ligga i framtiden.")})


# --------------------------------------------------------------------------- access log


class AccessLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The access log is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("The access log is append-only.")

    def _raw_delete(self, using: str | None) -> int:
        raise PermissionError("The access log is append-only.")

    def append(self, participant_ids: Iterable[int], **same: Any) -> None:
        """One row per participant, every other field the same for all (`same`, by field
        name or attname), written with multi-row INSERTs.

        A page logs every participant it shows (50 on a list page): a model instance per
        row and bulk_create cost about a tenth of the list page's CPU. The rows differ
        only in the participant, so each other value is prepared for the database once.
        """
        ids = list(participant_ids)
        if not ids:
            return
        meta = self.model._meta
        connection = connections[router.db_for_write(self.model)]
        same.setdefault("at", timezone.now())
        fields = [cast(models.Field, meta.get_field(name)) for name in same]
        # Prepared once, as bulk_create would prepare them row by row.
        values = [
            field.get_db_prep_save(value, connection)
            for field, value in zip(fields, same.values(), strict=True)
        ]
        participant = cast(models.Field, meta.get_field("participant"))
        columns = [cast(str, f.column) for f in [*fields, participant]]
        quote = connection.ops.quote_name
        row = f"({', '.join(['%s'] * len(columns))})"
        per_statement = (connection.features.max_query_params or 10_000) // len(columns)
        # Only the model's own table and column names, quoted; every value is a parameter.
        head = f"INSERT INTO {quote(meta.db_table)} ({', '.join(map(quote, columns))}) VALUES "  # noqa: S608
        with connection.cursor() as cursor:
            for start in range(0, len(ids), per_statement):
                chunk = ids[start : start + per_statement]
                params = [v for pk in chunk for v in (*values, pk)]
                cursor.execute(head + ", ".join([row] * len(chunk)), params)


class AccessLog(models.Model):
    """Who read or changed which participant's data, when, from where.

    Append-only: the model refuses updates and deletes, and on PostgreSQL a trigger
    (migration 0002) refuses them in the database too. Never store note text here.
    """

    class Action(models.TextChoices):
        VIEW = "view", _("Läste")
        CREATE = "create", _("Registrerade")
        CHANGE = "change", _("Ändrade")
        EXPORT = "export", _("Exporterade")
        PSEUDONYMISE = "pseudonymise", _("Avidentifierade")
        DENIED = "denied", _("Nekades")

    at = models.DateTimeField(_("tidpunkt"), default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("användare"),
    )
    username = models.CharField(_("användarnamn"), max_length=150, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    participant = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        related_name="access_log",
        verbose_name=_("deltagare"),
    )
    action = models.CharField(_("händelse"), max_length=20, choices=Action.choices)
    what = models.CharField(_("vad"), max_length=100)
    ip_address = models.GenericIPAddressField(_("IP-adress"), null=True, blank=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("åtkomstlogg")
        verbose_name_plural = _("åtkomstlogg")
        indexes = [
            models.Index(fields=["participant", "at"]),
            models.Index(fields=["user", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.participant_id}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise PermissionError("The access log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The access log is append-only.")


# Models kept in modules of their own; imported here so that `from participants.models
# import X` works for every model and Django finds them.
# Casework models with modules of their own (imported last: they refer to the models above).
from .casework import ExitRecord as ExitRecord  # noqa: E402
from .casework import FollowUp as FollowUp  # noqa: E402
from .casework import Handover as Handover  # noqa: E402
from .casework import IntakeWindow as IntakeWindow  # noqa: E402
from .casework import PlanAgreement as PlanAgreement  # noqa: E402
from .casework import PlanRevision as PlanRevision  # noqa: E402
from .documents import ParticipantDocument as ParticipantDocument  # noqa: E402
from .duplicates import DuplicateSuspicion as DuplicateSuspicion  # noqa: E402
from .funder import EligibilityRule as EligibilityRule  # noqa: E402
from .funder import EntryBackground as EntryBackground  # noqa: E402
from .funder import ExitResult as ExitResult  # noqa: E402
from .funder import FunderProfile as FunderProfile  # noqa: E402
