"""A year's budget of an agreement: cost lines, the parties' funding shares, actual costs
(utfall) and other funding."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from iop.money import MoneyField, allocate, format_sek, round_money

from .agreements import (
    Agreement,
    AgreementParty,
)
from .organisations import User


class IndexSeries(models.Model):
    """A published price index that budgets can follow instead of a fixed percentage, such
    as the municipal sector's OPI: a yearly change, provisional at first, final later."""

    name = models.CharField(_("namn"), max_length=200, unique=True)
    description = models.TextField(_("beskrivning"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("indexserie")
        verbose_name_plural = _("indexserier")

    def __str__(self) -> str:
        return self.name

    def value_for(self, year: int) -> IndexValue:
        """The series' value for `year`; refuses (Swedish message) a year without one."""
        value = self.values.filter(year=year).first()
        if value is None:
            raise ValidationError(
                _("Indexserien %(series)s saknar värde för %(year)s. Lägg in värdet först.")
                % {"series": self.name, "year": year},
                code="index_value_missing",
            )
        return value


class IndexValue(models.Model):
    """The series' change into `year` in per cent: provisional first, final once published."""

    series = models.ForeignKey(
        IndexSeries, on_delete=models.CASCADE, related_name="values", verbose_name=_("indexserie")
    )
    year = models.PositiveSmallIntegerField(_("år"))
    provisional_percent = models.DecimalField(
        _("preliminär förändring (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("-100"))],
    )
    final_percent = models.DecimalField(
        _("slutlig förändring (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("-100"))],
        help_text=_("Fylls i när det slutliga värdet är publicerat."),
    )

    class Meta:
        ordering = ["series", "year"]
        verbose_name = _("indexvärde")
        verbose_name_plural = _("indexvärden")
        constraints = [
            models.UniqueConstraint(
                fields=["series", "year"],
                name="one_index_value_per_year",
                violation_error_message=_("Indexserien har redan ett värde för det året."),
            ),
            models.CheckConstraint(
                condition=Q(provisional_percent__gte=-100)
                & (Q(final_percent__isnull=True) | Q(final_percent__gte=-100)),
                name="index_value_sane",
                violation_error_message=_("En förändring kan inte vara mindre än −100 %."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.series} {self.year}"

    @property
    def percent(self) -> Decimal:
        """The value to use now: the final one once it is published."""
        return self.final_percent if self.final_percent is not None else self.provisional_percent


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
        validators=[MinValueValidator(Decimal("-100"))],
        help_text=_("Till exempel 2,00 för +2 % per nytt år."),
    )
    index_series = models.ForeignKey(
        IndexSeries,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="budgets",
        verbose_name=_("uppräkning efter index"),
        help_text=_(
            "Välj en indexserie för att räkna upp nästa år med seriens värde i stället för "
            "med procentsatsen ovan."
        ),
    )
    applied_index_percent = models.DecimalField(
        _("använt indexvärde (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        editable=False,
        help_text=_("Indexvärdet som året räknades upp med från föregående år."),
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
                condition=Q(indexation_percent__gte=-100),
                name="budget_indexation_sane",
                violation_error_message=_("Uppräkningen kan inte vara mindre än −100 %."),
                violation_error_code="min_value",
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
        """Each funding share with its amount of `total`, by the one rule (split_shares)."""
        total = self.total() if total is None else total
        shares = list(self.shares.select_related("party__organisation"))
        return list(zip(shares, split_shares(shares, total), strict=True))

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

    def indexation_percent_into_next_year(self) -> Decimal:
        """By how much next year follows from this one: the index series' value for the next
        year when the budget follows one (refused when the series has none yet), otherwise
        the fixed percentage."""
        if self.index_series_id is None:
            return self.indexation_percent
        assert self.index_series is not None
        return self.index_series.value_for(self.year + 1).percent

    def indexation_adjustment(self) -> Decimal | None:
        """What this year comes to more (or less) because the index value it was indexed
        with was provisional and the final one differs: the previous year's total times the
        difference, in öre. None when the year was not indexed by a series, or nothing
        differs (yet)."""
        if (
            self.applied_index_percent is None
            or self.derived_from is None
            or self.index_series is None
        ):
            return None
        value = self.index_series.values.filter(year=self.year).first()
        if value is None or value.final_percent is None:
            return None
        difference = value.final_percent - self.applied_index_percent
        if not difference:
            return None
        return round_money(self.derived_from.total() * difference / Decimal("100"))


def split_shares(shares: Sequence[FundingShare], total: Decimal) -> list[Decimal]:
    """Each share's amount of `total`, in the order given, adding up to the öre.

    The one rule for funding shares, used by the budget page, the budget form, the admin
    and the invoice basis: a fixed amount is what it says; the percentage shares together
    are their percentages of the total, split between them by largest remainder
    (`iop.money.allocate`: rounded down to whole öre, the öre left over to the largest
    remainders, equal remainders to the share listed first). Percentages adding up to
    100 % therefore always give the total exactly. A share with neither (being filled in)
    covers nothing.
    """
    amounts = [
        share.amount if share.amount is not None else round_money(Decimal("0")) for share in shares
    ]
    by_percent = [i for i, share in enumerate(shares) if share.amount is None and share.percent]
    percents = [shares[i].percent or Decimal("0") for i in by_percent]
    covered = round_money(total * sum(percents, Decimal("0")) / Decimal("100"))
    for i, amount in zip(by_percent, allocate(covered, percents), strict=True):
        amounts[i] = amount
    return amounts


def describe_deviation(budgeted: Decimal, actual: Decimal | None) -> str:
    """Actual against budget in words for the budget page: "+10 000 kr (+5,0 %)" over,
    "-2 000 kr (-1,0 %)" under, and "inget utfall bokfört" where nothing is booked (not
    "within budget": nothing booked says nothing about the budget yet)."""
    if actual is None:
        return str(_("inget utfall bokfört"))
    deviation = actual - budgeted
    sign = "+" if deviation > 0 else ""
    text = f"{sign}{format_sek(deviation)}"
    if budgeted:
        pct = (deviation * Decimal("100") / budgeted).quantize(Decimal("0.1"))
        text += f" ({sign}{pct} %)".replace(".", ",")
    return text


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
                condition=Q(amount__gte=0),
                name="cost_line_amount_not_negative",
                violation_error_message=_("Beloppet kan inte vara negativt."),
                violation_error_code="min_value",
            ),
            models.CheckConstraint(
                condition=Q(fte__isnull=True) | Q(fte__gte=0),
                name="cost_line_fte_not_negative",
                violation_error_message=_("Antalet årsarbetare kan inte vara negativt."),
                violation_error_code="min_value",
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
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
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


NEGATIVE_NEEDS_REASON = _(
    "Ett negativt belopp är en återbetalning eller rättelse: ange orsaken och "
    "verifikationen den bygger på."
)


class ActualCost(models.Model):
    """Utfall: an actual cost booked against a cost line, with its voucher reference."""

    cost_line = models.ForeignKey(
        CostLine, on_delete=models.PROTECT, related_name="actuals", verbose_name=_("kostnadspost")
    )
    date = models.DateField(_("datum"))
    amount = MoneyField(_("belopp (kr)"))
    voucher = models.CharField(_("verifikation"), max_length=60)
    description = models.CharField(_("beskrivning"), max_length=300, blank=True)
    reason = models.CharField(
        _("orsak till återbetalning eller rättelse"),
        max_length=300,
        blank=True,
        help_text=_(
            "Krävs för ett negativt belopp, till exempel ”återbetald hyra för mars” eller "
            "”rättelse av verifikation 1043”."
        ),
    )
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
            ),
            # A refund or correction lowers what the public parties pay: it must be traceable.
            models.CheckConstraint(
                condition=Q(amount__gte=0) | (~Q(voucher="") & ~Q(reason="")),
                name="negative_actual_cost_explained",
                violation_error_message=NEGATIVE_NEEDS_REASON,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.voucher}: {format_sek(self.amount)}"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.cost_line_id and self.date and self.date.year != self.cost_line.budget.year:
            errors["date"] = _("Datumet måste ligga inom budgetåret %(year)s.") % {
                "year": self.cost_line.budget.year
            }
        if self.amount is not None and self.amount < 0 and not self.reason.strip():
            errors["reason"] = NEGATIVE_NEEDS_REASON
        if errors:
            raise ValidationError(errors)


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
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="other_funding_not_negative",
                violation_error_message=_("Beloppet kan inte vara negativt."),
                violation_error_code="min_value",
            )
        ]

    def __str__(self) -> str:
        return f"{self.funder}: {format_sek(self.amount)}"
