"""Organisations, users, partnership agreements and their budgets.

Money helpers (`format_sek`, `round_money`, `MoneyField`) and `Role` live in iop; they are
imported here, so `from partnerships.models import format_sek` keeps working.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from iop.money import MoneyField, format_sek, round_money
from iop.roles import Role

from .validators import normalise_org_number, validate_gln, validate_org_number, validate_peppol_id

# --------------------------------------------------------------------------- organisations


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
            names = set(self.groups.values_list("name", flat=True))
            if self.is_superuser:
                names.add(Role.ADMIN)
            self._role_cache = names & set(Role.values)
        return self._role_cache

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles() & set(roles))

    @property
    def is_administrator(self) -> bool:
        return self.has_role(Role.ADMIN)


# --------------------------------------------------------------------------- agreements


class AgreementQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> AgreementQuerySet:
        """Agreements the user may see: those their organisation is party to."""
        if not user.is_authenticated:
            return self.none()
        if user.is_administrator:
            return self
        if user.organisation_id is None:
            return self.none()
        return self.filter(
            pk__in=AgreementParty.objects.filter(organisation_id=user.organisation_id).values(
                "agreement_id"
            )
        )

    def active_on(self, day: datetime.date) -> AgreementQuerySet:
        return self.filter(status=Agreement.Status.ACTIVE, start_date__lte=day, end_date__gte=day)


class Agreement(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Utkast")
        AWAITING_DECISION = "awaiting_decision", _("Inväntar beslut")
        ACTIVE = "active", _("Gällande")
        ENDED = "ended", _("Avslutad")
        TERMINATED = "terminated", _("Uppsagd i förtid")

    # The only allowed status changes; anything else is refused with a message.
    TRANSITIONS: dict[str, tuple[str, ...]] = {
        Status.DRAFT: (Status.AWAITING_DECISION,),
        Status.AWAITING_DECISION: (Status.DRAFT, Status.ACTIVE),
        Status.ACTIVE: (Status.ENDED, Status.TERMINATED),
        Status.ENDED: (),
        Status.TERMINATED: (),
    }

    class InvoicingRhythm(models.TextChoices):
        YEARLY = "yearly", _("En gång per år")
        HALF_YEARLY = "half_yearly", _("Två gånger per år")
        QUARTERLY = "quarterly", _("En gång per kvartal")

    short_id = models.SlugField(
        _("kortnamn"),
        max_length=40,
        unique=True,
        help_text=_(
            "Kort identifierare, till exempel ”bromodellen”. Används i kommandon och filnamn."
        ),
    )
    title = models.CharField(_("titel"), max_length=200)
    background = models.TextField(_("bakgrund"), blank=True)
    purpose = models.TextField(_("syfte"), blank=True)
    target_group = models.TextField(_("målgrupp"), blank=True)
    value_base = models.TextField(_("värdegrund"), blank=True)
    focus_areas = models.TextField(
        _("fokusområden"), blank=True, help_text=_("Ett fokusområde per rad.")
    )
    confidentiality = models.TextField(_("sekretess och tystnadsplikt"), blank=True)
    start_date = models.DateField(_("startdatum"))
    end_date = models.DateField(_("slutdatum"))
    extension_count = models.PositiveSmallIntegerField(_("antal möjliga förlängningar"), default=0)
    extension_months = models.PositiveSmallIntegerField(
        _("förlängning per gång (månader)"), default=12
    )
    extension_notice_months = models.PositiveSmallIntegerField(
        _("beslut om förlängning senast (månader före slut)"), default=3
    )
    decision_date = models.DateField(_("beslutsdatum"), null=True, blank=True)
    decision_reference = models.CharField(_("diarienummer"), max_length=100, blank=True)
    decision_body = models.CharField(_("beslutande organ"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    capacity = models.PositiveIntegerField(
        _("kapacitet (platser)"),
        null=True,
        blank=True,
        help_text=_("Antal platser, till exempel 40 heltidsplatser."),
    )
    followups_per_year = models.PositiveSmallIntegerField(
        _("uppföljningsmöten per år"), default=4, validators=[MinValueValidator(0)]
    )
    report_due_month = models.PositiveSmallIntegerField(
        _("årsrapport senast, månad"),
        default=3,
        validators=[MinValueValidator(1)],
    )
    report_due_day = models.PositiveSmallIntegerField(
        _("årsrapport senast, dag"), default=31, validators=[MinValueValidator(1)]
    )
    invoicing = models.CharField(
        _("fakturering"),
        max_length=20,
        choices=InvoicingRhythm.choices,
        default=InvoicingRhythm.YEARLY,
    )
    pays_against_actuals = models.BooleanField(
        _("ersättning mot faktiska kostnader"),
        default=False,
        help_text=_(
            "Kryssa i om den offentliga parten betalar mot redovisat utfall, högst upp till bidraget."
        ),
    )
    signed_on = models.DateField(_("undertecknat"), null=True, blank=True)
    signatories = models.TextField(
        _("undertecknare"),
        blank=True,
        help_text=_("En rad per undertecknare: namn, befattning, part."),
    )
    terminated_on = models.DateField(_("uppsagt per"), null=True, blank=True)
    termination_reason = models.TextField(_("skäl till uppsägning"), blank=True)
    # Optimistic lock: every save through the application bumps it.
    revision = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AgreementQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "title"]
        verbose_name = _("överenskommelse")
        verbose_name_plural = _("överenskommelser")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="agreement_end_after_start",
                violation_error_message=_("Slutdatum kan inte ligga före startdatum."),
            ),
            models.CheckConstraint(
                condition=Q(report_due_month__gte=1, report_due_month__lte=12)
                & Q(report_due_day__gte=1, report_due_day__lte=31),
                name="agreement_report_due_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("agreement_detail", args=[self.pk])

    def clean(self) -> None:
        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("Slutdatum kan inte ligga före startdatum.")
        try:
            datetime.date(2024, self.report_due_month, self.report_due_day)
        except (TypeError, ValueError):
            errors["report_due_day"] = _("Datumet för årsrapporten finns inte.")
        if errors:
            raise ValidationError(errors)

    # --- dates

    @property
    def years(self) -> list[int]:
        return list(range(self.start_date.year, self.end_date.year + 1))

    def covers_year(self, year: int) -> bool:
        return self.start_date.year <= year <= self.end_date.year

    def report_due_date(self, year: int) -> datetime.date:
        """The annual report for `year` is due the following year (31 March by default)."""
        month, day = self.report_due_month, self.report_due_day
        if month == 2 and day == 29:
            # Only leap years have 29 February; fall back to the last day of February.
            try:
                return datetime.date(year + 1, 2, 29)
            except ValueError:
                return datetime.date(year + 1, 2, 28)
        return datetime.date(year + 1, month, day)

    def extensions_used(self) -> int:
        return self.extensions.count()

    def extensions_left(self) -> int:
        return max(self.extension_count - self.extensions_used(), 0)

    def extension_decision_deadline(self) -> datetime.date | None:
        """Last day to decide on an extension, if one is still possible."""
        if self.extensions_left() == 0 or self.status in (
            self.Status.ENDED,
            self.Status.TERMINATED,
        ):
            return None
        return add_months(self.end_date, -self.extension_notice_months)

    def focus_area_list(self) -> list[str]:
        return [line.strip() for line in self.focus_areas.splitlines() if line.strip()]

    def allowed_transitions(self) -> list[str]:
        return list(self.TRANSITIONS.get(self.status, ()))

    def public_parties(self):
        return self.parties.filter(role=AgreementParty.PartyRole.PUBLIC_FUNDER)

    def operator_party(self) -> AgreementParty | None:
        return (
            self.parties.filter(role=AgreementParty.PartyRole.OPERATOR)
            .select_related("organisation")
            .first()
        )


def add_months(day: datetime.date, months: int) -> datetime.date:
    """Move a date by whole months, clamping to the last day of a shorter month."""
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)


class AgreementParty(models.Model):
    class PartyRole(models.TextChoices):
        PUBLIC_FUNDER = "public_funder", _("Offentlig finansiär")
        OPERATOR = "operator", _("Idéburen utförare")
        CO_FINANCIER = "co_financier", _("Medfinansiär")
        PARTNER = "partner", _("Samverkanspart")

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="parties",
        verbose_name=_("överenskommelse"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="agreement_parties",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("roll"), max_length=20, choices=PartyRole.choices)
    contact_person = models.ForeignKey(
        ContactPerson,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("kontaktperson"),
    )
    responsibilities = models.TextField(_("ansvar och åtaganden"), blank=True)

    class Meta:
        ordering = ["role", "organisation__name"]
        verbose_name = _("part")
        verbose_name_plural = _("parter")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "organisation"],
                name="party_once_per_agreement",
                violation_error_message=_("Organisationen är redan part i överenskommelsen."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.get_role_display()}"

    def clean(self) -> None:
        # The party form has no agreement field, so Django's unique check would skip this.
        if (
            self.agreement_id
            and self.organisation_id
            and AgreementParty.objects.filter(
                agreement_id=self.agreement_id, organisation_id=self.organisation_id
            )
            .exclude(pk=self.pk)
            .exists()
        ):
            raise ValidationError(
                {"organisation": _("Organisationen är redan part i överenskommelsen.")}
            )
        contact = self.contact_person if self.contact_person_id and self.organisation_id else None
        if contact is not None and contact.organisation_id != self.organisation_id:
            raise ValidationError(
                {"contact_person": _("Kontaktpersonen måste tillhöra partens organisation.")}
            )


class Resource(models.Model):
    """What a party contributes: cash, staff time, premises, volunteer hours."""

    class Kind(models.TextChoices):
        CASH = "cash", _("Pengar")
        STAFF = "staff", _("Personal")
        PREMISES = "premises", _("Lokaler")
        VOLUNTEER = "volunteer", _("Ideella timmar")
        OTHER = "other", _("Övrigt")

    party = models.ForeignKey(
        AgreementParty, on_delete=models.CASCADE, related_name="resources", verbose_name=_("part")
    )
    kind = models.CharField(_("slag"), max_length=20, choices=Kind.choices)
    description = models.CharField(_("beskrivning"), max_length=300)
    quantity = models.CharField(
        _("omfattning"),
        max_length=100,
        blank=True,
        help_text=_("Till exempel 0,5 årsarbetare eller 200 timmar."),
    )

    class Meta:
        ordering = ["kind", "pk"]
        verbose_name = _("resurs")
        verbose_name_plural = _("resurser")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.description}"


class Goal(models.Model):
    """The goal tree: an overall goal (no parent) with sub-goals (delmål)."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="goals", verbose_name=_("överenskommelse")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("övergripande mål"),
    )
    title = models.CharField(_("mål"), max_length=300)
    description = models.TextField(_("beskrivning"), blank=True)
    position = models.PositiveSmallIntegerField(_("ordning"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("mål")
        verbose_name_plural = _("mål")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        parent = self.parent if self.parent_id else None
        if parent is not None and parent.agreement_id != self.agreement_id:
            raise ValidationError({"parent": _("Målet måste höra till samma överenskommelse.")})
        if parent is not None and parent.parent_id:
            raise ValidationError({"parent": _("Delmål kan inte ha egna delmål.")})


class Indicator(models.Model):
    class Unit(models.TextChoices):
        PERCENT = "percent", _("procent")
        COUNT = "count", _("antal")

    class Metric(models.TextChoices):
        """Indicators the system can measure itself; MANUAL ones are entered in the report."""

        MANUAL = "manual", _("Manuellt ifylld")
        SHARE_TO_WORK = "share_to_work", _("Andel avslutade till arbete")
        SHARE_TO_STUDIES = "share_to_studies", _("Andel avslutade till studier")
        STEP_PROGRESSION = "step_progression", _("Andel med stegförflyttning")
        OFF_INCOME_SUPPORT = "off_income_support", _("Andel som lämnat försörjningsstöd")
        PARTICIPANTS = "participants", _("Antal deltagare")
        CONTACTS = "contacts", _("Antal kontakter")

    goal = models.ForeignKey(
        Goal, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("mål")
    )
    name = models.CharField(_("indikator"), max_length=300)
    unit = models.CharField(_("enhet"), max_length=10, choices=Unit.choices, default=Unit.PERCENT)
    metric = models.CharField(
        _("mäts som"), max_length=30, choices=Metric.choices, default=Metric.MANUAL
    )
    higher_is_better = models.BooleanField(_("högre är bättre"), default=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("indikator")
        verbose_name_plural = _("indikatorer")

    def __str__(self) -> str:
        return self.name


class IndicatorTarget(models.Model):
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="targets", verbose_name=_("indikator")
    )
    year = models.PositiveSmallIntegerField(_("år"))
    target = models.DecimalField(_("målvärde"), max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["year"]
        verbose_name = _("målvärde")
        verbose_name_plural = _("målvärden")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year"],
                name="one_target_per_indicator_year",
                violation_error_message=_("Indikatorn har redan ett målvärde för året."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.target} ({self.year})"


class Extension(models.Model):
    """An exercised extension option: moves the agreement's end date."""

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="extensions",
        verbose_name=_("överenskommelse"),
    )
    decided_on = models.DateField(_("beslutsdatum"))
    decision_reference = models.CharField(_("diarienummer"), max_length=100, blank=True)
    previous_end_date = models.DateField(_("tidigare slutdatum"))
    new_end_date = models.DateField(_("nytt slutdatum"))
    recorded_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("registrerad av")
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["decided_on"]
        verbose_name = _("förlängning")
        verbose_name_plural = _("förlängningar")
        constraints = [
            models.CheckConstraint(
                condition=Q(new_end_date__gt=models.F("previous_end_date")),
                name="extension_moves_end_forward",
            )
        ]

    def __str__(self) -> str:
        return f"{self.agreement}: {self.previous_end_date} → {self.new_end_date}"


class AgreementVersion(models.Model):
    """A dated, approved version of the agreement: the original and every amendment.

    `snapshot` holds the whole agreement as it read from `valid_from` (parties, goals,
    budgets), so that "what did it say on a given day" is answered without replaying
    history.
    """

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="versions",
        verbose_name=_("överenskommelse"),
    )
    number = models.PositiveIntegerField(_("version"))
    valid_from = models.DateField(_("gäller från"))
    summary = models.CharField(_("vad ändrades"), max_length=300)
    approved_on = models.DateField(_("godkänd"), null=True, blank=True)
    approved_by = models.TextField(
        _("godkänd av"), blank=True, help_text=_("Vilka parter som godkänt ändringen, och hur.")
    )
    snapshot = models.JSONField(_("innehåll"))
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("registrerad av")
    )
    created_at = models.DateTimeField(_("registrerad"), default=timezone.now)

    class Meta:
        ordering = ["agreement", "number"]
        verbose_name = _("version")
        verbose_name_plural = _("versioner")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="version_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.agreement} v{self.number}"

    @property
    def label(self) -> str:
        return f"v{self.number} ({self.valid_from.isoformat()})"


