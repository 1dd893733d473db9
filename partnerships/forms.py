"""Forms for organisations, agreements, goals and budgets.

Validation lives in the models (clean() and constraints) where it can; the forms add
what only makes sense in the browser: optimistic locking, the amendment record, and the
rule that a budget's funding shares add up to its total.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils.translation import gettext_lazy as _

from iop.forms import AmountField

from .extensions import PartyApproval, extension_errors
from .models import (
    ActualCost,
    Agreement,
    AgreementParty,
    Budget,
    ContactPerson,
    CostLine,
    FundingShare,
    Goal,
    IndexSeries,
    IndexValue,
    Indicator,
    IndicatorTarget,
    InvoicingPair,
    Organisation,
    OtherFunding,
    Resource,
    format_sek,
    split_shares,
)


def model_choice_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField[Any]:
    """The form's field `name`, typed as the model choice field it is, for its queryset."""
    return cast("forms.ModelChoiceField[Any]", form.fields[name])


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%Y-%m-%d")
        super().__init__(**kwargs)


class RevisionMixin(forms.Form):
    """Refuses a save when someone else saved the record after this form was opened."""

    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk:
            self.fields["revision"].initial = instance.revision

    def clean(self):
        cleaned = super().clean()
        value = cleaned.get("revision")
        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk and value is not None:
            current = (
                type(instance)
                .objects.filter(pk=instance.pk)
                .values_list("revision", flat=True)
                .first()
            )
            if current != value:
                # A form-wide error: the hidden field has no place of its own to show it.
                raise ValidationError(
                    _(
                        "Någon annan har sparat ändringar sedan du öppnade sidan. Ladda om sidan och gör om din ändring."
                    ),
                    code="stale",
                )
        return cleaned


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = [
            "name",
            "org_number",
            "kind",
            "street_address",
            "postal_code",
            "city",
            "gln",
            "peppol_id",
            "invoice_reference",
            "invoice_marking",
            "bankgiro",
            "plusgiro",
            "iban",
            "bic",
            "payment_terms_days",
            "ocr_reference",
            "f_skatt",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Left empty, the terms are the usual 30 days.
        self.fields["payment_terms_days"].required = False

    def clean_payment_terms_days(self) -> int:
        days = self.cleaned_data.get("payment_terms_days")
        return Organisation.payment_terms_days.field.default if days is None else days


class ContactPersonForm(forms.ModelForm):
    class Meta:
        model = ContactPerson
        fields = ["name", "title", "email", "phone"]


AGREEMENT_FIELDS = [
    "short_id",
    "title",
    "start_date",
    "end_date",
    "background",
    "purpose",
    "target_group",
    "value_base",
    "focus_areas",
    "confidentiality",
    "capacity",
    "participant_max_days",
    "followups_per_year",
    "report_due_month",
    "report_due_day",
    "invoicing",
    "invoice_in_advance",
    "pays_against_actuals",
    "termination_settlement",
    "extension_count",
    "extension_months",
    "extension_notice_months",
    "decision_body",
    "decision_date",
    "decision_reference",
    "signed_on",
    "signatories",
]


class AgreementForm(RevisionMixin, forms.ModelForm):
    class Meta:
        model = Agreement
        fields = AGREEMENT_FIELDS
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "decision_date": DateInput(),
            "signed_on": DateInput(),
            "background": forms.Textarea(attrs={"rows": 4}),
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "target_group": forms.Textarea(attrs={"rows": 3}),
            "value_base": forms.Textarea(attrs={"rows": 3}),
            "focus_areas": forms.Textarea(attrs={"rows": 4}),
            "confidentiality": forms.Textarea(attrs={"rows": 3}),
            "signatories": forms.Textarea(attrs={"rows": 3}),
        }


