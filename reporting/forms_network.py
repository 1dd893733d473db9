"""The member's submission grid: total contacts and one whole number per category.

Each cell is a field named "<dimension>__<category>" (a count dimension: its key), so the
error summary links to the very cell; the sums are checked by models_network.count_errors,
the same rule the model and the verb apply.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models_network import (
    COUNT,
    NetworkForm,
    count_errors,
    crosstab_errors,
    crosstab_field_name,
    crosstab_key,
    field_name,
)

WHOLE = {
    "required": _("Ange ett antal (0 om inga)."),
    "invalid": _("Ange ett helt antal, noll eller mer."),
    "min_value": _("Ange ett helt antal, noll eller mer."),
}


def _count_field(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        error_messages=WHOLE,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 6, "autocomplete": "off"}),
    )


class SubmissionForm(forms.Form):
    def __init__(self, network_form: NetworkForm, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.network_form = network_form
        self.fields["total_contacts"] = _count_field(str(_("Antal kontakter totalt")))
        self.grid: list[dict[str, Any]] = []
        for dim in network_form.dimensions:
            cats = dim["categories"] if dim["kind"] != COUNT else [{"key": "", "label": ""}]
            names = []
            for cat in cats:
                name = field_name(dim["key"], cat["key"])
                self.fields[name] = _count_field(cat["label"] or dim["label"])
                names.append(name)
            self.grid.append({"dimension": dim, "names": names})
        for row_dim, col_dim in network_form.crosstab_tables:
            for r in row_dim["categories"]:
                for c in col_dim["categories"]:
                    name = crosstab_field_name(row_dim["key"], col_dim["key"], r["key"], c["key"])
                    self.fields[name] = _count_field(f"{r['label']} – {c['label']}")

    def rows(self) -> list[dict[str, Any]]:
        return [
            {"dimension": row["dimension"], "fields": [self[name] for name in row["names"]]}
            for row in self.grid
        ]

    def crosstabs(self) -> list[dict[str, Any]]:
        """Each cross-tabulation as a table: column labels, then rows of bound fields."""
        tables = []
        for row_dim, col_dim in self.network_form.crosstab_tables:
            rows = []
            for r in row_dim["categories"]:
                names = [
                    crosstab_field_name(row_dim["key"], col_dim["key"], r["key"], c["key"])
                    for c in col_dim["categories"]
                ]
                rows.append({"label": r["label"], "fields": [self[n] for n in names]})
            tables.append({"rows_dim": row_dim, "columns_dim": col_dim, "rows": rows})
        return tables

    def crosstab_counts(self) -> dict[str, dict[str, dict[str, int]]]:
        result: dict[str, dict[str, dict[str, int]]] = {}
        for row_dim, col_dim in self.network_form.crosstab_tables:
            result[crosstab_key(row_dim["key"], col_dim["key"])] = {
                r["key"]: {
                    c["key"]: self.cleaned_data.get(
                        crosstab_field_name(row_dim["key"], col_dim["key"], r["key"], c["key"])
                    )
                    or 0
                    for c in col_dim["categories"]
                }
                for r in row_dim["categories"]
            }
        return result

    def counts(self) -> dict[str, dict[str, int]]:
        result: dict[str, dict[str, int]] = {}
        for dim in self.network_form.dimensions:
            cats = [c["key"] for c in dim["categories"]] if dim["kind"] != COUNT else [""]
            result[dim["key"]] = {
                cat: self.cleaned_data.get(field_name(dim["key"], cat)) or 0 for cat in cats
            }
        return result

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        counts = self.counts()
        errors = count_errors(self.network_form, data.get("total_contacts"), counts)
        errors.update(crosstab_errors(self.network_form, counts, self.crosstab_counts()))
        for name, messages in errors.items():
            for message in messages:
                self.add_error(name, message)
        return data


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Skäl att öppna inrapporteringen igen"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Ange skälet till att inrapporteringen öppnas igen.")},
    )


class NewFormForm(forms.ModelForm):
    """A period's form with the default dimensions (the coordinator opens it separately)."""

    class Meta:
        model = NetworkForm
        fields = ["year", "half", "due_on", "closes_on", "allows_not_recorded"]
        widgets = {
            "due_on": forms.DateInput(attrs={"type": "date"}),
            "closes_on": forms.DateInput(attrs={"type": "date"}),
        }