# --------------------------------------------------------------------------- budgets


class Budget(models.Model):
    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="budgets",
        verbose_name=_("överenskommelse"),
    )
    year = models.PositiveSmallIntegerField(_("år"))
    indexation_percent = models.DecimalField(
        _("uppräkning till nästa år (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        help_text=_("Till exempel 2,00 för +2 % per nytt år."),
    )
    public_grant = MoneyField(
        _("offentligt bidrag"),
        null=True,
        blank=True,
        help_text=_("Lämna tomt för att räkna fram bidraget från de offentliga parternas andelar."),
    )
    derived_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="derived",
        verbose_name=_("uppräknad från"),
    )
    note = models.TextField(_("kommentar"), blank=True)
    revision = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["agreement", "year"]
        verbose_name = _("budget")
        verbose_name_plural = _("budgetar")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "year"],
                name="one_budget_per_agreement_year",
                violation_error_message=_("Det finns redan en budget för det året."),
            ),
            models.CheckConstraint(
                condition=Q(indexation_percent__gte=-100), name="budget_indexation_sane"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement} {self.year}"

    def get_absolute_url(self) -> str:
        return reverse("budget_detail", args=[self.agreement_id, self.year])

    def clean(self) -> None:
        if self.agreement_id and self.year and not self.agreement.covers_year(self.year):
            raise ValidationError(
                {
                    "year": _(
                        "Året %(year)s ligger utanför överenskommelsens period %(start)s–%(end)s."
                    )
                    % {
                        "year": self.year,
                        "start": self.agreement.start_date.year,
                        "end": self.agreement.end_date.year,
                    }
                }
            )
        # The form has no agreement field, so Django's unique check would skip this one.
        if (
            self.agreement_id
            and self.year
            and Budget.objects.filter(agreement_id=self.agreement_id, year=self.year)
            .exclude(pk=self.pk)
            .exists()
        ):
            raise ValidationError({"year": _("Det finns redan en budget för det året.")})

    def total(self) -> Decimal:
        return self.cost_lines.aggregate(total=Sum("amount"))["total"] or Decimal("0")

    def share_amounts(self, total: Decimal | None = None) -> list[tuple[FundingShare, Decimal]]:
        total = self.total() if total is None else total
        return [
            (share, share.amount_of(total))
            for share in self.shares.select_related("party__organisation")
        ]

    def shares_error(
        self, total: Decimal | None = None, pairs: list[tuple[FundingShare, Decimal]] | None = None
    ) -> str | None:
        """Why the funding shares do not cover the total, or None when they do.

        `total` and `pairs` (from share_amounts) may be passed in by a caller that has them.
        """
        total = self.total() if total is None else total
        pairs = self.share_amounts(total) if pairs is None else pairs
        if not pairs:
            return None
        covered = sum((amount for _share, amount in pairs), Decimal("0"))
        if covered != total:
            return str(
                _("Finansieringsandelarna blir %(covered)s men budgeten är %(total)s.")
                % {"covered": format_sek(covered), "total": format_sek(total)}
            )
        return None

    def grant(self, pairs: list[tuple[FundingShare, Decimal]] | None = None) -> Decimal:
        """The public grant for the year: as stated, or the public funders' shares."""
        if self.public_grant is not None:
            return self.public_grant
        pairs = self.share_amounts() if pairs is None else pairs
        return sum(
            (
                amount
                for share, amount in pairs
                if share.party.role == AgreementParty.PartyRole.PUBLIC_FUNDER
            ),
            Decimal("0"),
        )


