from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from iop.forms import AmountField
from partnerships.models import AgreementParty, Indicator

from .models import AnnualReport


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
            str(ind.pk): self.cleaned_data[name] for name, ind in self.indicator_fields
        }
        return data


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
    party = forms.ModelChoiceField(label=_("Mottagare"), queryset=AgreementParty.objects.none())

    def __init__(self, *args: Any, parties: list[AgreementParty], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["party"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = AgreementParty.objects.filter(
            pk__in=[p.pk for p in parties]
        ).select_related("organisation")
        field.label_from_instance = lambda p: p.organisation.name  # type: ignore[method-assign,assignment]
        if parties:
            self.fields["party"].initial = parties[0].pk
