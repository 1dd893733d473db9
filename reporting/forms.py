from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from iop.forms import AmountField
from partnerships.models import Indicator

from .figures import Billing, Period
from .models import AnnualReport, FinalReport


class NarrativeForm(forms.ModelForm):
    """The narrative parts of the report, plus one field per manually measured indicator."""

    class Meta:
        model = AnnualReport
        fields = ["activities", "went_well", "went_badly"]
        widgets = {name: forms.Textarea(attrs={"rows": 6}) for name in fields}

    def __init__(
        self, *args: Any, manual_indicators: Sequence[Indicator] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        outcomes = self.instance.manual_outcomes or {}
        self.indicator_fields = []
        for ind in manual_indicators:
            name = f"indicator_{ind.pk}"
            self.fields[name] = AmountField(
                label=_("Utfall: %(name)s") % {"name": ind.name},
                required=False,
                max_digits=12,
                decimal_places=2,
                min_value=0,
                initial=outcomes.get(str(ind.pk)),
                help_text=_("Indikatorn mäts inte av systemet; fyll i årets utfall."),
            )
            self.indicator_fields.append((name, ind))

    def data_for_save(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["manual_outcomes"] = {
            str(ind.pk): _plain_number(self.cleaned_data[name])
            for name, ind in self.indicator_fields
        }
        return data


class FinalNarrativeForm(NarrativeForm):
    """The final report's narratives, and the whole period's manually measured outcomes."""

    class Meta:
        model = FinalReport
        fields = ["activities", "lessons", "continuation"]
        widgets = {name: forms.Textarea(attrs={"rows": 6}) for name in fields}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, _ind in self.indicator_fields:
            self.fields[name].help_text = _(
                "Indikatorn mäts inte av systemet; fyll i utfallet för hela perioden."
            )


def _plain_number(value: Decimal | None) -> str | None:
    """An outcome as the user wrote it: 85 stays "85", 85,50 becomes "85.5"."""
    if value is None:
        return None
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


class SubmitForm(forms.Form):
    accept_warnings = forms.BooleanField(
        label=_("Jag har gått igenom bristerna i kvalitetskontrollen och vill lämna in ändå."),
        required=False,
    )


class CorrectionForm(forms.Form):
    reason = forms.CharField(
        label=_("Varför rättas rapporten?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class IssueForm(forms.Form):
    """Which seller invoices which buyer, and for which period of the year."""

    billing = forms.ChoiceField(label=_("Säljare och mottagare"))
    period = forms.ChoiceField(label=_("Period"))

    def __init__(
        self,
        *args: Any,
        billings: Sequence[Billing],
        periods: Sequence[Period],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        billing_field = self.fields["billing"]
        period_field = self.fields["period"]
        assert isinstance(billing_field, forms.ChoiceField)
        assert isinstance(period_field, forms.ChoiceField)
        billing_field.choices = [
            (b.key, f"{b.seller.organisation.name} → {b.buyer.organisation.name}") for b in billings
        ]
        period_field.choices = [(p.start.isoformat(), p.label) for p in periods]
        self._billings = {b.key: b for b in billings}
        self._periods = {p.start.isoformat(): p for p in periods}
        if billings:
            billing_field.initial = billings[0].key
        if periods:
            period_field.initial = periods[0].start.isoformat()

    def selected(self) -> tuple[Billing | None, Period | None]:
        """The chosen billing and period (the first ones when nothing valid was chosen)."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        billing = self._billings.get(data.get("billing", "")) or next(
            iter(self._billings.values()), None
        )
        period = self._periods.get(data.get("period", "")) or next(
            iter(self._periods.values()), None
        )
        return billing, period


class CreditForm(forms.Form):
    reason = forms.CharField(
        label=_("Skäl till krediteringen"), widget=forms.Textarea(attrs={"rows": 2})
    )
    amount = forms.DecimalField(
        label=_("Belopp att kreditera"),
        required=False,
        max_digits=14,
        decimal_places=2,
        help_text=_("Lämna tomt för att kreditera hela underlaget."),
    )