class AmendmentForm(forms.Form):
    """How a change to an agreement is recorded: what, from when, approved by whom."""

    summary = forms.CharField(
        label=_("Vad ändras och varför"),
        max_length=300,
        help_text=_("Visas i överenskommelsens historik."),
    )
    valid_from = forms.DateField(label=_("Gäller från"), widget=DateInput())
    approved_on = forms.DateField(
        label=_("Godkänd av parterna"), widget=DateInput(), required=False
    )
    approved_by = forms.CharField(
        label=_("Godkänd av"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Vilka parter som godkänt ändringen, till exempel beslut och diarienummer."),
    )

    def __init__(self, *args, requires_approval: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.requires_approval = requires_approval
        if requires_approval:
            self.fields["approved_on"].required = True
            self.fields["approved_by"].required = True
            self.fields["approved_on"].help_text = _(
                "Ändringar i en gällande överenskommelse ska vara skriftliga och godkända av alla parter."
            )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Ny status"), choices=Agreement.Status.choices)
    day = forms.DateField(label=_("Datum"), widget=DateInput())
    reason = forms.CharField(
        label=_("Skäl (vid uppsägning)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ExtensionForm(forms.Form):
    """Extending an agreement: the decision, each party's approval, and a reason when the
    decision came after the agreement's deadline (rules in partnerships/extensions.py)."""

    decided_on = forms.DateField(
        label=_("Beslutsdatum"),
        widget=DateInput(),
        help_text=_("Dagen då förlängningen var beslutad, när alla parter hade godkänt den."),
    )
    decision_reference = forms.CharField(label=_("Diarienummer"), max_length=100, required=False)
    late_reason = forms.CharField(
        label=_("Skäl till sent beslut"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Bara om beslutet fattades efter tidsgränsen. Skälet visas i historiken; "
            "ett sent beslut kan bara registreras av en verksamhetschef."
        ),
    )

    def __init__(self, *args: Any, agreement: Agreement, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.agreement = agreement
        self.parties = list(agreement.parties.select_related("organisation"))
        self.party_rows = []
        for party in self.parties:
            on, by = f"approved_on_{party.pk}", f"approved_by_{party.pk}"
            name = party.organisation.name
            self.fields[on] = forms.DateField(
                label=_("%(party)s godkände") % {"party": name}, required=False, widget=DateInput()
            )
            self.fields[by] = forms.CharField(
                label=_("Godkänd av (%(party)s)") % {"party": name},
                max_length=300,
                required=False,
                help_text=_("Namn och befattning, eller organ och beslut."),
            )
            self.party_rows.append((party, self[on], self[by]))

    def approvals(self) -> list[PartyApproval]:
        data = self.cleaned_data
        return [
            PartyApproval(
                party=party,
                approved_on=data[f"approved_on_{party.pk}"],
                approved_by=data.get(f"approved_by_{party.pk}") or "",
            )
            for party in self.parties
            if data.get(f"approved_on_{party.pk}")
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors or not cleaned.get("decided_on"):
            return cleaned
        errors = extension_errors(
            agreement=self.agreement,
            decided_on=cleaned["decided_on"],
            approvals=self.approvals(),
            late_reason=cleaned.get("late_reason", ""),
        )
        if errors:
            raise ValidationError(errors)
        return cleaned


class PartyForm(forms.ModelForm):
    class Meta:
        model = AgreementParty
        fields = [
            "organisation",
            "role",
            "contact_person",
            "responsibilities",
            "joined_on",
            "left_on",
        ]
        widgets = {
            "responsibilities": forms.Textarea(attrs={"rows": 4}),
            "joined_on": DateInput(),
            "left_on": DateInput(),
        }

    def __init__(self, *args, agreement: Agreement, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.agreement = agreement
        model_choice_field(self, "contact_person").queryset = ContactPerson.objects.select_related(
            "organisation"
        )


class InvoicingPairForm(forms.ModelForm):
    """Who invoices whom: a seller among the agreement's non-public parties, a buyer among
    its public funders. Once a document has been issued for the pair, its seller and buyer
    stay as they are (a new seller would let the same period be invoiced twice)."""

    class Meta:
        model = InvoicingPair
        fields = [
            "seller",
            "buyer",
            "percent",
            "amount",
            "marking",
            "marking_text",
            "buyer_reference",
            "position",
        ]
        field_classes = {"percent": AmountField, "amount": AmountField}

    def __init__(self, *args, agreement: Agreement, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.agreement = agreement
        parties = agreement.parties.select_related("organisation").order_by("organisation__name")
        public = AgreementParty.PartyRole.PUBLIC_FUNDER
        model_choice_field(self, "seller").queryset = parties.exclude(role=public)
        model_choice_field(self, "buyer").queryset = parties.filter(role=public)
        self.fields["amount"].help_text = _("Lämna tomt när säljaren fakturerar en andel.")
        if self.instance.pk and self.instance.is_in_use():
            for name in ("seller", "buyer"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _(
                    "Fakturaunderlag är utfärdade för paret: säljare och köpare kan inte bytas."
                )


ResourceFormSet = inlineformset_factory(
    AgreementParty, Resource, fields=["kind", "description", "quantity"], extra=2, can_delete=True
)


class GoalForm(forms.ModelForm):
    class Meta:
        model = Goal
        fields = ["parent", "title", "description", "position"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, agreement: Agreement, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.agreement = agreement
        qs = agreement.goals.filter(parent__isnull=True)
        if self.instance.pk:
            qs = qs.exclude(pk=self.instance.pk)
        model_choice_field(self, "parent").queryset = qs
        self.fields["parent"].required = False


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = ["goal", "name", "unit", "metric", "higher_is_better"]

    def __init__(self, *args, agreement: Agreement, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "goal").queryset = agreement.goals.all()


TargetFormSet = inlineformset_factory(
    Indicator,
    IndicatorTarget,
    fields=["year", "target"],
    field_classes={"target": AmountField},
    extra=2,
    can_delete=True,
)


class BudgetForm(RevisionMixin, forms.ModelForm):
    class Meta:
        model = Budget
        fields = ["year", "indexation_percent", "index_series", "public_grant", "note"]
        field_classes = {"indexation_percent": AmountField}
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, agreement: Agreement, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.agreement = agreement
        if self.instance.pk:
            # The year identifies the budget; a different year is a new budget.
            self.fields["year"].disabled = True


class CostLineFormSetBase(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        lines = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        if not lines:
            raise ValidationError(_("En budget behöver minst en kostnadspost."))

    def total(self) -> Decimal:
        return sum(
            (
                f.cleaned_data.get("amount") or Decimal("0")
                for f in self.forms
                if f.cleaned_data and not f.cleaned_data.get("DELETE")
            ),
            Decimal("0"),
        )


# cast: the factory's type says BaseInlineFormSet, but the class it builds is ours.
CostLineFormSet = cast(
    type[CostLineFormSetBase],
    inlineformset_factory(
        Budget,
        CostLine,
        formset=CostLineFormSetBase,
        fields=["category", "description", "fte", "amount"],
        field_classes={"fte": AmountField},
        extra=1,
        can_delete=True,
    ),
)


class FundingShareForm(forms.ModelForm):
    class Meta:
        model = FundingShare
        fields = ["party", "percent", "amount"]
        field_classes = {"percent": AmountField}

    def __init__(self, *args, agreement: Agreement | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if agreement is not None:
            model_choice_field(self, "party").queryset = agreement.parties.select_related(
                "organisation"
            )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("party")
            and cleaned.get("amount") is None
            and cleaned.get("percent") is None
        ):
            raise ValidationError(_("Ange partens andel som belopp eller procent."))
        if cleaned.get("amount") is not None and cleaned.get("percent") is not None:
            raise ValidationError(_("Ange antingen belopp eller procent, inte båda."))
        return cleaned


class FundingShareFormSetBase(BaseInlineFormSet):
    """The shares must add up to the budget total (set by the view before validation)."""

    budget_total: Decimal | None = None

    def clean(self) -> None:
        super().clean()
        if any(self.errors) or self.budget_total is None:
            return
        shares: list[FundingShare] = []
        parties = set()
        for form in self.forms:
            data = form.cleaned_data
            if not data or data.get("DELETE") or not data.get("party"):
                continue
            if data["party"].pk in parties:
                raise ValidationError(_("Varje part kan bara ha en andel."))
            parties.add(data["party"].pk)
            shares.append(FundingShare(amount=data.get("amount"), percent=data.get("percent")))
        # The same rule as the saved budget, so that what is accepted here adds up there.
        covered = sum(split_shares(shares, self.budget_total), Decimal("0"))
        if shares and covered != self.budget_total:
            raise ValidationError(
                _(
                    "Finansieringsandelarna blir %(covered)s men kostnaderna är %(total)s. Andelarna måste gå jämnt upp."
                )
                % {"covered": format_sek(covered), "total": format_sek(self.budget_total)}
            )


FundingShareFormSet = cast(
    type[FundingShareFormSetBase],
    inlineformset_factory(
        Budget,
        FundingShare,
        form=FundingShareForm,
        formset=FundingShareFormSetBase,
        fields=["party", "percent", "amount"],
        extra=1,
        can_delete=True,
    ),
)


class ActualCostForm(forms.ModelForm):
    class Meta:
        model = ActualCost
        fields = ["cost_line", "date", "amount", "voucher", "description", "reason"]
        widgets = {"date": DateInput()}

    def __init__(self, *args, budget: Budget, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "cost_line").queryset = budget.cost_lines.all()


class OtherFundingForm(forms.ModelForm):
    class Meta:
        model = OtherFunding
        fields = ["funder", "amount", "purpose"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The budget page also shows the actual-cost form, which has an amount too: own
        # ids keep the labels and the error summary's links pointing at the right field.
        kwargs.setdefault("auto_id", "id_other_%s")
        super().__init__(*args, **kwargs)


class IndexSeriesForm(forms.ModelForm):
    class Meta:
        model = IndexSeries
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class IndexValueForm(forms.ModelForm):
    """A series' value for a year. Posting a year the series already has updates that
    value: the provisional value first, the final one when it is published."""

    class Meta:
        model = IndexValue
        fields = ["series", "year", "provisional_percent", "final_percent"]

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        if data is not None and "instance" not in kwargs:
            prefix = f"{kwargs['prefix']}-" if kwargs.get("prefix") else ""
            series, year = data.get(f"{prefix}series", ""), data.get(f"{prefix}year", "")
            if series.isdigit() and year.isdigit():
                kwargs["instance"] = IndexValue.objects.filter(
                    series_id=int(series), year=int(year)
                ).first()
        super().__init__(data, *args, **kwargs)