class CostLine(models.Model):
    class Category(models.TextChoices):
        PERSONNEL = "personnel", _("Personal")
        PREMISES = "premises", _("Lokaler")
        MATERIALS = "materials", _("Material")
        EXTERNAL = "external", _("Externa tjänster")
        OTHER = "other", _("Övrigt")

    budget = models.ForeignKey(
        Budget, on_delete=models.CASCADE, related_name="cost_lines", verbose_name=_("budget")
    )
    category = models.CharField(_("kategori"), max_length=20, choices=Category.choices)
    description = models.CharField(_("beskrivning"), max_length=300)
    fte = models.DecimalField(
        _("årsarbetare"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    amount = MoneyField(_("belopp (kr)"), validators=[MinValueValidator(Decimal("0"))])
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("kostnadspost")
        verbose_name_plural = _("kostnadsposter")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="cost_line_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(fte__isnull=True) | Q(fte__gte=0), name="cost_line_fte_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.description}: {format_sek(self.amount)}"


class FundingShare(models.Model):
    """A party's share of a year's budget, as a fixed amount or a percentage."""

    budget = models.ForeignKey(
        Budget, on_delete=models.CASCADE, related_name="shares", verbose_name=_("budget")
    )
    party = models.ForeignKey(
        AgreementParty, on_delete=models.CASCADE, related_name="shares", verbose_name=_("part")
    )
    amount = MoneyField(
        _("belopp (kr)"), null=True, blank=True, validators=[MinValueValidator(Decimal("0"))]
    )
    percent = models.DecimalField(
        _("andel (%)"),
        max_digits=6,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )

    class Meta:
        ordering = ["-percent", "-amount", "pk"]
        verbose_name = _("finansieringsandel")
        verbose_name_plural = _("finansieringsandelar")
        constraints = [
            models.CheckConstraint(
                condition=(Q(amount__isnull=False) & Q(percent__isnull=True))
                | (Q(amount__isnull=True) & Q(percent__isnull=False)),
                name="share_amount_xor_percent",
                violation_error_message=_("Ange antingen belopp eller procent, inte båda."),
            ),
            models.CheckConstraint(
                condition=Q(percent__isnull=True) | Q(percent__gte=0, percent__lte=100),
                name="share_percent_range",
                violation_error_message=_("Andelen måste vara mellan 0 och 100 %."),
            ),
            models.UniqueConstraint(
                fields=["budget", "party"],
                name="one_share_per_party_and_budget",
                violation_error_message=_("Parten har redan en andel i budgeten."),
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.party.organisation}: {self.percent}%"
            if self.percent is not None
            else (f"{self.party.organisation}: {format_sek(self.amount)}")
        )

    def clean(self) -> None:
        if (self.amount is None) == (self.percent is None):
            raise ValidationError(_("Ange antingen belopp eller procent, inte båda."))
        if self.budget_id and self.party_id and self.party.agreement_id != self.budget.agreement_id:
            raise ValidationError({"party": _("Parten hör inte till överenskommelsen.")})

    def amount_of(self, total: Decimal) -> Decimal:
        if self.amount is not None:
            return self.amount
        if self.percent is None:
            # Neither filled in yet (clean() says so): the share covers nothing.
            return round_money(Decimal("0"))
        # Percent shares are rounded to öre, half up (see round_money).
        return round_money(total * self.percent / Decimal("100"))


class ActualCost(models.Model):
    """Utfall: an actual cost booked against a cost line, with its voucher reference."""

    cost_line = models.ForeignKey(
        CostLine, on_delete=models.PROTECT, related_name="actuals", verbose_name=_("kostnadspost")
    )
    date = models.DateField(_("datum"))
    amount = MoneyField(_("belopp (kr)"))
    voucher = models.CharField(_("verifikation"), max_length=60)
    description = models.CharField(_("beskrivning"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("registrerad av")
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("utfall")
        verbose_name_plural = _("utfall")
        constraints = [
            models.UniqueConstraint(
                fields=["cost_line", "voucher"],
                name="voucher_once_per_cost_line",
                violation_error_message=_("Verifikationen är redan bokförd på kostnadsposten."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.voucher}: {format_sek(self.amount)}"

    def clean(self) -> None:
        if self.cost_line_id and self.date and self.date.year != self.cost_line.budget.year:
            raise ValidationError(
                {
                    "date": _("Datumet måste ligga inom budgetåret %(year)s.")
                    % {"year": self.cost_line.budget.year}
                }
            )


class OtherFunding(models.Model):
    """Another funder of the same activity, recorded so that no cost is financed twice."""

    budget = models.ForeignKey(
        Budget, on_delete=models.CASCADE, related_name="other_funding", verbose_name=_("budget")
    )
    funder = models.CharField(_("finansiär"), max_length=200)
    amount = MoneyField(_("belopp (kr)"), validators=[MinValueValidator(Decimal("0"))])
    purpose = models.CharField(_("avser"), max_length=300, blank=True)

    class Meta:
        ordering = ["funder"]
        verbose_name = _("annan finansiering")
        verbose_name_plural = _("annan finansiering")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="other_funding_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.funder}: {format_sek(self.amount)}"


# --------------------------------------------------------------------------- meetings
# Follow-up: meetings with attendees, decisions and action items; the calendar feed
# token and the record of reminders sent. Deadlines are computed in deadlines.py.


def quarter_bounds(year: int, quarter: int) -> tuple[datetime.date, datetime.date]:
    """First and last day of a calendar quarter (1–4)."""
    first = datetime.date(year, 3 * quarter - 2, 1)
    return first, add_months(first, 3) - datetime.timedelta(days=1)


def covered_quarters(agreement: Agreement, year: int) -> list[int]:
    """The quarters of `year` that overlap the agreement's period."""
    return [
        quarter
        for quarter in (1, 2, 3, 4)
        if quarter_bounds(year, quarter)[0] <= agreement.end_date
        and quarter_bounds(year, quarter)[1] >= agreement.start_date
    ]


def required_followups(agreement: Agreement, year: int, quarters: int | None = None) -> int:
    """Follow-up meetings required in `year` by the end of its `quarters`-th covered quarter.

    The yearly number is spread evenly over the quarters the agreement covers, rounded up
    (4 a year → one a quarter; 3 a year → 1, 2, 3, 3 by quarter end). A year the agreement
    only partly covers requires its share of the yearly number.
    """
    covered = len(covered_quarters(agreement, year))
    quarters = covered if quarters is None else min(quarters, covered)
    if quarters <= 0:
        return 0
    return -(-agreement.followups_per_year * quarters // 4)


@dataclass(frozen=True)
class FollowupSummary:
    """How an agreement stands against its required follow-up meetings in one year."""

    year: int
    held: int
    required: int
    planned: int
    # Quarters (number, first day, last day) that ended without a held follow-up meeting.
    missed_quarters: tuple[tuple[int, datetime.date, datetime.date], ...]

    @property
    def is_behind(self) -> bool:
        return bool(self.missed_quarters)


class MeetingQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> MeetingQuerySet:
        return self.filter(agreement__in=Agreement.objects.visible_to(user))

    def followups(self) -> MeetingQuerySet:
        return self.filter(kind=Meeting.Kind.FOLLOWUP)

    def followup_summary(
        self, agreement: Agreement, year: int | None = None, today: datetime.date | None = None
    ) -> FollowupSummary:
        """Follow-up meetings held against the number required, and quarters missed."""
        today = today or timezone.localdate()
        year = year or today.year
        dates = list(
            self.filter(agreement=agreement, date__year=year)
            .followups()
            .exclude(status=Meeting.Status.CANCELLED)
            .values_list("date", "status")
        )
        held = [day for day, status in dates if status == Meeting.Status.HELD]
        missed = []
        for quarter in covered_quarters(agreement, year):
            first, last = quarter_bounds(year, quarter)
            if last < today and not any(first <= day <= last for day in held):
                missed.append((quarter, max(first, agreement.start_date), last))
        return FollowupSummary(
            year=year,
            held=len(held),
            required=required_followups(agreement, year),
            planned=sum(1 for day, status in dates if status == Meeting.Status.PLANNED),
            missed_quarters=tuple(missed),
        )


class Meeting(models.Model):
    class Kind(models.TextChoices):
        FOLLOWUP = "followup", _("Uppföljningsmöte")
        STEERING = "steering", _("Styrgruppsmöte")
        COLLABORATION = "collaboration", _("Samverkansgruppsmöte")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planerat")
        HELD = "held", _("Genomfört")
        CANCELLED = "cancelled", _("Inställt")

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="meetings",
        verbose_name=_("överenskommelse"),
    )
    kind = models.CharField(_("typ av möte"), max_length=20, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    date = models.DateField(_("datum"))
    start_time = models.TimeField(_("klockan"), null=True, blank=True)
    place = models.CharField(_("plats"), max_length=200, blank=True)
    convened_by = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="convened_meetings",
        verbose_name=_("sammankallande part"),
    )
    agenda = models.TextField(_("dagordning"), blank=True, help_text=_("En punkt per rad."))
    minutes = models.TextField(_("protokoll"), blank=True)
    created_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registrerat av"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-start_time", "-pk"]
        verbose_name = _("möte")
        verbose_name_plural = _("möten")
        indexes = [models.Index(fields=["agreement", "kind", "date"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date.isoformat()}"

    def get_absolute_url(self) -> str:
        return reverse("meeting_detail", args=[self.pk])

    def clean(self) -> None:
        errors: dict[str, str | Promise] = {}
        if self.agreement_id and self.date:
            agreement = self.agreement
            if not agreement.start_date <= self.date <= agreement.end_date:
                errors["date"] = _(
                    "Mötet måste ligga inom överenskommelsens period %(start)s–%(end)s."
                ) % {
                    "start": agreement.start_date.isoformat(),
                    "end": agreement.end_date.isoformat(),
                }
        if self.status == self.Status.HELD and self.date and self.date > timezone.localdate():
            errors["status"] = _("Ett möte som ligger i framtiden kan inte vara genomfört.")
        if (
            self.agreement_id
            and self.convened_by_id
            and not self.agreement.parties.filter(organisation_id=self.convened_by_id).exists()
        ):
            errors["convened_by"] = _(
                "Den sammankallande organisationen är inte part i överenskommelsen."
            )
        if errors:
            raise ValidationError(errors)

    def agenda_items(self) -> list[str]:
        return [line.strip() for line in self.agenda.splitlines() if line.strip()]


class Attendee(models.Model):
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="attendees", verbose_name=_("möte")
    )
    name = models.CharField(_("namn"), max_length=200)
    title = models.CharField(_("befattning"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("part")
    )

    class Meta:
        ordering = ["organisation__name", "name"]
        verbose_name = _("deltagare vid möte")
        verbose_name_plural = _("deltagare vid möte")

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"

    def clean(self) -> None:
        if (
            self.meeting_id
            and self.organisation_id
            and not AgreementParty.objects.filter(
                agreement_id=self.meeting.agreement_id, organisation_id=self.organisation_id
            ).exists()
        ):
            raise ValidationError(
                {"organisation": _("Organisationen är inte part i överenskommelsen.")}
            )


class Decision(models.Model):
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("möte")
    )
    text = models.TextField(_("beslut"))
    amendment = models.ForeignKey(
        AgreementVersion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("ledde till ändring"),
        help_text=_("Den version av överenskommelsen som beslutet ledde till, om någon."),
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("beslut")
        verbose_name_plural = _("beslut")

    def __str__(self) -> str:
        return self.text[:80]

    def clean(self) -> None:
        amendment = self.amendment if self.meeting_id and self.amendment_id else None
        if amendment is not None and amendment.agreement_id != self.meeting.agreement_id:
            raise ValidationError({"amendment": _("Ändringen hör till en annan överenskommelse.")})


class ActionItemQuerySet(models.QuerySet):
    def open(self) -> ActionItemQuerySet:
        return self.filter(done_on__isnull=True)

    def visible_to(self, user: User) -> ActionItemQuerySet:
        return self.filter(meeting__agreement__in=Agreement.objects.visible_to(user))


class ActionItem(models.Model):
    """A task decided at a meeting, with an owner and a due date; ticked off later."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="action_items", verbose_name=_("möte")
    )
    description = models.CharField(_("åtgärd"), max_length=300)
    owner = models.CharField(
        _("ansvarig"),
        max_length=200,
        error_messages={"blank": _("Ange vem som ansvarar för åtgärden.")},
    )
    owner_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ansvarig part"),
    )
    due_date = models.DateField(
        _("klart senast"), error_messages={"null": _("Ange när åtgärden ska vara klar.")}
    )
    done_on = models.DateField(_("klar"), null=True, blank=True)
    done_at_meeting = models.ForeignKey(
        Meeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="completed_items",
        verbose_name=_("avbockad vid möte"),
    )

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("åtgärd")
        verbose_name_plural = _("åtgärder")
        constraints = [
            models.CheckConstraint(
                condition=~Q(owner=""),
                name="action_item_has_owner",
                violation_error_message=_("Ange vem som ansvarar för åtgärden."),
            ),
        ]

    def __str__(self) -> str:
        return self.description

    def clean(self) -> None:
        if (
            self.meeting_id
            and self.owner_organisation_id
            and not AgreementParty.objects.filter(
                agreement_id=self.meeting.agreement_id, organisation_id=self.owner_organisation_id
            ).exists()
        ):
            raise ValidationError(
                {"owner_organisation": _("Organisationen är inte part i överenskommelsen.")}
            )

    @property
    def is_done(self) -> bool:
        return self.done_on is not None

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return not self.is_done and self.due_date < (today or timezone.localdate())


class CalendarToken(models.Model):
    """A user's secret calendar-feed address. Revoking it makes the old address answer 404."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="calendar_tokens", verbose_name=_("användare")
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("kalenderlänk")
        verbose_name_plural = _("kalenderlänkar")
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(revoked_at__isnull=True),
                name="one_active_calendar_token_per_user",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({'återkallad' if self.revoked_at else 'aktiv'})"


class SentReminder(models.Model):
    """One e-mail reminder sent to one user for one deadline on its due date.

    The due date is part of the key: when a deadline moves (an agreement is extended), the
    moved deadline is reminded of again.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    due_date = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("skickad påminnelse")
        verbose_name_plural = _("skickade påminnelser")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key", "due_date"], name="remind_once_per_deadline"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.key} {self.due_date.isoformat()}"
