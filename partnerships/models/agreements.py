"""Partnership agreements (IOP) and their parts: parties and their resources, goals,
indicators and targets, extensions, and the version recorded at every change."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from iop.money import format_sek

from .organisations import ContactPerson, Organisation, User


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

    def with_current_status(self, status: str, day: datetime.date) -> AgreementQuerySet:
        """Agreements whose status, as shown on `day`, is `status`: an active agreement
        past its end date counts as ended even before end_expired_agreements has run."""
        if status == Agreement.Status.ACTIVE:
            return self.filter(status=status, end_date__gte=day)
        if status == Agreement.Status.ENDED:
            return self.filter(
                Q(status=status) | Q(status=Agreement.Status.ACTIVE, end_date__lt=day)
            )
        return self.filter(status=status)

    def past_end(self, day: datetime.date) -> AgreementQuerySet:
        """Still marked active although their end date has passed."""
        return self.filter(status=Agreement.Status.ACTIVE, end_date__lt=day)


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
        MONTHLY = "monthly", _("En gång per månad")

    class TerminationSettlement(models.TextChoices):
        PRO_RATA = "pro_rata", _("Bidraget i proportion till dagarna fram till uppsägningen")
        ACTUAL_COSTS = "actual_costs", _("Faktiska kostnader fram till uppsägningen")

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
    participant_max_days = models.PositiveIntegerField(
        _("längsta tid per deltagare (dagar)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_(
            "Gäller när inskrivningen inte har en egen planerad högsta tid. "
            "Handläggarens startsida visar deltagare som passerat den."
        ),
    )
    followups_per_year = models.PositiveSmallIntegerField(
        _("uppföljningsmöten per år"), default=4, validators=[MinValueValidator(0)]
    )
    report_due_month = models.PositiveSmallIntegerField(
        _("årsrapport senast, månad"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    report_due_day = models.PositiveSmallIntegerField(
        _("årsrapport senast, dag"),
        default=31,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
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
    invoice_in_advance = models.BooleanField(
        _("fakturering i förskott"),
        default=True,
        help_text=_("Kryssa ur om perioden faktureras i efterskott, när den är slut."),
    )
    termination_settlement = models.CharField(
        _("reglering vid uppsägning"),
        max_length=20,
        choices=TerminationSettlement.choices,
        default=TerminationSettlement.PRO_RATA,
        help_text=_(
            "Vad den offentliga parten betalar för perioden då överenskommelsen sägs upp; "
            "det som betalats utöver det ska återbetalas."
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
                violation_error_message=_(
                    "Årsrapportens sista dag måste vara ett datum: månad 1–12 och dag 1–31."
                ),
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

    def status_on(self, day: datetime.date) -> str:
        """The status as it stands on `day`: an agreement past its end date has ended,
        whether or not the daily end_expired_agreements has recorded it yet."""
        if self.status == self.Status.ACTIVE and self.end_date < day:
            return self.Status.ENDED
        return self.status

    @property
    def current_status(self) -> str:
        return self.status_on(timezone.localdate())

    @property
    def current_status_label(self) -> str:
        return str(self.Status(self.current_status).label)

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
        return self.decision_deadline_for_current_end()

    def decision_deadline_for_current_end(self) -> datetime.date:
        """The agreed latest day to decide on extending beyond the present end date."""
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
    # A party may join or leave during the agreement; empty means from start or to end.
    joined_on = models.DateField(
        _("part från"),
        null=True,
        blank=True,
        help_text=_("Lämnas tomt om parten varit med från start."),
    )
    left_on = models.DateField(
        _("part till"),
        null=True,
        blank=True,
        help_text=_("Lämnas tomt om parten är med till slutet."),
    )

    class Meta:
        ordering = ["role", "organisation__name"]
        verbose_name = _("part")
        verbose_name_plural = _("parter")
        constraints = [
            models.CheckConstraint(
                condition=Q(joined_on__isnull=True)
                | Q(left_on__isnull=True)
                | Q(left_on__gte=models.F("joined_on")),
                name="party_left_after_joined",
                violation_error_message=_("Parten kan inte lämna före den gick in."),
            ),
            models.UniqueConstraint(
                fields=["agreement", "organisation"],
                name="party_once_per_agreement",
                violation_error_message=_("Organisationen är redan part i överenskommelsen."),
            ),
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
        self._check_membership_dates()
        contact = self.contact_person if self.contact_person_id and self.organisation_id else None
        if contact is not None and contact.organisation_id != self.organisation_id:
            raise ValidationError(
                {"contact_person": _("Kontaktpersonen måste tillhöra partens organisation.")}
            )

    def _check_membership_dates(self) -> None:
        errors: dict[str, Any] = {}
        if self.joined_on and self.left_on and self.left_on < self.joined_on:
            errors["left_on"] = _("Parten kan inte lämna före den gick in.")
        agreement = self.agreement if self.agreement_id else None
        for name in ("joined_on", "left_on"):
            day = getattr(self, name)
            if (
                agreement is not None
                and day
                and not (agreement.start_date <= day <= agreement.end_date)
            ):
                errors.setdefault(
                    name,
                    _("Datumet måste ligga inom överenskommelsens period %(start)s–%(end)s.")
                    % {
                        "start": agreement.start_date.isoformat(),
                        "end": agreement.end_date.isoformat(),
                    },
                )
        if errors:
            raise ValidationError(errors)

    @property
    def period_text(self) -> str:
        """ "från 2016-01-01", "till 2015-12-31", both, or "" for the whole agreement."""
        parts = []
        if self.joined_on:
            parts.append(_("från %(day)s") % {"day": self.joined_on.isoformat()})
        if self.left_on:
            parts.append(_("till %(day)s") % {"day": self.left_on.isoformat()})
        return " ".join(str(p) for p in parts)


class InvoicingPair(models.Model):
    """Who invoices whom: a seller (an operator, or the project owner) invoices a buyer (a public funder) a share
    of the buyer's funding, in per cent or as a fixed amount a year, with the buyer's
    marking and reference. Without pairs the first operator invoices every funder."""

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="invoicing_pairs",
        verbose_name=_("överenskommelse"),
    )
    seller = models.ForeignKey(
        AgreementParty,
        on_delete=models.PROTECT,
        related_name="pairs_as_seller",
        verbose_name=_("fakturerar"),
    )
    buyer = models.ForeignKey(
        AgreementParty,
        on_delete=models.PROTECT,
        related_name="pairs_as_buyer",
        verbose_name=_("faktureras"),
    )
    percent = models.DecimalField(
        _("andel (procent)"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Säljarens andel av köparens finansiering."),
    )
    amount = models.DecimalField(
        _("fast belopp per år"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    marking = models.CharField(
        _("märkning"),
        max_length=200,
        blank=True,
        help_text=_("Till exempel ”ID 150010, AKTIVITET: 450211”."),
    )
    marking_text = models.CharField(
        _("märkningstext"),
        max_length=200,
        blank=True,
        help_text=_(
            "Texten före perioden, till exempel ”IOP Bromodellen” (blir ”IOP "
            "Bromodellen, helår 2024”)."
        ),
    )
    buyer_reference = models.CharField(_("referenskod"), max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(_("ordning"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("faktureringspar")
        verbose_name_plural = _("faktureringspar")
        constraints = [
            models.UniqueConstraint(
                fields=["seller", "buyer"],
                name="invoicing_pair_once",
                violation_error_message=_("Paret finns redan."),
            ),
            models.CheckConstraint(
                condition=(Q(percent__isnull=True) ^ Q(amount__isnull=True)),
                name="invoicing_pair_percent_or_amount",
                violation_error_message=_("Ange antingen en andel i procent eller ett belopp."),
            ),
            models.CheckConstraint(
                condition=Q(percent__isnull=True) | Q(percent__gt=0, percent__lte=100),
                name="invoicing_pair_percent_range",
                violation_error_message=_("Andelen ska vara större än 0 och högst 100 procent."),
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gt=0),
                name="invoicing_pair_amount_positive",
                violation_error_message=_("Beloppet ska vara större än 0."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.seller.organisation} → {self.buyer.organisation}"

    def is_in_use(self) -> bool:
        """Whether an issued document refers to the pair: such rows protect it, so it
        cannot be removed nor given another seller or buyer (1 query per protecting
        relation; this app does not name the documents)."""
        return self.pk is not None and any(
            rel.related_model._base_manager.filter(**{rel.field.name: self}).exists()
            for rel in self._meta.related_objects
            if getattr(rel, "on_delete", None) is models.PROTECT
        )

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if (
            self.seller_id
            and self.buyer_id
            and InvoicingPair.objects.filter(seller_id=self.seller_id, buyer_id=self.buyer_id)
            .exclude(pk=self.pk)
            .exists()
        ):
            errors["buyer"] = _("Paret finns redan.")
        if self.seller_id and self.seller.agreement_id != self.agreement_id:
            errors["seller"] = _("Säljaren måste vara part i samma överenskommelse.")
        elif self.seller_id and self.seller.role == AgreementParty.PartyRole.PUBLIC_FUNDER:
            errors["seller"] = _("Den som fakturerar kan inte vara en offentlig finansiär.")
        if self.buyer_id and self.buyer.agreement_id != self.agreement_id:
            errors["buyer"] = _("Köparen måste vara part i samma överenskommelse.")
        elif self.buyer_id and self.buyer.role != AgreementParty.PartyRole.PUBLIC_FUNDER:
            errors["buyer"] = _("Den som faktureras ska vara en offentlig finansiär.")
        # The constraints' own messages, at their fields (a check constraint's error
        # would otherwise stand above the form, away from the field).
        if self.amount is not None and self.amount <= 0:
            errors["amount"] = _("Beloppet ska vara större än 0.")
        if (self.percent is None) == (self.amount is None):
            errors.setdefault("percent", _("Ange antingen en andel i procent eller ett belopp."))
        elif self.percent is not None and not 0 < self.percent <= 100:
            errors["percent"] = _("Andelen ska vara större än 0 och högst 100 procent.")
        elif self.percent is not None and self.buyer_id and not errors:
            others = (
                (
                    InvoicingPair.objects.filter(buyer_id=self.buyer_id, percent__isnull=False)
                    .exclude(pk=self.pk)
                    .aggregate(total=models.Sum("percent"))["total"]
                )
                or 0
            )
            if others + self.percent > 100:
                errors["percent"] = _(
                    "Paren mot %(buyer)s får tillsammans högst vara 100 procent; de andra "
                    "paren har redan %(others)s procent."
                ) % {"buyer": self.buyer.organisation, "others": others}
        elif (
            self.amount is not None
            and self.buyer_id
            and not errors
            and (too_much := self._fixed_amounts_error()) is not None
        ):
            errors["amount"] = too_much
        if errors:
            raise ValidationError(errors)

    def _fixed_amounts_error(self) -> str | None:
        """Why the fixed amounts to the buyer exceed its share in one of the agreement's
        budgets, or None (the invoice basis refuses such pairs too; here the form says it
        at the field)."""
        assert self.amount is not None
        fixed = self.amount + (
            InvoicingPair.objects.filter(buyer_id=self.buyer_id, amount__isnull=False)
            .exclude(pk=self.pk)
            .aggregate(total=models.Sum("amount"))["total"]
            or 0
        )
        for budget in self.agreement.budgets.order_by("year"):
            share = next(
                (amount for s, amount in budget.share_amounts() if s.party_id == self.buyer_id),
                None,
            )
            if share is not None and fixed > share:
                return str(
                    _(
                        "De fasta beloppen mot %(buyer)s blir %(fixed)s per år, mer än dess "
                        "andel %(share)s i budgeten för %(year)s."
                    )
                    % {
                        "buyer": self.buyer.organisation,
                        "fixed": format_sek(fixed),
                        "share": format_sek(share),
                        "year": budget.year,
                    }
                )
        return None


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
        PARTICIPANTS = "participants", _("Antal deltagare inskrivna under året")
        CONTACTS = "contacts", _("Antal kontakter, alla slag (även anonyma)")
        OUTREACH = "outreach", _("Antal uppsökande kontakter (besök och anonyma)")
        PLAN_AGREED = "plan_agreed", _("Andel med samordnad plan godkänd av flera myndigheter")
        HANDOVER_AF_FK = (
            "handover_af_fk",
            _("Andel med sjukpenning vid start som lämnats över till AF–FK-samverkan"),
        )

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
    """An exercised extension option: moves the agreement's end date.

    Every party approves it (ExtensionApproval, one row per party), and it is decided no
    later than the agreement's extension-decision deadline; a later decision stands only
    with a manager's written reason, kept here and shown in the agreement's history. After
    the end date nothing can be extended: a new agreement is needed.
    """

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
    # The deadline as it stood when the extension was decided (null for older rows).
    decision_deadline = models.DateField(_("beslut senast"), null=True, blank=True)
    late_reason = models.TextField(
        _("skäl till sent beslut"),
        blank=True,
        help_text=_(
            "Krävs när beslutet fattades efter tidsgränsen i överenskommelsen. "
            "Skälet visas i överenskommelsens historik."
        ),
    )
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
                violation_error_message=_(
                    "Det nya slutdatumet måste ligga efter det tidigare slutdatumet."
                ),
            ),
            models.CheckConstraint(
                condition=Q(decided_on__lte=models.F("previous_end_date")),
                name="extension_decided_before_end",
                violation_error_message=_(
                    "Överenskommelsen hade redan upphört. Den kan inte förlängas; "
                    "en ny överenskommelse behövs."
                ),
            ),
            models.CheckConstraint(
                condition=Q(decision_deadline__isnull=True)
                | Q(decided_on__lte=models.F("decision_deadline"))
                | ~Q(late_reason=""),
                name="extension_late_needs_reason",
                violation_error_message=_(
                    "Beslutet fattades efter tidsgränsen. Ange skälet till det sena beslutet."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement} → {self.new_end_date}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.decided_on and self.previous_end_date and self.decided_on > self.previous_end_date:
            errors["decided_on"] = str(too_late_to_extend(self.previous_end_date))
        elif (
            self.decided_on
            and self.decision_deadline
            and self.decided_on > self.decision_deadline
            and not self.late_reason.strip()
        ):
            errors["late_reason"] = _(
                "Beslutet fattades efter tidsgränsen %(deadline)s. Ange skälet till det sena "
                "beslutet."
            ) % {"deadline": self.decision_deadline.isoformat()}
        if errors:
            raise ValidationError(errors)

    @property
    def is_late(self) -> bool:
        return self.decision_deadline is not None and self.decided_on > self.decision_deadline


def too_late_to_extend(end_date: datetime.date) -> str:
    return _(
        "Överenskommelsen upphörde %(end)s och kan inte längre förlängas. "
        "En ny överenskommelse behövs."
    ) % {"end": end_date.isoformat()}


class ExtensionApproval(models.Model):
    """One party's recorded approval of an extension: who approved it and when."""

    extension = models.ForeignKey(
        Extension, on_delete=models.CASCADE, related_name="approvals", verbose_name=_("förlängning")
    )
    party = models.ForeignKey(
        AgreementParty,
        on_delete=models.PROTECT,
        related_name="extension_approvals",
        verbose_name=_("part"),
    )
    approved_on = models.DateField(_("godkänd"))
    approved_by = models.CharField(
        _("godkänd av"),
        max_length=300,
        help_text=_("Vem som godkände för parten: namn och befattning, eller organ och beslut."),
    )
    recorded_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("registrerad av")
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["party__role", "party__organisation__name"]
        verbose_name = _("godkännande av förlängning")
        verbose_name_plural = _("godkännanden av förlängning")
        constraints = [
            models.UniqueConstraint(
                fields=["extension", "party"],
                name="one_approval_per_party_and_extension",
                violation_error_message=_("Parten har redan godkänt förlängningen."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.party}: {self.approved_on}"


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
            models.UniqueConstraint(
                fields=["agreement", "number"],
                name="version_number_unique",
                violation_error_message=_("Överenskommelsen har redan en version med det numret."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.agreement} v{self.number}"

    @property
    def label(self) -> str:
        return f"v{self.number} ({self.valid_from.isoformat()})"
